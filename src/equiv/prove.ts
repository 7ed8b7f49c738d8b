// The proof: both sides executed symbolically for every combination of the capabilities either
// side tests (VHE on and off always) that agrees with what each side's build fixes, then each
// obligation checked with z3 over the merged results. "equivalent" is only returned when every
// check was unsatisfiable. A function side (an object function with a binding) is explored as
// its caller calls it, and only on the inputs its binding says it is called on.
import type { IrContract, IrModule } from "../codegen/ir/types.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, hypRunsWithE2H } from "../runtime/machine/cpu-features.ts";
import { evalBool } from "../codegen/ir/eval.ts";
import { OBLIGATIONS, type Obligation } from "./obligations.ts";
import { pairFields, pairName, type FieldPair } from "./fields.ts";
import { observedFields, outcomePhrase, whenFieldSource } from "./observe.ts";
import type { Side } from "../sides/side.ts";
import { Checker, type SatResult } from "./solver.ts";
import { DEFAULT_TIMEOUT_MS, openSession, solverChoice, type SolverChoice } from "./smt/backend.ts";
import type { SolverSession } from "./smt/session.ts";
import { SymbolicDomain, type SymValue } from "./symbolic/domain.ts";
import { exploreProgram } from "./symbolic/explore-asm.ts";
import { exploreCall, symbolicCallInputs } from "./symbolic/explore-call.ts";
import { exploreFunction, type SymbolicHandler } from "./symbolic/explore-fn.ts";
import { CALLEE_SAVED } from "../runtime/run/function-call-target.ts";
import { SYM_STACK_TOP, SymbolicInputs } from "./symbolic/inputs.ts";
import { ExplorationIncomplete, outcomeKey, type SymbolicPath } from "./symbolic/paths.ts";
import { SymbolicState } from "./symbolic/state.ts";
import { termContext, type BoolTerm } from "./term/term.ts";

export interface ContractUsed {
  /** The rule file whose contract it is. */
  file: string;
  /** The side it is from: its field names are that side's. */
  side: "a" | "b";
  contract: IrContract;
  module: IrModule;
}

export interface Combination {
  caps: string[];
  inputs: SymbolicInputs;
  checker: Checker;
  pathsA: SymbolicPath[];
  pathsB: SymbolicPath[];
  assumptions: BoolTerm[];
}

export interface Failure {
  obligation: Obligation;
  combo: Combination;
  /** What differs, in words: "outcome", "field far_el2", "PAR_EL1", "x3 not restored". */
  what: string;
  /** A satisfiable conjunction: inputs that show the difference. */
  query: BoolTerm[];
  /** The terms whose values differ (for the report), when there are two. */
  terms: { a?: SymValue; b?: SymValue };
  /** For obligation 2: the fields that differ. */
  field?: FieldPair;
}

export type ProofVerdict = { verdict: "equivalent" } | { verdict: "different"; failure: Failure } | { verdict: "unknown"; reason: string };

/** A capability fixed on one side (or both), and why. */
export interface FixedInProof {
  name: string;
  present: boolean;
  /** Which side fixes it, how and why. */
  by: { side: "a" | "b"; kind: "build" | "default"; reason: string }[];
}

/** A condition every query assumes besides the contract's: where a function side is called. */
export interface Assumed {
  side: "a" | "b";
  text: string;
}

/** The two sides cannot run on one system: one side's build fixes a capability present, the other's absent. */
export class IncomparableSides extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IncomparableSides";
  }
}

export type Proof = ProofVerdict & {
  combos: Combination[];
  /** The solver session every combination's checker asks (releaseProof ends it). */
  session: SolverSession;
  /** The capabilities enumerated (each combination is a subset of them, plus the fixed ones present). */
  enumerated: string[];
  fixed: FixedInProof[];
  /** Where function sides are called: assumed by every query, --strict or not. */
  assumed: Assumed[];
  /** Fields of a handler's record that a function side's caller records, not the function: not compared. */
  recordedByCaller: string[];
  contract: ContractUsed | undefined;
  solverCalls: number;
  /** The record fields compared, A's with B's (same names, and --map). */
  fields: FieldPair[];
  /** The --map pairs given. */
  map: FieldPair[];
  /** Record fields in no pair, as A.NAME or B.NAME. */
  notCompared: string[];
};

