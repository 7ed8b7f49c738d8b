// A row's witness: the smallest input of its class that differs its way (fewest set bits, then
// smallest values, as equiv's counterexamples), as a scenario of `faultc run`, replayed on both
// sides' concrete targets. The replay must show the row's difference; if it does not, the
// symbolic and the concrete semantics disagree, a bug in faultc that the report says.
//
// A solver may give up minimising (a time limit on a loaded machine). The witness is then the
// first model of the class the solver finds: it still replays, but it is not the smallest, and
// the report is undecided (exit 3) saying so, never an internal error.
import { minimalModel } from "../equiv/minimize.ts";
import { numeral, scenarioFromValues, scenarioInputs } from "../equiv/model-scenario.ts";
import { runOutcomeKey } from "../equiv/observe.ts";
import type { SymValue } from "../equiv/symbolic/domain.ts";
import type { SolverModel } from "../equiv/solver.ts";
import type { BvTerm, BoolTerm, TermContext } from "../equiv/term/term.ts";
import { runResultToJson } from "../runtime/run/json.ts";
import type { RunResult } from "../runtime/run/types.ts";
import { hex, scenarioToJson } from "../runtime/scenario/index.ts";
import type { Side } from "../sides/side.ts";
import { mapOutcome } from "./outcome-mapping.ts";
import { Undecided } from "./partition.ts";
import { rulesOf, type ComboRegion, type Item, type Signature } from "./region.ts";
import type { OutcomePair, SideBehaviour, Witness } from "./types.ts";

export interface WitnessOf {
  witness: Witness;
  a: SideBehaviour;
  b: SideBehaviour;
}

/** The item names of a signature and the record fields they are (for the values a row shows). */
function itemsOf(region: ComboRegion, names: readonly string[]): Item[] {
  const out: Item[] = [];
  for (const n of names) {
    const i = region.pairs.flatMap((p) => p.items).find((x) => x.name === n);
    if (i !== undefined) out.push(i);
  }
  return out;
}

function valuesOf(items: readonly Item[], r: RunResult, side: "a" | "b"): Record<string, string> {
  const out: [string, string][] = [];
  for (const i of items) {
    if (i.field !== undefined) out.push([i.field[side], hex(r.fault.get(i.field[side]) ?? 0n)]);
    else out.push([i.name, hex(r.sysregs.get(i.name.slice("sysreg ".length)) ?? 0n)]);
  }
  return Object.fromEntries(out);
}

/** undefined when the runs differ as the signature says; else why not. */
function replayMismatch(s: Signature, items: readonly Item[], ra: RunResult, rb: RunResult): string | undefined {
  const [ka, kb] = [runOutcomeKey(ra), runOutcomeKey(rb)];
  if (ka !== s.oa || kb !== s.ob) return `the replay ends with ${ka} on side A and ${kb} on side B, not ${s.oa} and ${s.ob}`;
  if (s.differs[0] === "outcome") return undefined;
  const differing = items.filter((i) => {
    if (i.field !== undefined) return ra.fault.get(i.field.a) !== rb.fault.get(i.field.b);
    const reg = i.name.slice("sysreg ".length);
    return ra.sysregs.get(reg) !== rb.sysregs.get(reg);
  });
  if (s.some ? differing.length > 0 : differing.length === items.length) return undefined;
  return `in the replay ${differing.map((i) => i.name).join(", ") || "nothing"} differs, not ${s.some ? "some of " : ""}${s.differs.join(", ")}`;
}

/** How a witness is minimised: minimalModel's contract (the model, or an error when the solver gives up). */
export type Minimiser = (ctx: TermContext, constraints: BoolTerm[], terms: BvTerm[], timeoutMs: number) => Promise<SolverModel>;

/**
 * The smallest model of the query, or, when minimising fails, the solver's own model of it and
 * why. Minimising fails on a satisfiable query only when the solver gave up on a step of it;
 * the query's model is asked for separately, so that a query with no model (a bug) or one the
 * solver cannot decide at all is not mistaken for that.
 */
async function witnessModel(region: ComboRegion, query: BoolTerm[], terms: BvTerm[], timeoutMs: number, minimise: Minimiser): Promise<{ model: SolverModel; undecided?: string }> {
  const { combo } = region;
  try {
    return { model: await minimise(combo.inputs.d.ctx, [...combo.assumptions, ...combo.inputs.axioms, ...query], terms, timeoutMs) };
  } catch (e) {
    const plain = await combo.checker.model(query);
    if (plain.result === "unknown") throw new Undecided("the solver could not find a witness of a class of differing inputs");
    if (plain.result !== "sat" || plain.model === undefined) throw e;
    const why = e instanceof Error ? e.message.replace(/^internal: /, "") : String(e);
    return { model: plain.model, undecided: `the solver could not minimise this witness (${why}): it is a model of the class, not the smallest` };
  }
}

/**
 * The witness of a class under one combination: `query` is the class and its way of differing,
 * `signature` that way, `paths` the pairs of paths (as conditions) its inputs may take.
 */
export async function buildWitness(region: ComboRegion, query: BoolTerm[], s: Signature, a: Side, b: Side, mapping: readonly OutcomePair[], paths: { a: string[][]; b: string[][] }, timeoutMs = 30_000, minimise: Minimiser = minimalModel): Promise<WitnessOf> {
  const { combo } = region;
  const d = combo.inputs.d;
  const named = scenarioInputs(combo);
  const { model, undecided } = await witnessModel(region, query, named.map((n) => d.term(n.value)), timeoutMs, minimise);
  const valueOf = (v: SymValue): bigint => ("c" in v ? v.c.value : numeral(model.eval(v.z, true).toString()));
  const scenario = scenarioFromValues(combo, named.map((n) => ({ name: n.name, value: valueOf(n.value) })), valueOf);
  const run = (side: Side) => side.concrete().run(scenario, { trace: true, deriveCapabilitiesFromMidr: false });
  const [ra, rb] = [run(a), run(b)];
  const items = s.differs[0] === "outcome" ? [] : itemsOf(region, s.differs);
  const mismatch = replayMismatch(s, items, ra, rb);
  const pair = region.pairs.find((p) => model.eval(p.taken, true).toString() === "true");
  const mapped = mapOutcome(mapping, s.oa);
  return {
    witness: { scenario: scenarioToJson(scenario), a: runResultToJson(ra), b: runResultToJson(rb), replayed: mismatch === undefined, ...(mismatch !== undefined ? { mismatch } : {}), ...(undecided !== undefined ? { undecided } : {}) },
    a: { outcome: s.oa, ...(mapped !== s.oa ? { mapped } : {}), values: valuesOf(items, ra, "a"), rules: pair ? rulesOf(pair.a) : [], paths: paths.a },
    b: { outcome: s.ob, values: valuesOf(items, rb, "b"), rules: pair ? rulesOf(pair.b) : [], paths: paths.b },
  };
}
