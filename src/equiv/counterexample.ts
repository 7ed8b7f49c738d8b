// A counterexample: the smallest inputs (fewest set bits, then smallest values) that satisfy a
// failed obligation, turned into a scenario of `faultc run` and replayed on both sides with
// traces. The replay must show the difference the proof found; if it does not, the symbolic and
// concrete semantics disagree, which is a bug in faultc and is reported as such.
import type { HandlerTarget, RunResult } from "../runtime/run/types.ts";
import type { Scenario } from "../runtime/scenario/index.ts";
import { numeral, scenarioFromValues, scenarioInputs } from "./model-scenario.ts";
import type { Failure } from "./prove.ts";
import type { Side } from "./sides.ts";
import type { SymValue } from "./symbolic/domain.ts";
import { minimalModel } from "./minimize.ts";
import { runOutcomeKey } from "./observe.ts";

export interface Counterexample {
  scenario: Scenario;
  /** The inputs as the minimised model has them, in print order. */
  inputs: { name: string; value: bigint }[];
  a: RunResult;
  b: RunResult;
  /** The replay on the concrete model shows the difference the proof found. */
  reproduced: boolean;
  /** Why not, when it does not. */
  mismatch?: string;
}


export async function buildCounterexample(failure: Failure, a: Side, b: Side, timeoutMs = 30_000): Promise<Counterexample> {
  const { combo } = failure;
  const d = combo.inputs.d;
  const ctx = d.ctx;
  const named = scenarioInputs(combo);

  const terms = named.map((n) => d.term(n.value));
  const model = await minimalModel(ctx, [...combo.assumptions, ...combo.inputs.axioms, ...failure.query], terms, timeoutMs);
  const valueOf = (v: SymValue): bigint => {
    if ("c" in v) return v.c.value;
    return numeral(model.eval(v.z, true).toString());
  };
  const inputs = named.map((n) => ({ name: n.name, value: valueOf(n.value) }));
  const s = scenarioFromValues(combo, inputs, valueOf);

  const [ta, tb] = [await a.target(), await b.target()];
  const ra = run(ta, s);
  const rb = run(tb, s);
  const mismatch = reproduces(failure, a, b, ra, rb);
  return { scenario: s, inputs, a: ra, b: rb, reproduced: mismatch === undefined, ...(mismatch ? { mismatch } : {}) };
}

function run(t: HandlerTarget, s: Scenario): RunResult {
  return t.run(s, { trace: true, deriveCapabilitiesFromMidr: false });
}

/** undefined when the concrete results differ as the failed obligation says; else why not. */
function reproduces(f: Failure, a: Side, b: Side, ra: RunResult, rb: RunResult): string | undefined {
  switch (f.obligation.id) {
    case 1:
      return runOutcomeKey(ra) !== runOutcomeKey(rb) ? undefined : `both sides ${runOutcomeKey(ra)}`;
    case 2: {
      const name = /^field (\S+)/.exec(f.what)?.[1] ?? "";
      const va = ra.fault.get(name);
      const vb = rb.fault.get(name);
      if (runOutcomeKey(ra) !== runOutcomeKey(rb)) return `the outcomes differ instead (${runOutcomeKey(ra)} vs ${runOutcomeKey(rb)})`;
      return va !== vb ? undefined : `${name} is 0x${(va ?? 0n).toString(16)} on both sides`;
    }
    case 3: {
      const reg = /^(\S+) after/.exec(f.what)?.[1] ?? "";
      const va = ra.sysregs.get(reg);
      const vb = rb.sysregs.get(reg);
      return va !== vb ? undefined : `${reg} is the same on both sides`;
    }
    case 4: {
      const side = f.what.startsWith(a.label) ? ra : f.what.startsWith(b.label) ? rb : undefined;
      if (side === undefined) return "the report does not name the side";
      return side.gprsRestored === false || side.spRestored === false ? undefined : "the registers are restored in the replay";
    }
  }
}

