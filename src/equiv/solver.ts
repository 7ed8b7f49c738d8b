// Satisfiability checks for the explorers and the obligations: every check carries the facts
// about the inputs (the PAR format of AT results) and the contract's assumptions. A checker is one
// capability combination's view of a solver session (several share one): its background is
// asserted once, behind a literal of its own, and each condition once, behind a guard literal;
// a check is then a check under assumptions (the checker's literal and the conditions' guards),
// with nothing re-added and nothing popped. Answers are cached, and each satisfiable answer can
// come with a witness: a model that later questions may be decided in without the solver.
import type { BvTerm, BoolTerm, TermContext } from "./term/term.ts";
import type { SatResult, SolverModel, SolverSession } from "./smt/session.ts";
import { DeferredSession } from "./smt/deferred.ts";
import { boolConstant } from "./smt/symbols.ts";
import { INTERNAL_PREFIX } from "./smt/native.ts";
import { DEFAULT_TIMEOUT_MS } from "./smt/backend.ts";

export type { SatResult, SolverModel } from "./smt/session.ts";

/** A model of some conditions and the checker's background as it was (`background` entries of it). */
export interface Witness {
  readonly model: SolverModel;
  background: number;
}

export interface CheckerOptions {
  /** The session to ask (shared with other checkers); by default one of its own, of the default solver (smt/deferred.ts). */
  session?: SolverSession;
  /** The uninterpreted-function applications a model must give values of (the AT results). */
  applications?: () => readonly BvTerm[];
}

/**
 * Answers by question, for every checker of a session: the background's terms and the
 * conditions' (a set of term ids), and for a model the applications it gives values of. The
 * capability combinations of a proof ask the same branch conditions over the same inputs (terms
 * are made once per structure), so one combination's answer is often another's.
 */
type SharedAnswer = { result: SatResult; model?: SolverModel; applications: string };
/** A question asked of the session: its answer once in, and the applications its model gives values of. */
type SharedQuestion = { answer: Promise<SharedAnswer>; applications: string };
const sharedAnswers = new WeakMap<SolverSession, Map<string, SharedQuestion>>();

/**
 * Answers handed over in the order their questions were asked, one per turn of the event loop:
 * each asker then runs on (to its next question, or to its end) before the next answer is
 * handed over. Several checkers of a session may then ask at once (the proof explores its
 * capability combinations side by side, so that the solver answers one while faultc works on
 * another), and what is asked, in what order, is still the same on every run, however the
 * solver's answers arrive; the solver's state, and so its models, with it.
 */
class InOrder {
  private issued = 0;
  private next = 0;
  private readonly ready = new Map<number, () => void>();
  private turning = false;

  take(): number {
    return this.issued++;
  }

  /** Resolves when every earlier ticket has been handed over, in a turn of its own. */
  handOver(ticket: number): Promise<void> {
    return new Promise((resolve) => {
      this.ready.set(ticket, resolve);
      this.turn();
    });
  }

  private turn(): void {
    if (this.turning || !this.ready.has(this.next)) return;
    this.turning = true;
    setImmediate(() => {
      const resolve = this.ready.get(this.next)!;
      this.ready.delete(this.next++);
      this.turning = false;
      resolve();
      this.turn();
    });
  }
}
const deliveries = new WeakMap<SolverSession, InOrder>();

const idSet = (ts: readonly BoolTerm[]): string => [...new Set(ts.map((t) => t.id()))].sort((x, y) => x - y).join(",");

/**
 * How many of the latest witnesses a question is tried in before it is asked. Each miss costs an
 * evaluation in every one of them; in the bundled proofs and the kernel objects' every witness
 * that answered was among the 12 newest, and 16 asks the solver exactly as often as 48 did.
 */
const POOL = 16;

let literals = 0;
/** A fresh Boolean of faultc's own, never an input. */
function freshLiteral(ctx: TermContext, what: string): BoolTerm {
  return boolConstant(ctx, `${INTERNAL_PREFIX}${what}${literals++}`);
}

export class Checker {
  /** Solver calls made, for the report. */
  calls = 0;
  /** Questions answered by another checker's asking them of the session (no solver call). */
  shared = 0;
  readonly session: SolverSession;
  readonly applications: () => readonly BvTerm[];
  private readonly ownSession: boolean;
  private readonly scope: BoolTerm;
  private added = 0;
  /** The background's term ids as a set, and how many entries it was made of. */
  private backgroundKey = { entries: -1, text: "" };
  /** Each condition's guard, by the condition's z3 id (the condition kept, so the id stays its own). */
  private readonly guards = new Map<number, { cond: BoolTerm; guard: BoolTerm }>();
  private readonly answers = new Map<string, { result: SatResult; witness?: Witness }>();
  /** The latest witnesses found, newest last: a question one of them answers is not asked (`reuse`). */
  private readonly pool: Witness[] = [];

  /** `background()` must only ever grow at its end (assumptions first, then axioms as they appear). */
  constructor(
    readonly ctx: TermContext,
    private readonly background: () => BoolTerm[],
    timeoutMs = DEFAULT_TIMEOUT_MS,
    options: CheckerOptions = {},
  ) {
    this.ownSession = options.session === undefined;
    this.session = options.session ?? new DeferredSession(timeoutMs);
    this.applications = options.applications ?? (() => []);
    this.scope = freshLiteral(ctx, "scope");
  }

