// Satisfiability checks for the explorers and the obligations: every check carries the facts
// about the inputs (the PAR format of AT results) and the contract's assumptions.
import type { Z3Bool, Z3Context } from "./z3.ts";

export type SatResult = "sat" | "unsat" | "unknown";

export class Checker {
  /** Solver calls made, for the report. */
  calls = 0;

  constructor(
    readonly ctx: Z3Context,
    private readonly background: () => Z3Bool[],
    private readonly timeoutMs = 20_000,
  ) {}

  private solver(conds: Z3Bool[]) {
    const s = new this.ctx.Solver();
    s.set("timeout", this.timeoutMs);
    for (const c of this.background()) s.add(c);
    for (const c of conds) s.add(c);
    return s;
  }

  async check(conds: Z3Bool[]): Promise<SatResult> {
    this.calls++;
    const r = await this.solver(conds).check();
    return r;
  }

  /** A model of `conds`, or the reason there is none. */
  async model(conds: Z3Bool[]) {
    this.calls++;
    const s = this.solver(conds);
    const r = await s.check();
    return r === "sat" ? { result: r, model: s.model() } : { result: r, model: undefined };
  }
}