export interface ProveOptions {
  strict: boolean;
  /** A's record fields compared with B's of another name (--map A_FIELD=B_FIELD). */
  map?: readonly FieldPair[];
  timeoutMs?: number;
  /** Which solver answers (--solver); by default FAULTC_SOLVER's, else the first found of native z3, native cvc5, z3-solver. */
  solver?: SolverChoice;
}

function subsets(items: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let mask = 0; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out.sort((a, b) => a.length - b.length || (a.join() < b.join() ? -1 : 1));
}

export function contractFor(a: Side, b: Side, strict: boolean): ContractUsed | undefined {
  if (strict) return undefined;
  for (const [s, side] of [[b, "b"], [a, "a"]] as const) if (s.contract && s.module) return { file: s.module.file, side, contract: s.contract, module: s.module };
  return undefined;
}

async function explore(side: Side, inputs: SymbolicInputs, caps: Set<string>, checker: Checker): Promise<SymbolicPath[]> {
  const view = side.symbolic;
  if (view.kind === "machine-code" && view.call !== undefined) return exploreCall(view.load(caps), view.entry, view.call, inputs, caps, checker);
  if (view.kind === "machine-code") return exploreProgram(view.load(caps), view.entry, new SymbolicState(inputs, caps), checker);
  return exploreFunction(view.fn as SymbolicHandler, view.origin, () => new SymbolicState(inputs, caps), checker);
}

/** The capabilities fixed by either side; a capability one side fixes present and the other absent leaves nothing to compare. */
export function fixedCapabilities(a: Side, b: Side): FixedInProof[] {
  const out = new Map<string, FixedInProof>();
  for (const [side, s] of [["a", a], ["b", b]] as const) {
    for (const [name, f] of s.fixedCapabilities ?? []) {
      const known = out.get(name);
      if (known !== undefined && known.present !== f.present) {
        const other = known.by[0];
        const [with_, without] = f.present ? [[side, s, f.reason], [other.side, other.side === "a" ? a : b, other.reason]] as const : [[other.side, other.side === "a" ? a : b, other.reason], [side, s, f.reason]] as const;
        throw new IncomparableSides(`no system runs both sides: side ${with_[0].toUpperCase()} (${with_[1].label}) runs only with ${name} (${with_[2]}), side ${without[0].toUpperCase()} (${without[1].label}) never (${without[2]})`);
      }
      const entry = known ?? { name, present: f.present, by: [] };
      entry.by.push({ side, kind: f.kind, reason: f.reason });
      out.set(name, entry);
    }
  }
  return [...out.values()].sort((x, y) => (x.name < y.name ? -1 : 1));
}

/** The record fields of a handler that a function side's caller records (the other side's fields in no pair). */
function callerFields(a: Side, b: Side, notCompared: string[]): { recordedByCaller: string[]; notCompared: string[] } {
  const isCall = (s: Side) => s.symbolic.kind === "machine-code" && s.symbolic.call !== undefined;
  const byCaller = (n: string) => (n.startsWith("B.") && isCall(a) && !isCall(b)) || (n.startsWith("A.") && isCall(b) && !isCall(a));
  return { recordedByCaller: notCompared.filter(byCaller), notCompared: notCompared.filter((n) => !byCaller(n)) };
}