  /**
   * Whether a question may be asked before the earlier ones are answered: on a native solver,
   * not on z3-solver's build, whose worker has stalled on checks asked together.
   */
  get concurrent(): boolean {
    return this.session.backend !== "wasm";
  }

  private sync(): number {
    const bg = this.background();
    for (; this.added < bg.length; this.added++) this.session.assert(this.ctx.Implies(this.scope, bg[this.added]) as BoolTerm);
    return bg.length;
  }

  private guard(cond: BoolTerm): BoolTerm {
    const id = cond.id();
    let g = this.guards.get(id);
    if (g === undefined) {
      g = { cond, guard: freshLiteral(this.ctx, "g") };
      this.guards.set(id, g);
      // guard = cond rather than guard => cond: the same checks under assumptions, and the
      // guard can then stand for the condition in whatever later text has it as a subterm.
      this.session.define(g.guard, cond);
    }
    return g.guard;
  }

  private async ask(conds: readonly BoolTerm[], wantModel: boolean, reuse = false): Promise<{ result: SatResult; witness?: Witness }> {
    const background = this.sync();
    const guards = [...new Set(conds.map((c) => this.guard(c)))];
    const key = `${background}|${guards.map((g) => g.id()).sort((x, y) => x - y).join(",")}`;
    const known = this.answers.get(key);
    if (known !== undefined && (known.result !== "sat" || !wantModel || known.witness !== undefined)) return known;
    if (reuse) {
      const w = this.known(conds);
      if (w !== undefined) {
        const answer = { result: "sat" as const, witness: w };
        this.answers.set(key, answer);
        return answer;
      }
    }
    const applications = wantModel ? this.applications() : undefined;
    const appsKey = applications === undefined ? "" : idSet(applications);
    const question = `${this.backgroundText()}|${idSet(conds)}`;
    let shared = sharedAnswers.get(this.session);
    if (shared === undefined) sharedAnswers.set(this.session, (shared = new Map()));
    let order = deliveries.get(this.session);
    if (order === undefined) deliveries.set(this.session, (order = new InOrder()));
    const ticket = order.take();
    let result: SatResult;
    let model: SolverModel | undefined;
    try {
      const other = shared.get(question);
      const known = other !== undefined && (!wantModel || other.applications === appsKey) ? await other.answer : undefined;
      if (known !== undefined && (known.result !== "sat" || !wantModel || known.model !== undefined)) {
        this.shared++;
        ({ result, model } = known);
      } else {
        this.calls++;
        const answer = this.session.checkWithModel([this.scope, ...guards], applications).then((r) => ({ ...r, applications: appsKey }));
        shared.set(question, { answer, applications: appsKey });
        ({ result, model } = await answer);
      }
    } finally {
      await order.handOver(ticket);
    }
    const answer = model !== undefined && wantModel ? { result, witness: { model, background } } : { result };
    if (answer.witness !== undefined) {
      this.pool.push(answer.witness);
      if (this.pool.length > POOL) this.pool.shift();
    }
    this.answers.set(key, answer);
    return answer;
  }

  private backgroundText(): string {
    const bg = this.background();
    if (this.backgroundKey.entries !== bg.length) this.backgroundKey = { entries: bg.length, text: idSet(bg) };
    return this.backgroundKey.text;
  }

  /** A witness of the pool that is a model of `conds` (the last ones, a path's newest, tried first) and of the background. */
  private known(conds: readonly BoolTerm[]): Witness | undefined {
    for (let i = this.pool.length - 1; i >= 0; i--) {
      const w = this.pool[i];
      let all = true;
      for (let j = conds.length - 1; j >= 0 && all; j--) all = truth(w.model, conds[j]) === true;
      if (all && this.current(w)) return w;
    }
    return undefined;
  }

  async check(conds: BoolTerm[]): Promise<SatResult> {
    return (await this.ask(conds, false)).result;
  }

  /** A model of `conds` (with the background), or the reason there is none. */
  async model(conds: BoolTerm[], wantModel = true): Promise<{ result: SatResult; model: SolverModel | undefined }> {
    const r = await this.ask(conds, wantModel);
    return { result: r.result, model: r.witness?.model };
  }

  /**
   * Whether `conds` are satisfiable, and a witness when they are. With `reuse`, a witness found
   * for an earlier question that is a model of `conds` answers without the solver (the explorers:
   * any model will do); without, the solver's own model of `conds` is the answer.
   */
  witness(conds: readonly BoolTerm[], reuse = false): Promise<{ result: SatResult; witness?: Witness }> {
    return this.ask(conds, true, reuse);
  }

  /**
   * Whether `w` is still a model of the background: axioms added since it was found are
   * evaluated in it (completed, as a model of what was asserted then, it is one of them too).
   */
  current(w: Witness): boolean {
    const bg = this.background();
    for (let i = w.background; i < bg.length; i++) if (truth(w.model, bg[i]) !== true) return false;
    w.background = bg.length;
    return true;
  }

  /** t's truth in the witness, if the witness is still a model of the background; else undefined. */
  decides(w: Witness, t: BoolTerm): boolean | undefined {
    return this.current(w) ? truth(w.model, t) : undefined;
  }

  /** Frees the solver's memory (a native solver's process) now rather than at garbage collection, if the session is this checker's own. */
  release(): void {
    if (this.ownSession) this.session.release();
  }
}

function truth(m: SolverModel, t: BoolTerm): boolean | undefined {
  let s: string;
  try {
    s = m.eval(t, true).toString();
  } catch {
    return undefined;
  }
  return s === "true" ? true : s === "false" ? false : undefined;
}
