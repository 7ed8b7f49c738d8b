// The embedded back end: one z3-solver (WebAssembly) solver, started on the first check. faultc's
// terms are made into z3-solver's once each (by term, for the process's z3-solver context).
// Every check costs a pthread of Emscripten's, so the fewer checks the better. A check that does
// not come back (a worker thread of the WebAssembly build that died) fails after a watchdog's
// time, as a native solver's does, rather than leaving the proof waiting for ever.
import { TermKind, type BoolTerm, type BvTerm, type Term } from "../term/term.ts";
import { foldTerm } from "../term/fold.ts";
import { z3Context, type Z3Context } from "../z3.ts";
import { SolverFailure } from "./process.ts";
import type { SatResult, SolverModel, SolverSession } from "./session.ts";

type Z3Solver = InstanceType<Z3Context["Solver"]>;
// z3-solver's terms as one type: the operations below are applied to the sorts the terms have.
type Z3Term = any;

const made = new WeakMap<Term, Z3Term>();
const functions = new Map<string, Z3Term>();

/** z3-solver's term of `root`, each subterm made once. */
function toZ3(ctx: Z3Context, root: Term): Z3Term {
  return foldTerm(root, made, (t, args) => make(ctx, t, args));
}

function make(ctx: Z3Context, t: Term, x: Z3Term[]): Z3Term {
  switch (t.kind) {
    case TermKind.Numeral: return ctx.BitVec.val(t.value, t.sort as number);
    case TermKind.BoolLiteral: return ctx.Bool.val(t.op === "true");
    case TermKind.Constant: return t.sort === "bool" ? ctx.Bool.const(t.op) : ctx.BitVec.const(t.op, t.sort);
    case TermKind.Application: {
      let f = functions.get(t.op);
      if (f === undefined) functions.set(t.op, (f = ctx.Function.declare(t.op, ctx.BitVec.sort(t.args[0].sort as number), ctx.BitVec.sort(t.sort as number))));
      return f.call(x[0]);
    }
    case TermKind.Operator: break;
  }
  const [a, b] = x;
  switch (t.op) {
    case "bvadd": return a.add(b);
    case "bvsub": return a.sub(b);
    case "bvmul": return a.mul(b);
    case "bvand": return a.and(b);
    case "bvor": return a.or(b);
    case "bvxor": return a.xor(b);
    case "bvnot": return a.not();
    case "bvshl": return a.shl(b);
    case "bvlshr": return a.lshr(b);
    case "bvashr": return a.shr(b);
    case "=": return a.eq(b);
    case "bvult": return a.ult(b);
    case "bvule": return a.ule(b);
    case "bvugt": return a.ugt(b);
    case "bvslt": return a.slt(b);
    case "bvsle": return a.sle(b);
    case "extract": return a.extract(t.params[0], t.params[1]);
    case "zero_extend": return a.zeroExt(t.params[0]);
    case "sign_extend": return a.signExt(t.params[0]);
    case "concat": return ctx.Concat(...x);
    case "ite": return ctx.If(a, b, x[2]);
    case "and": return ctx.And(...x);
    case "or": return ctx.Or(...x);
    case "not": return ctx.Not(a);
    case "=>": return ctx.Implies(a, b);
    case "at-most": return ctx.AtMost(x as [Z3Term, ...Z3Term[]], t.params[0]);
  }
  throw new Error(`internal: z3-solver is given no term for ${t.op}`);
}

export class WasmSession implements SolverSession {
  readonly backend = "wasm";
  readonly description = "z3-solver (WebAssembly)";
  private opened: Promise<{ ctx: Z3Context; solver: Z3Solver }> | undefined;
  private solver: Z3Solver | undefined;
  /** Assertions not yet given to the solver: given at the next check. */
  private readonly pending: BoolTerm[] = [];
  private released = false;

  constructor(private readonly timeoutMs: number) {}

  private open(): Promise<{ ctx: Z3Context; solver: Z3Solver }> {
    this.opened ??= z3Context().then((ctx) => {
      const solver = new ctx.Solver();
      solver.set("timeout", this.timeoutMs);
      if (this.released) solver.release();
      else this.solver = solver;
      return { ctx, solver };
    });
    return this.opened;
  }

  assert(t: BoolTerm): void {
    this.pending.push(t);
  }

  /** z3-solver's terms are shared in its context: the equation is all there is to it. */
  define(name: BoolTerm, t: BoolTerm): void {
    this.pending.push(name.eq(t) as BoolTerm);
  }

  async check(assumptions: readonly BoolTerm[]): Promise<SatResult> {
    const { ctx, solver } = await this.open();
    for (const t of this.pending.splice(0)) solver.add(toZ3(ctx, t));
    const answer = solver.check(...assumptions.map((a) => toZ3(ctx, a)));
    const watchdogMs = this.timeoutMs * 2 + 30_000;
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SolverFailure(`${this.description} did not answer within ${Math.round(watchdogMs / 1000)} s`)), watchdogMs);
    });
    try {
      return await Promise.race([answer, watchdog]);
    } finally {
      clearTimeout(timer);
    }
  }

  async checkWithModel(assumptions: readonly BoolTerm[], applications: readonly BvTerm[] | undefined): Promise<{ result: SatResult; model?: SolverModel }> {
    const result = await this.check(assumptions);
    return { result, model: result === "sat" && applications !== undefined ? await this.model(applications) : undefined };
  }

  async model(_applications: readonly BvTerm[]): Promise<SolverModel> {
    const { ctx, solver } = await this.open();
    const m = solver.model();
    return { eval: (t: Term, completion?: boolean) => m.eval(toZ3(ctx, t), completion) };
  }

  release(): void {
    this.released = true;
    this.solver?.release();
  }
}
