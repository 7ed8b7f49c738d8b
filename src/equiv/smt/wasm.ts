// The embedded back end: one z3-solver (WebAssembly) solver. Every check costs a pthread of
// Emscripten's, so the fewer checks the better; terms are the solver's own, nothing is printed.
import type { Z3BitVec, Z3Bool, Z3Context } from "../z3.ts";
import type { SatResult, SolverModel, SolverSession } from "./session.ts";

export class WasmSession implements SolverSession {
  readonly backend = "wasm";
  readonly description = "z3-solver (WebAssembly)";
  private readonly solver;

  constructor(ctx: Z3Context, timeoutMs: number) {
    this.solver = new ctx.Solver();
    this.solver.set("timeout", timeoutMs);
  }

  assert(t: Z3Bool): void {
    this.solver.add(t);
  }

  check(assumptions: readonly Z3Bool[]): Promise<SatResult> {
    return this.solver.check(...assumptions);
  }

  async model(_applications: readonly Z3BitVec[]): Promise<SolverModel> {
    return this.solver.model();
  }

  release(): void {
    this.solver.release();
  }
}
