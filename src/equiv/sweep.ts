// The sweep: every input class the two sides' branch conditions distinguish (each feasible pair
// of paths, one per capability combination) is run concretely on both sides, with random fill
// of the bits the class leaves free. It cross-checks the proof (a proven-equivalent pair must
// agree on every scenario) and the symbolic semantics (each side must take, concretely, the
// path the class was drawn from). A disagreement is a bug in faultc and is reported loudly.
//
// What it checks that the proof does not: the proof only ever reasons about the symbolic
// executions (src/equiv/symbolic) and the solver's answers about them. The sweep runs each side's
// concrete target instead (the machine model running the assembly or the object's machine code,
// the C-like variant's own code), on scenarios built as `faultc run` builds them, compares what
// they record, and checks that each concrete run takes the path the class was drawn from; and it
// reads every model itself (sweep-eval.ts), so a solver's wrong model shows too. A bug in the
// symbolic semantics of an instruction, a rule or a capability, in the machine model, or in the
// scenario encoding shows here, and would hide in the proof. What it shares with the proof is
// only where inputs come from: the path conditions, and the proof's solver session to find
// models of them (a witness of the exploration when there is one, then a query per class left),
// so it costs little beyond the proof (sweep-classes.ts), and fills are drawn from the class's
// model without the solver (sweep-fill.ts).
import type { HandlerTarget } from "../runtime/run/types.ts";
import type { Scenario } from "../runtime/scenario/index.ts";
import { evalBool } from "../codegen/ir/eval.ts";
import { pairName } from "./fields.ts";
import { observedFields, runOutcomeKey, sameOutcome, whenFieldSource } from "./observe.ts";
import { scenarioFromValues, scenarioInputs } from "./model-scenario.ts";
import type { Combination, Proof } from "./prove.ts";
import type { Side } from "../sides/side.ts";
import { SymbolicDomain, type SymValue } from "./symbolic/domain.ts";
import { outcomeKey, type SymbolicPath } from "./symbolic/paths.ts";
import type { BvTerm } from "./term/term.ts";
import { searchClasses } from "./sweep-classes.ts";
import { ClassAssignment, randomWords } from "./sweep-fill.ts";

export interface SweepOptions {
  /** Scenarios per input class: the solver's model, then random fills. */
  fills: number;
  strict: boolean;
  progress?: (done: number, total: number) => void;
}

export interface SweepResult {
  scenarios: number;
  classes: number;
  disagreements: string[];
  seconds: number;
  /** Solver queries the sweep made (the proof's are counted apart), on the proof's solver session. */
  queries: number;
  /** Classes found in the exploration's witnesses, with no query. */
  witnessed: number;
  /** Path pairs in all, and those dropped without a query: shown infeasible by the proof, or by contradictory literals. */
  pairs: number;
  pruned: number;
}

export async function sweep(a: Side, b: Side, proof: Proof, o: SweepOptions): Promise<SweepResult> {
  const t0 = performance.now();
  const [ta, tb] = [a.concrete(), b.concrete()];
  const disagreements: string[] = [];
  let scenarios = 0;
  let classes = 0;
  const rand = randomWords(0x5eedn);
  // A combination's scenario inputs, and those of them that are terms: the same for each of its classes.
  const inputsOf = new Map<Combination, { named: { name: string; value: SymValue }[]; terms: { name: string; value: { z: BvTerm } }[] }>();
  const search = await searchClasses(
    proof,
    (c) => {
      classes++;
      const { combo } = c;
      let inputs = inputsOf.get(combo);
      if (inputs === undefined) {
        const named = scenarioInputs(combo);
        inputsOf.set(combo, (inputs = { named, terms: named.filter((n): n is { name: string; value: { z: BvTerm } } => !("c" in n.value)) }));
      }
      const { named, terms } = inputs;
      const at = new ClassAssignment(c.terms, c.at, terms, c.constraint);
      const consistent = atConsistent(combo, at);
      for (let fill = 0; fill < o.fills; fill++) {
        // The model itself first, then random points of the same class.
        const values = fill === 0 ? at.values : at.randomFill(rand, consistent);
        const valueOf = (v: SymValue): bigint => at.value(v, values);
        const s = scenarioFromValues(
          combo,
          named.map((n) => ({ name: n.name, value: valueOf(n.value) })),
          valueOf,
          fill,
        );
        scenarios++;
        const found = compareConcretely(ta, tb, s, c.pa, c.pb, proof, a, b, o.strict, combo, combo.inputs.d);
        if (found) disagreements.push(found);
      }
    },
    o.progress ? { progress: o.progress } : {},
  );
  return {
    scenarios,
    classes,
    disagreements,
    seconds: (performance.now() - t0) / 1000,
    queries: search.queries,
    witnessed: search.witnessed,
    pairs: search.pairs,
    pruned: search.prunedByProof + search.prunedByLiterals,
  };
}

