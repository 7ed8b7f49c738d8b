// The sweep: every input class the two sides' branch conditions distinguish (each feasible pair
// of paths, one per capability combination) is run concretely on both sides, with random fill
// of the bits the class leaves free. It cross-checks the proof (a proven-equivalent pair must
// agree on every scenario) and the symbolic semantics (each side must take, concretely, the
// path the class was drawn from). A disagreement is a bug in faultc and is reported loudly.
import type { HandlerTarget } from "../runtime/run/types.ts";
import type { Scenario } from "../runtime/scenario/index.ts";
import { evalBool } from "../codegen/ir/eval.ts";
import { pairName } from "./fields.ts";
import { observedFields, runOutcomeKey, sameOutcome, whenFieldSource } from "./observe.ts";
import { numeral, scenarioFromValues, scenarioInputs } from "./model-scenario.ts";
import type { Combination, Proof } from "./prove.ts";
import type { Side } from "../sides/side.ts";
import { SymbolicDomain, type SymValue } from "./symbolic/domain.ts";
import { outcomeKey, type SymbolicPath } from "./symbolic/paths.ts";
import type { Z3Bool } from "./z3.ts";

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
}

/** Deterministic PRNG (splitmix-like over bigint) for the random fills. */
function* randomWords(seed: bigint): Generator<bigint> {
  let x = seed;
  const M = (1n << 64n) - 1n;
  for (;;) {
    x = (x + 0x9e3779b97f4a7c15n) & M;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    yield z ^ (z >> 31n);
  }
}

export async function sweep(a: Side, b: Side, proof: Proof, o: SweepOptions): Promise<SweepResult> {
  const t0 = performance.now();
  const [ta, tb] = [a.concrete(), b.concrete()];
  const disagreements: string[] = [];
  let scenarios = 0;
  let classes = 0;
  const rand = randomWords(0x5eedn);
  const pairs: { combo: Combination; pa: SymbolicPath; pb: SymbolicPath }[] = [];
  for (const combo of proof.combos) for (const pa of combo.pathsA) for (const pb of combo.pathsB) pairs.push({ combo, pa, pb });

  let done = 0;
  for (const { combo, pa, pb } of pairs) {
    o.progress?.(done++, pairs.length);
    const d = combo.inputs.d;
    const query = [...pa.conds, ...pb.conds];
    const base = await combo.checker.model(query);
    if (base.model === undefined) continue;
    classes++;
    const named = scenarioInputs(combo);
    for (let fill = 0; fill < o.fills; fill++) {
      let model = base.model;
      if (fill > 0) {
        // Random fill: ask for the class with some bits of each input set at random; fewer if that fails.
        for (const share of [2n, 4n, 16n]) {
          const hints: Z3Bool[] = [];
          for (const n of named) {
            if ("c" in n.value) continue;
            const r = rand.next().value as bigint;
            const mask = (rand.next().value as bigint) & (rand.next().value as bigint) & (share <= 2n ? (1n << 64n) - 1n : rand.next().value as bigint);
            const t = d.term(n.value);
            const w = BigInt(t.sort.size());
            const m = mask & ((1n << w) - 1n);
            hints.push(t.and(d.ctx.BitVec.val(m, Number(w))).eq(d.ctx.BitVec.val(r & m, Number(w))) as Z3Bool);
          }
          const attempt = await combo.checker.model([...query, ...hints]);
          if (attempt.model !== undefined) {
            model = attempt.model;
            break;
          }
        }
      }
      const valueOf = (v: SymValue): bigint => ("c" in v ? v.c.value : numeral(model.eval(v.z, true).toString()));
      const s = scenarioFromValues(
        combo,
        named.map((n) => ({ name: n.name, value: valueOf(n.value) })),
        valueOf,
        fill,
      );
      scenarios++;
      const found = compareConcretely(ta, tb, s, pa, pb, proof, a, b, o.strict, combo, d);
      if (found) disagreements.push(found);
    }
  }
  o.progress?.(pairs.length, pairs.length);
  return { scenarios, classes, disagreements, seconds: (performance.now() - t0) / 1000 };
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
  const where = JSON.stringify(s, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
  // The symbolic path the class came from must be the one the concrete run took.
  if (!sameOutcome(runOutcomeKey(ra), pa.outcome)) return `${a.label}: concretely ${runOutcomeKey(ra)}, symbolically ${outcomeKey(pa.outcome)} on ${where}`;
  if (!sameOutcome(runOutcomeKey(rb), pb.outcome)) return `${b.label}: concretely ${runOutcomeKey(rb)}, symbolically ${outcomeKey(pb.outcome)} on ${where}`;
  if (proof.verdict !== "equivalent") return undefined;
  if (runOutcomeKey(ra) !== runOutcomeKey(rb)) return `proven equivalent, but the outcomes differ (${runOutcomeKey(ra)} vs ${runOutcomeKey(rb)}) on ${where}`;
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
    if (ra.fault.get(f.pair.a) !== rb.fault.get(f.pair.b)) return `proven equivalent, but field ${pairName(f.pair)} differs on ${where}`;
  }
  // Registers both sides report (PAR_EL1 always; one written by one side only is compared by the proof).
  for (const reg of [...ra.sysregs.keys()].filter((r) => rb.sysregs.has(r))) {
    if (ra.sysregs.get(reg) !== rb.sysregs.get(reg)) return `proven equivalent, but ${reg} differs on ${where}`;
  }
  return undefined;
}
