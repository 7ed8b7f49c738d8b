// Which solver answers the prover's questions: --solver or FAULTC_SOLVER, else "auto": native z3
// when `z3` is on PATH, else native cvc5 when `cvc5` is, else z3-solver's WebAssembly build, which
// ships with faultc. A native solver asked for by name that is not there is an error; one that
// "auto" found but that does not start falls back to the embedded solver.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { NativeSession, type NativeKind } from "./native.ts";
import { SolverFailure } from "./process.ts";
import type { SolverSession } from "./session.ts";
import { WasmSession } from "./wasm.ts";

export const SOLVER_CHOICES = ["auto", "wasm", "z3", "cvc5"] as const;
export type SolverChoice = (typeof SOLVER_CHOICES)[number];

/** A solver named that faultc does not know, or a native one asked for by name that is missing. */
export class SolverChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SolverChoiceError";
  }
}

export function parseSolverChoice(text: string, where: string): SolverChoice {
  if ((SOLVER_CHOICES as readonly string[]).includes(text)) return text as SolverChoice;
  throw new SolverChoiceError(`${where}: unknown solver '${text}' (one of ${SOLVER_CHOICES.join(", ")})`);
}

/** The choice an option gives, else FAULTC_SOLVER's, else "auto". */
export function solverChoice(option?: string): SolverChoice {
  if (option !== undefined) return parseSolverChoice(option, "--solver");
  const env = process.env.FAULTC_SOLVER;
  return env === undefined || env === "" ? "auto" : parseSolverChoice(env, "FAULTC_SOLVER");
}

/** The path of an executable `name` on PATH, if any. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A session of the chosen solver. */
export async function openSession(choice: SolverChoice, timeoutMs: number): Promise<SolverSession> {
  if (choice === "wasm") return new WasmSession(timeoutMs);
  const kinds: NativeKind[] = choice === "auto" ? ["z3", "cvc5"] : [choice];
  for (const kind of kinds) {
    const path = onPath(kind);
    if (path === undefined) {
      if (choice !== "auto") throw new SolverChoiceError(`the solver ${kind} was asked for, but there is no '${kind}' on PATH (--solver wasm uses the embedded z3)`);
      continue;
    }
    try {
      return await NativeSession.open(kind, kind, timeoutMs);
    } catch (e) {
      if (!(e instanceof SolverFailure) || choice !== "auto") throw e;
    }
  }
  return new WasmSession(timeoutMs);
}

/** Starts the chosen solver once and ends it: the embedded one's WebAssembly is then loaded, for whatever proves next (the benches time a proof apart from it). */
export async function warmSolver(choice: SolverChoice = solverChoice()): Promise<void> {
  const s = await openSession(choice, 1000);
  await s.check([]);
  s.release();
}
