// A counterexample: the smallest inputs (fewest set bits, then smallest values) that satisfy a
// failed obligation, turned into a scenario of `faultc run` and replayed on both sides with
// traces. The replay must show the difference the proof found; if it does not, the symbolic and
// concrete semantics disagree, which is a bug in faultc and is reported as such.
import type { HandlerTarget, RunResult } from "../runtime/run/types.ts";
import type { Scenario } from "../runtime/scenario/index.ts";
import { numeral, scenarioFromValues, scenarioInputs } from "./model-scenario.ts";
import type { Failure } from "./prove.ts";
import type { Side } from "../sides/side.ts";
import type { SymValue } from "./symbolic/domain.ts";
import { minimalModel } from "./minimize.ts";
import { pairName } from "./fields.ts";
import { runOutcomeKey } from "./observe.ts";
import { runResultToJson } from "../runtime/run/json.ts";
import { SCENARIO_REGISTERS } from "./symbolic/inputs.ts";

export interface Counterexample {
  scenario: Scenario;
  /** The inputs as the minimised model has them, in print order. */
  inputs: { name: string; value: bigint }[];
  /** Inputs besides ESR/FAR/HPFAR/PAR whose value changes neither side's result (not printed). */
  unread: string[];
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
  const named = scenarioInputs(combo);

  const terms = named.map((n) => d.term(n.value));
  const model = await minimalModel(combo.checker, [...combo.assumptions, ...combo.inputs.axioms, ...failure.query], terms, timeoutMs);
  const valueOf = (v: SymValue): bigint => {
    if ("c" in v) return v.c.value;
    return numeral(model.eval(v.z, true).toString());
  };
  const inputs = named.map((n) => ({ name: n.name, value: valueOf(n.value) }));
  const s = scenarioFromValues(combo, inputs, valueOf);

  const [ta, tb] = [a.concrete(), b.concrete()];
  const ra = run(ta, s);
  const rb = run(tb, s);
  const mismatch = reproduces(failure, a, b, ra, rb);
  // An extra input (AT's answer, VTTBR_EL2, ...) is worth printing only if a side's result
  // depends on it: replay with it changed, and leave it out of the report when nothing moves.
  const unread: string[] = [];
  const key = (r: RunResult) => JSON.stringify(runResultToJson({ ...r, trace: [], meta: { ...r.meta, arbitrary: new Map() } }));
  for (const x of inputs) {
    if ((SCENARIO_REGISTERS as readonly string[]).includes(x.name)) continue;
    const other = x.name.startsWith("AT ") ? (x.value & 1n ? 0xff00_0000_0001_0b80n : 0x80fn) : x.value ^ 0x1_0001n;
    const changed = scenarioFromValues(combo, inputs.map((y) => (y === x ? { ...y, value: other } : y)), (v) => {
      const app = combo.inputs.atApplications.find((ap) => ap.par === v);
      return x.name.startsWith("AT ") && app !== undefined ? other : valueOf(v);
    });
    if (key(run(ta, changed)) === key(ra) && key(run(tb, changed)) === key(rb)) unread.push(x.name);
  }
  return { scenario: s, inputs, unread, a: ra, b: rb, reproduced: mismatch === undefined, ...(mismatch ? { mismatch } : {}) };
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
      if (f.field === undefined) return "the report does not name the field";
      const va = ra.fault.get(f.field.a);
      const vb = rb.fault.get(f.field.b);
      if (runOutcomeKey(ra) !== runOutcomeKey(rb)) return `the outcomes differ instead (${runOutcomeKey(ra)} vs ${runOutcomeKey(rb)})`;
      return va !== vb ? undefined : `${pairName(f.field)} is 0x${(va ?? 0n).toString(16)} on both sides`;
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
      return side.gprsRestored === false || side.spRestored === false || side.calleeSavedRestored === false ? undefined : "the registers are restored in the replay";
    }
  }
}

