// The side of an explanation, run on the scenario: a rule file's handler through the IR executor
// (its decision path), checked against the side's own run (the generated C-like variant, or the
// asm-like variant's instructions); any other side (an assembly file, a reference, an object
// function) by its own run with the instructions it executed.
import { pickHandler, recordLayout } from "../sides/rule-file.ts";
import type { Side } from "../sides/side.ts";
import { runResultToJson } from "../runtime/run/json.ts";
import type { Scenario } from "../runtime/scenario/scenario.ts";
import type { SideRun } from "./explanation.ts";
import { rulePath } from "./rule-path.ts";
import { decodeKnownRegister } from "./decoders.ts";

function comparable(r: ReturnType<typeof runResultToJson>): string {
  const { outcome, exit_code, fault, sysregs, par_preserved } = r;
  return JSON.stringify({ outcome, exit_code, fault, sysregs, par_preserved });
}

export function runSide(side: Side, scenario: Scenario): SideRun {
  const own = side.concrete().run(scenario, { trace: true });
  const traced = side.symbolic.kind === "machine-code" ? "instructions" : "calls";
  if (side.name.kind !== "rule-file" || side.module === undefined) return { label: side.label, kind: side.kind, instructions: own.trace, traced, run: own };
  const instructions = side.symbolic.kind === "machine-code" ? own.trace : undefined;
  const h = pickHandler(side.module, side.name.handler, side.name.variant);
  const path = rulePath(side.module, h, scenario, recordLayout(h), decodeKnownRegister);
  // The path is the IR's; the side's own code must have done the same, or the path would explain another run.
  if (comparable(runResultToJson(path.run)) !== comparable(runResultToJson(own))) {
    throw new Error(`the IR's run of ${side.label} differs from the side's own run (${comparable(runResultToJson(path.run))} vs ${comparable(runResultToJson(own))})`);
  }
  return { label: side.label, kind: side.kind, handler: h.name, steps: path.steps, ...(instructions !== undefined ? { instructions, traced } : {}), run: own };
}
