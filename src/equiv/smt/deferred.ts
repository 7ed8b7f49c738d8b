// A session of the default solver for a checker made without one (tests, a minimiser of its
// own): opened on the first check, as openSession chooses (native z3 or cvc5 when on PATH, else
// the embedded z3-solver), assertions kept until then. Its description is known once opened.
import type { BoolTerm, BvTerm } from "../term/term.ts";
import { openSession, solverChoice } from "./backend.ts";
import type { SatResult, SolverModel, SolverSession } from "./session.ts";

export class DeferredSession implements SolverSession {
  private opened: Promise<SolverSession> | undefined;
  private session: SolverSession | undefined;
  /** Assertions and definitions (`name` = `t`) made before the session was opened, in order. */
  private readonly pending: { name?: BoolTerm; t: BoolTerm }[] = [];
  private released = false;

  constructor(private readonly timeoutMs: number) {}

  get backend(): SolverSession["backend"] {
    return this.session?.backend ?? "wasm";
  }

  get description(): string {
    return this.session?.description ?? "the default solver (not yet started)";
  }

  private open(): Promise<SolverSession> {
    this.opened ??= openSession(solverChoice(), this.timeoutMs).then((s) => {
      if (this.released) s.release();
      this.session = s;
      return s;
    });
    return this.opened.then((s) => {
      for (const p of this.pending.splice(0)) {
        if (p.name === undefined) s.assert(p.t);
        else s.define(p.name, p.t);
      }
      return s;
    });
  }

  assert(t: BoolTerm): void {
    if (this.session !== undefined) this.session.assert(t);
    else this.pending.push({ t });
  }

  define(name: BoolTerm, t: BoolTerm): void {
    if (this.session !== undefined) this.session.define(name, t);
    else this.pending.push({ name, t });
  }

  async check(assumptions: readonly BoolTerm[]): Promise<SatResult> {
    return (await this.open()).check(assumptions);
  }

  async checkWithModel(assumptions: readonly BoolTerm[], applications: readonly BvTerm[] | undefined): Promise<{ result: SatResult; model?: SolverModel }> {
    return (await this.open()).checkWithModel(assumptions, applications);
  }

  async model(applications: readonly BvTerm[]): Promise<SolverModel> {
    return (await this.open()).model(applications);
  }

  release(): void {
    this.released = true;
    this.session?.release();
  }
}