/** A choice of values gives one result per AT operation and VA (the same walk, the same answer). */
function atConsistent(combo: Combination, at: ClassAssignment): (values: readonly bigint[]) => boolean {
  const apps = combo.inputs.atApplications;
  if (apps.length < 2) return () => true;
  return (values) => {
    const seen = new Map<string, bigint>();
    for (const x of apps) {
      const key = `${x.op} ${at.value(x.va, values)}`;
      const par = at.value(x.par, values);
      if ((seen.get(key) ?? par) !== par) return false;
      seen.set(key, par);
    }
    return true;
  };
}

function compareConcretely(
  ta: HandlerTarget,
  tb: HandlerTarget,
  s: Scenario,
  pa: SymbolicPath,
  pb: SymbolicPath,
  proof: Proof,
  a: Side,
  b: Side,
  strict: boolean,
  combo: Combination,
  d: SymbolicDomain,
): string | undefined {
  const opts = { deriveCapabilitiesFromMidr: false };
  const ra = ta.run(s, opts);
  const rb = tb.run(s, opts);
  // Written out only for a disagreement.
  const where = () => JSON.stringify(s, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
  // The symbolic path the class came from must be the one the concrete run took.
  if (!sameOutcome(runOutcomeKey(ra), pa.outcome)) return `${a.label}: concretely ${runOutcomeKey(ra)}, symbolically ${outcomeKey(pa.outcome)} on ${where()}`;
  if (!sameOutcome(runOutcomeKey(rb), pb.outcome)) return `${b.label}: concretely ${runOutcomeKey(rb)}, symbolically ${outcomeKey(pb.outcome)} on ${where()}`;
  if (proof.verdict !== "equivalent") return undefined;
  if (runOutcomeKey(ra) !== runOutcomeKey(rb)) return `proven equivalent, but the outcomes differ (${runOutcomeKey(ra)} vs ${runOutcomeKey(rb)}) on ${where()}`;
  const contract = strict ? undefined : proof.contract;
  const observed = observedFields(contract, runOutcomeKey(ra), proof.fields);
  const input = (reg: string): SymValue => {
    const v = reg === "ESR_EL2" ? s.esr : reg === "FAR_EL2" ? s.far : reg === "HPFAR_EL2" ? (s.hpfar === "unknown" ? 0n : s.hpfar) : reg === "PAR_EL1" ? s.par : (s.sysregs?.[reg] ?? 0n);
    return d.const(v, 64);
  };
  for (const f of observed) {
    if (f.when !== undefined) {
      const field = (n: string, width: number) => {
        const src = whenFieldSource(contract, proof.fields, n);
        return d.const((src.side === "a" ? ra : rb).fault.get(src.field) ?? 0n, width);
      };
      const w = evalBool(f.when, { d, input, caps: new Set(combo.caps), module: contract?.module, field });
      if (!("b" in w) || !w.b) continue;
    }
    if (ra.fault.get(f.pair.a) !== rb.fault.get(f.pair.b)) return `proven equivalent, but field ${pairName(f.pair)} differs on ${where()}`;
  }
  // Registers both sides report (PAR_EL1 always; one written by one side only is compared by the proof).
  for (const reg of [...ra.sysregs.keys()].filter((r) => rb.sysregs.has(r))) {
    if (ra.sysregs.get(reg) !== rb.sysregs.get(reg)) return `proven equivalent, but ${reg} differs on ${where()}`;
  }
  return undefined;
}
