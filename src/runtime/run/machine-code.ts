// What the run targets that execute machine code (AssemblyTarget, FunctionCallTarget) share: the
// interpreter's run with its errors as HandlerRunError, and the ways out of the code that every
// handler has (b __guest_exit, eret, a branch to another routine) as a run result's outcome.
import type { LoadedProgram } from "../asm/program.ts";
import { RunError, runProgram, type RunOutcome, type RunResult as InterpreterResult } from "../machine/interpreter.ts";
import type { Machine } from "../machine/machine.ts";
import { externalHandlerName } from "./outcomes.ts";
import { HandlerRunError, type Outcome, type RunOptions } from "./types.ts";

/** Runs `program` from `entry` on `m`; a run that cannot complete is a HandlerRunError. */
export function runMachineCode(program: LoadedProgram, m: Machine, entry: string, opts: RunOptions): InterpreterResult {
  try {
    return runProgram(program, m, { entry, maxSteps: opts.maxSteps ?? 100_000 });
  } catch (e) {
    if (e instanceof RunError) throw new HandlerRunError(e.message);
    throw e;
  }
}

/** The outcome of leaving through b __guest_exit, eret or a branch to a routine; undefined for ret and brk. */
export function handlerExit(o: RunOutcome, program: LoadedProgram): { outcome: Outcome; exitCode?: bigint } | undefined {
  switch (o.kind) {
    case "guest-exit":
      return { outcome: "exit", exitCode: o.exitCode };
    case "eret":
      return { outcome: "retry" };
    case "handler":
      return { outcome: externalHandlerName(o.name, program.externalNames) };
    default:
      return undefined;
  }
}
