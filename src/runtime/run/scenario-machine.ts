// The machine every run target runs a scenario on: a copy of its shape's template
// (machineForScenario), with the capabilities MIDR implies unless the run says otherwise.
import { machineForScenario, type ScenarioMetadata } from "../scenario/machine.ts";
import type { Scenario } from "../scenario/scenario.ts";
import type { Machine } from "../machine/machine.ts";
import type { RunOptions } from "./types.ts";

// The two option objects, made once (a run per scenario).
const MIDR_CAPABILITIES = Object.freeze({ deriveCapabilitiesFromMidr: true });
const NO_MIDR_CAPABILITIES = Object.freeze({ deriveCapabilitiesFromMidr: false });

/** The machine of `scenario` for a run with `opts` (a fresh one each call). */
export function runMachine(scenario: Scenario, opts: RunOptions): { machine: Machine; meta: ScenarioMetadata } {
  return machineForScenario(scenario, opts.deriveCapabilitiesFromMidr === false ? NO_MIDR_CAPABILITIES : MIDR_CAPABILITIES);
}
