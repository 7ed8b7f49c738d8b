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

/** The solver's time limit per question unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

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

/**
 * Native sessions started ahead of the proof that takes them (startSolver), by choice and time
 * limit: at most one each, taken by the next openSession of the same choice and limit.
 */
const started = new Map<string, Promise<SolverSession>>();

/**
 * Starts a session of `choice` now, for the next openSession of the same choice and time limit:
 * the solver's start-up (its process, its first check) then runs beside whatever comes before
 * the proof (reading the sides). Resolves when it is up. The embedded solver is made on demand,
 * as before: nothing to start for it.
 */
export function startSolver(choice: SolverChoice, timeoutMs: number): Promise<void> {
  if (choice === "wasm") return Promise.resolve();
  const key = `${choice} ${timeoutMs}`;
  let s = started.get(key);
  if (s === undefined) {
    s = newSession(choice, timeoutMs);
    started.set(key, s);
  }
  // If it fails, openSession starts another when the proof asks for one.
  return s.then(
    () => undefined,
    () => undefined,
  );
}

/** A session of the chosen solver: the one startSolver started for this choice and limit, if any, else a new one. */
export function openSession(choice: SolverChoice, timeoutMs: number): Promise<SolverSession> {
  const key = `${choice} ${timeoutMs}`;
  const s = started.get(key);
  if (s === undefined) return newSession(choice, timeoutMs);
  started.delete(key);
  // One that did not start, or whose process has died since, is no session to take: a new one
  // instead (whose own failure, if it fails too, is the one reported).
  return s.then(
    (session) => (session instanceof NativeSession && !session.alive ? newSession(choice, timeoutMs) : session),
    () => newSession(choice, timeoutMs),
  );
}

async function newSession(choice: SolverChoice, timeoutMs: number): Promise<SolverSession> {
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

/**
 * The solver made ready for whatever proves next, for the benches that time a proof apart from
 * the solver's start: a native one started (startSolver, the prover's default time limit), the
 * embedded one's WebAssembly loaded (a session opened, checked once and ended).
 */
export async function warmSolver(choice: SolverChoice = solverChoice(), timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await startSolver(choice, timeoutMs);
  const native = started.get(`${choice} ${timeoutMs}`);
  if (native !== undefined && (await native).backend !== "wasm") return;
  const s = new WasmSession(1000);
  await s.check([]);
  s.release();
}
