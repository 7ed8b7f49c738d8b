// A satisfying assignment of the symbolic inputs as a scenario of `faultc run`: ESR_EL2, FAR_EL2,
// HPFAR_EL2 and PAR_EL1 as such, what AT returned for FAR as {"at":{"par":...}}, every other
// register the handlers read (VTTBR_EL2, the guest's ESR_EL1 under VHE, ...) as "sysregs".
import { AT_OPERATION_NAMES, scenario, type AtOperationName, type Scenario, type ScenarioAt } from "../runtime/scenario/index.ts";
import type { Combination } from "./prove.ts";
import type { SymValue } from "./symbolic/domain.ts";
import { SCENARIO_REGISTERS } from "./symbolic/inputs.ts";

/** Registers fixed by the machine set-up, never part of a scenario. */
const FIXED = new Set(["TPIDR_EL2", "HCR_EL2"]);

/** The inputs a scenario carries (not the guest's GPRs or stack, which the seed fills). */
export function scenarioInputs(combo: Combination): { name: string; value: SymValue }[] {
  const named = combo.inputs.namedInputs().filter((n) => !/^x\d+$/.test(n.name) && !n.name.startsWith("mem_") && !FIXED.has(n.name));
  const order = (n: string) => {
    const i = (SCENARIO_REGISTERS as readonly string[]).indexOf(n);
    return i >= 0 ? i : n.startsWith("AT") ? 10 : 20;
  };
  return named.sort((x, y) => order(x.name) - order(y.name) || (x.name < y.name ? -1 : 1));
}

export function scenarioFromValues(combo: Combination, inputs: { name: string; value: bigint }[], valueOf: (v: SymValue) => bigint, seed = 0): Scenario {
  const get = (name: string) => inputs.find((x) => x.name === name)?.value ?? 0n;
  const far = get("FAR_EL2");
  // What AT answered for FAR, per operation: one PAR, and the operations that answered otherwise.
  const onFar = combo.inputs.atApplications.filter((x) => valueOf(x.va) === far);
  const atOnFar = onFar.length === 0 ? undefined : atAnswers(onFar.map((x) => ({ op: x.op, par: valueOf(x.par) })));
  const sysregs: Record<string, bigint> = {};
  for (const x of inputs) {
    if ((SCENARIO_REGISTERS as readonly string[]).includes(x.name) || x.name.startsWith("AT ")) continue;
    sysregs[x.name] = x.value;
  }
  // Without an AT of FAR, what AT would find there is no input; a FAR no table can map (outside
  // both 48-bit VA ranges) then leaves FAR's page a hole rather than a mapping the machine refuses.
  const canonical = far >> 48n === 0n || far >> 48n === 0xffffn;
  return scenario({
    esr: get("ESR_EL2"),
    far,
    hpfar: get("HPFAR_EL2"),
    par: get("PAR_EL1"),
    ...(atOnFar !== undefined ? { at: atOnFar } : canonical ? {} : { at: "fault" as const }),
    caps: combo.caps,
    sysregs,
    seed,
  });
}

/** The scenario's {"par":...} for AT results on FAR: the first operation's PAR, and each operation that answered another. */
function atAnswers(answers: { op: AtOperationName; par: bigint }[]): ScenarioAt {
  const ordered = [...answers].sort((x, y) => AT_OPERATION_NAMES.indexOf(x.op) - AT_OPERATION_NAMES.indexOf(y.op));
  const par = ordered[0].par;
  const ops = Object.fromEntries(ordered.filter((x) => x.par !== par).map((x) => [x.op, x.par]));
  return Object.keys(ops).length > 0 ? { par, ops } : { par };
}

/** Reads a z3 numeral as a bigint. */
export function numeral(text: string): bigint {
  return BigInt(text.replace(/^#x/, "0x").replace(/^#b/, "0b"));
}