export async function prove(a: Side, b: Side, options: ProveOptions): Promise<Proof> {
  // Records with nothing to compare, and sides no system runs both of, are errors before any exploration.
  const paired = pairFields(a, b, options.map);
  const pairs = paired.pairs;
  const { recordedByCaller, notCompared } = callerFields(a, b, paired.notCompared);
  const fixed = fixedCapabilities(a, b);
  const ctx = termContext();
  const d = new SymbolicDomain(ctx);
  // One session for every combination: each checker asserts its background behind a literal of its own.
  const session = await openSession(options.solver ?? solverChoice(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const contract = contractFor(a, b, options.strict);
  const enumerated = [...new Set([...a.capabilities, ...b.capabilities, ARM64_HAS_VIRT_HOST_EXTN])].filter((c) => !fixed.some((f) => f.name === c)).sort();
  const present = fixed.filter((f) => f.present).map((f) => f.name);
  const assumed: Assumed[] = [];
  for (const [side, s] of [["a", a], ["b", b]] as const) {
    if (s.symbolic.kind === "machine-code" && s.symbolic.call !== undefined) assumed.push({ side, text: s.symbolic.call.calledText });
  }
  const combos: Combination[] = [];
  const map = [...(options.map ?? [])];
  const result = (p: ProofVerdict): Proof => ({ ...p, combos, session, enumerated, fixed, assumed, recordedByCaller, contract, solverCalls: combos.reduce((n, c) => n + c.checker.calls, 0), fields: pairs, map, notCompared });

  // The combinations are explored side by side: while the solver answers one's question, faultc
  // explores another (the checkers hand answers over in the order they were asked, solver.ts, so
  // the questions and their order are the same on every run). Each combination's own sides in turn.
  const exploreCombination = async (subset: string[]): Promise<Combination> => {
    const capList = [...subset, ...present].sort();
    const caps = new Set(capList);
    const inputs = new SymbolicInputs(d, hypRunsWithE2H(caps));
    const noField = () => {
      throw new Error("internal: an assumption names a recorded field");
    };
    const assumptions = (contract?.contract.assumptions ?? []).map((x) => d.boolTerm(evalBool(x, { d, input: (r) => inputs.sysreg(r), caps, field: noField, module: contract?.module })));
    // A function side is compared only where its caller calls it: the binding's `when`.
    for (const s of [a, b]) {
      if (s.symbolic.kind === "machine-code" && s.symbolic.call !== undefined) assumptions.push(d.boolTerm(s.symbolic.call.called(d, symbolicCallInputs(inputs, caps))));
    }
    const checker = new Checker(ctx, () => [...assumptions, ...inputs.axioms], options.timeoutMs, { session, applications: () => inputs.atApplications.map((x) => d.term(x.par)) });
    const pathsA = await explore(a, inputs, caps, checker);
    const pathsB = await explore(b, inputs, caps, checker);
    return { caps: capList, inputs, checker, pathsA, pathsB, assumptions };
  };
  const checksOf = (combo: Combination): ObligationCheck[] => OBLIGATIONS.flatMap((ob) => obligationChecks(ob, combo, a, b, pairs, contract).map((c) => ({ ...c, obligation: ob })));
  // z3-solver's build answers one check at a time in its worker (checks asked together have
  // stalled it), so on it the combinations are explored one after another, as before, and their
  // obligations asked once all are. On a native solver each combination's obligations are asked
  // as soon as it is explored, while the others are still being explored.
  let explored: PromiseSettledResult<Combination>[] = [];
  const opened = new Map<Combination, OpenObligations>();
  if (session.backend === "wasm") {
    for (const subset of subsets(enumerated)) {
      explored.push(...(await Promise.allSettled([exploreCombination(subset)])));
      if (explored[explored.length - 1].status === "rejected") break;
    }
  } else {
    explored = await Promise.allSettled(
      subsets(enumerated).map(async (subset) => {
        const combo = await exploreCombination(subset);
        opened.set(combo, openObligations(combo, checksOf(combo)));
        return combo;
      }),
    );
  }
  // What stops the proof is the first combination's, in their order, as when they were explored
  // one by one; the combinations before it are the proof's.
  const stop = explored.findIndex((r) => r.status === "rejected");
  for (const r of stop < 0 ? explored : explored.slice(0, stop)) combos.push((r as PromiseFulfilledResult<Combination>).value);
  if (stop >= 0) {
    const e: unknown = (explored[stop] as PromiseRejectedResult).reason;
    if (e instanceof ExplorationIncomplete) return result({ verdict: "unknown", reason: e.message });
    session.release();
    throw e;
  }

  const verdict = await decideObligations(combos.map((combo) => opened.get(combo) ?? { items: obligationItems(combo, checksOf(combo)) }));
  return result(verdict);
}

/** Ends the proof's solver session (a native solver's process); its combinations' checkers answer no more. */
export function releaseProof(proof: Proof): void {
  proof.session.release();
}

type ObligationCheck = Check & { obligation: Obligation };
type Item = ObligationCheck & { combo: Combination; status: SatResult | "open" };
/** One combination's obligation checks, and, once asked, the question of all of them at once. */
interface OpenObligations {
  items: Item[];
  asked?: Promise<void>;
}

function obligationItems(combo: Combination, checks: ObligationCheck[]): Item[] {
  return checks.map((c): Item => ({ ...c, combo, status: "open" }));
}

/** The combination's checks, asked at once as one disjunction (the answer marks them). */
function openObligations(combo: Combination, checks: ObligationCheck[]): OpenObligations {
  const items = obligationItems(combo, checks);
  if (items.length === 0) return { items };
  const asked = askAll(items);
  // Awaited by decideObligations; a proof stopped by another combination never reads it.
  asked.catch(() => {});
  return { items, asked };
}

/** A check's query as one term. */
const conjunction = (ctx: Combination["inputs"]["d"]["ctx"], q: BoolTerm[]) => (q.length === 1 ? q[0] : (ctx.And(...q) as BoolTerm));

/** Asks whether any of `items` (one combination's) is satisfiable, and marks what the answer shows. */
async function askAll(items: Item[]): Promise<void> {
  const { checker, inputs } = items[0].combo;
  const ctx = inputs.d.ctx;
  const terms = items.map((it) => conjunction(ctx, it.query));
  const r = items.length === 1 ? await checker.witness(items[0].query) : await checker.witness([ctx.Or(...terms) as BoolTerm]);
  if (r.result === "unsat") for (const it of items) it.status = "unsat";
  else if (r.result === "sat") {
    let shown = false;
    items.forEach((it, i) => {
      if (r.witness !== undefined && checker.decides(r.witness, terms[i]) === true) (it.status = "sat"), (shown = true);
    });
    // A model the checks cannot be read in (it should not happen): each is asked on its own.
    if (!shown) for (const it of items) if (it.status === "open") it.status = await checker.check(it.query);
  } else if (items.length === 1) items[0].status = "unknown";
  else for (const it of items) it.status = await checker.check(it.query);
}

/**
 * The first obligation check, in report order (obligation, then combination, then check), that is
 * satisfiable, as Alive2 reports the first failing check. Each combination's checks are asked
 * first as one disjunction (`asked`, when the proof asked it already; else here, one combination
 * after another); where it is satisfiable the model shows some that are, and only the checks
 * before the first such are asked again, as a disjunction each time, until the first is known. A
 * disjunction the solver gives up on is asked check by check.
 */
async function decideObligations(perCombo: OpenObligations[]): Promise<ProofVerdict> {
  const order: Item[] = [];
  for (const ob of OBLIGATIONS) for (const { items } of perCombo) for (const it of items) if (it.obligation === ob) order.push(it);
  for (const o of perCombo) await (o.asked ?? (o.items.length > 0 ? askAll(o.items) : undefined));
  for (;;) {
    const first = order.findIndex((it) => it.status === "sat");
    const before = (first < 0 ? order : order.slice(0, first)).filter((it) => it.status === "open");
    if (before.length === 0) break;
    const combo = before[0].combo;
    await askAll(before.filter((it) => it.combo === combo));
  }
  const failed = order.find((it) => it.status === "sat");
  if (failed !== undefined) {
    const { obligation, combo, what, query, terms, field } = failed;
    return { verdict: "different", failure: { obligation, combo, what, query, terms, ...(field ? { field } : {}) } };
  }
  const undecided = order.find((it) => it.status === "unknown");
  if (undecided !== undefined) return { verdict: "unknown", reason: `obligation ${undecided.obligation.id} (${undecided.obligation.name}), ${undecided.what}, capabilities {${undecided.combo.caps.join(", ")}}: the solver gave up` };
  return { verdict: "equivalent" };
}

interface Check {
  what: string;
  query: BoolTerm[];
  terms: { a?: SymValue; b?: SymValue };
  field?: FieldPair;
}

/** Each path's condition as one term, made once for all the obligations. */
const pathConditions = new WeakMap<SymbolicPath, BoolTerm>();

/** What every obligation of a combination reads: its paths by outcome, their conditions and disjunctions, each made once. */
interface CombinationView {
  conj: (p: SymbolicPath) => BoolTerm;
  anyOf: (ps: SymbolicPath[]) => BoolTerm;
  A: Map<string, SymbolicPath[]>;
  B: Map<string, SymbolicPath[]>;
  outcomes: string[];
}
const views = new WeakMap<Combination, CombinationView>();

function combinationView(combo: Combination): CombinationView {
  const known = views.get(combo);
  if (known !== undefined) return known;
  const ctx = combo.inputs.d.ctx;
  // Each path's condition and each outcome's disjunction made once: every field and register of an outcome asks them again.
  const conj = (p: SymbolicPath): BoolTerm => {
    let c = pathConditions.get(p);
    if (c === undefined) pathConditions.set(p, (c = p.conds.length === 0 ? (ctx.Bool.val(true) as BoolTerm) : (ctx.And(...p.conds) as BoolTerm)));
    return c;
  };
  const anys = new Map<SymbolicPath[], BoolTerm>();
  const anyOf = (ps: SymbolicPath[]): BoolTerm => {
    let c = anys.get(ps);
    if (c === undefined) anys.set(ps, (c = ps.length === 0 ? (ctx.Bool.val(false) as BoolTerm) : (ctx.Or(...ps.map(conj)) as BoolTerm)));
    return c;
  };
  const byOutcome = (ps: SymbolicPath[]) => {
    const m = new Map<string, SymbolicPath[]>();
    for (const p of ps) {
      const k = outcomeKey(p.outcome);
      const known = m.get(k);
      if (known === undefined) m.set(k, [p]);
      else known.push(p);
    }
    return m;
  };
  const A = byOutcome(combo.pathsA);
  const B = byOutcome(combo.pathsB);
  const view = { conj, anyOf, A, B, outcomes: [...new Set([...A.keys(), ...B.keys()])].sort() };
  views.set(combo, view);
  return view;
}

/** The satisfiability questions of one obligation under one capability combination. */
function obligationChecks(ob: Obligation, combo: Combination, a: Side, b: Side, pairs: readonly FieldPair[], contract: ContractUsed | undefined): Check[] {
  const ctx = combo.inputs.d.ctx;
  const d = combo.inputs.d;
  const { conj, anyOf, A, B, outcomes } = combinationView(combo);
  /** The value `f` gives on whichever of `ps` is taken. */
  const merged = (ps: SymbolicPath[], f: (p: SymbolicPath) => SymValue): SymValue => {
    let v = f(ps[ps.length - 1]);
    for (let i = ps.length - 2; i >= 0; i--) v = d.ite({ z: conj(ps[i]) }, f(ps[i]), v);
    return v;
  };
  const neq = (x: SymValue, y: SymValue): BoolTerm => d.boolTerm(d.notB(d.eq(x, y)));
  const checks: Check[] = [];

  switch (ob.id) {
    case 1:
      // For each outcome, an input where one side has it and the other has another: named by both.
      const asked = new Set<string>();
      for (const o of outcomes) {
        const differ = (oa: string, ob: string) => {
          if (oa === ob || asked.has(`${oa}|${ob}`)) return;
          asked.add(`${oa}|${ob}`);
          checks.push({ what: `side A ${outcomePhrase(oa)}, side B ${outcomePhrase(ob)}`, query: [anyOf(A.get(oa)!), anyOf(B.get(ob)!)], terms: {} });
        };
        if (A.has(o)) for (const ob of [...B.keys()].sort()) differ(o, ob);
        if (B.has(o)) for (const oa of [...A.keys()].sort()) differ(oa, o);
      }
      break;
    case 2:
      for (const o of outcomes) {
        const pa = A.get(o);
        const pb = B.get(o);
        if (pa === undefined || pb === undefined) continue;
        const observed = observedFields(contract, o, pairs);
        const fieldOf = (side: Side, name: string, width: number) => (p: SymbolicPath) => d.zeroExtend(p.state.field(side.layout[name].offset, side.layout[name].size as 4 | 8), width);
        for (const f of observed) {
          const width = Math.max(a.layout[f.pair.a].size, b.layout[f.pair.b].size) * 8;
          const va = merged(pa, fieldOf(a, f.pair.a, width));
          const vb = merged(pb, fieldOf(b, f.pair.b, width));
          const query = [anyOf(pa), anyOf(pb), neq(va, vb)];
          if (f.when !== undefined) {
            // Fields named in the condition are read on side A (through the pairing).
            const when = evalBool(f.when, {
              d,
              input: (r) => combo.inputs.sysreg(r),
              caps: new Set(combo.caps),
              module: contract?.module,
              field: (name, w) => {
                const src = whenFieldSource(contract, pairs, name);
                const [side, ps] = src.side === "a" ? [a, pa] : [b, pb];
                if (side.layout[src.field] === undefined) throw new Error(`internal: no field ${name}`);
                return d.extract(merged(ps, fieldOf(side, src.field, 64)), w - 1, 0);
              },
            });
            query.push(d.boolTerm(when));
          }
          checks.push({ what: `field ${pairName(f.pair)} on ${o}`, query, terms: { a: va, b: vb }, field: f.pair });
        }
      }
      break;
    case 3:
      for (const o of outcomes) {
        const pa = A.get(o);
        const pb = B.get(o);
        if (pa === undefined || pb === undefined) continue;
        const regs = new Set<string>(["PAR_EL1"]);
        for (const p of [...pa, ...pb]) for (const r of p.state.written) regs.add(r);
        for (const r of [...regs].sort()) {
          const va = merged(pa, (p) => p.state.readSysreg(r));
          const vb = merged(pb, (p) => p.state.readSysreg(r));
          checks.push({ what: `${r} after ${o}`, query: [anyOf(pa), anyOf(pb), neq(va, vb)], terms: { a: va, b: vb } });
        }
      }
      break;
    case 4:
      for (const [side, ps] of [[a, combo.pathsA], [b, combo.pathsB]] as const) {
        if (side.symbolic.kind !== "machine-code") continue;
        if (side.symbolic.call !== undefined) {
          // A function gives its caller back x19-x29 and SP (AAPCS64), on every path that returns.
          for (const p of ps) {
            if (!p.returned) continue;
            const changed: BoolTerm[] = CALLEE_SAVED.map((i) => neq(p.state.x[i], combo.inputs.x(i)));
            changed.push(neq(p.state.sp, d.const(SYM_STACK_TOP, 64)));
            checks.push({ what: `${side.label} returns with x19-x29 or SP changed`, query: [conj(p), ctx.Or(...changed) as BoolTerm], terms: {} });
          }
          continue;
        }
        for (const p of ps) {
          if (p.outcome.kind !== "retry") continue;
          const changed: BoolTerm[] = [];
          for (let i = 0; i < 31; i++) changed.push(neq(p.state.x[i], combo.inputs.x(i)));
          changed.push(neq(p.state.sp, d.const(SYM_STACK_TOP, 64)));
          checks.push({ what: `${side.label} re-enters the guest with x0-x30 or SP changed`, query: [conj(p), ctx.Or(...changed) as BoolTerm], terms: {} });
        }
      }
      break;
  }
  return checks;
}
