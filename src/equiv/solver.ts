// Satisfiability checks for the explorers and the obligations: every check carries the facts
// about the inputs (the PAR format of AT results) and the contract's assumptions. One solver per
// capability combination, with the background added as it grows and each question asked in a
// push/pop scope: z3's WebAssembly heap is finite, and a solver per question exhausts it.
import type { Z3Bool, Z3Context } from "./z3.ts";

export type SatResult = "sat" | "unsat" | "unknown";

type Solver = InstanceType<Z3Context["Solver"]>;
type Model = ReturnType<Solver["model"]>;

export class Checker {
  /** Solver calls made, for the report. */
  calls = 0;
  private readonly solver: Solver;
  private added = 0;

  /** `background()` must only ever grow at its end (assumptions first, then axioms as they appear). */
  constructor(
    readonly ctx: Z3Context,
    private readonly background: () => Z3Bool[],
    timeoutMs = 60_000,
  ) {
    this.solver = new ctx.Solver();
    this.solver.set("timeout", timeoutMs);
  }

  private sync(): void {
    const bg = this.background();
    for (; this.added < bg.length; this.added++) this.solver.add(bg[this.added]);
  }

  async check(conds: Z3Bool[]): Promise<SatResult> {
    return (await this.model(conds, false)).result;
  }

  /** A model of `conds` (with the background), or the reason there is none. */
  async model(conds: Z3Bool[], wantModel = true): Promise<{ result: SatResult; model: Model | undefined }> {
    this.calls++;
    this.sync();
    this.solver.push();
    try {
      for (const c of conds) this.solver.add(c);
      const result = await this.solver.check();
      return { result, model: result === "sat" && wantModel ? this.solver.model() : undefined };
    } finally {
      this.solver.pop();
    }
  }

  /** Frees the solver's memory in z3 now rather than at garbage collection. */
  release(): void {
    this.solver.release();
  }
}
