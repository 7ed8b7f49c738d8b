// A native solver (z3 or cvc5) as a back end: terms are built with z3-solver's API as everywhere
// else and written as SMT-LIB 2 (each distinct subterm defined once and named after, print.ts), with
// the symbols they use declared first (symbols.ts).
// A model is read back with one
// `(get-value ...)` of the constants declared and the uninterpreted-function applications named,
// and terms are evaluated in it by evaluate.ts.
import type { Z3BitVec, Z3Bool, Z3Context, Z3Low } from "../z3.ts";
import { TermPrinter } from "./print.ts";
import { evaluate, literal, valueText, type ModelValues, type Value } from "./evaluate.ts";
import { SmtProcess, SolverFailure } from "./process.ts";
import { parseSexpr, type Sexpr } from "./sexpr.ts";
import type { SatResult, SolverModel, SolverSession } from "./session.ts";
import { symbolInfo } from "./symbols.ts";

export type NativeKind = "z3" | "cvc5";

/** How each native solver is started and set up: models on, a time limit per check. */
const START: Record<NativeKind, { args: (timeoutMs: number) => string[]; setup: (timeoutMs: number) => string }> = {
  z3: { args: () => ["-in"], setup: (ms) => `(set-option :produce-models true)\n(set-option :timeout ${ms})` },
  cvc5: { args: (ms) => ["--incremental", "--lang", "smt2", "--produce-models", `--tlimit-per=${ms}`], setup: () => "(set-logic QF_UFBV)" },
};

/** Symbols faultc makes for its own bookkeeping (guard literals): never asked for in a model. */
export const INTERNAL_PREFIX = "faultc.";

const closeOnCollect = new FinalizationRegistry<SmtProcess>((p) => p.close());

export class NativeSession implements SolverSession {
  private readonly printer: TermPrinter;
  /** Symbols declared in the solver, in order. */
  private readonly declared: string[] = [];
  /** Every symbol declared. */
  private readonly seen = new Set<string>();

  private constructor(
    readonly backend: NativeKind,
    readonly description: string,
    private readonly process: SmtProcess,
    z3: Z3Low,
    ctx: Z3Context,
  ) {
    closeOnCollect.register(this, process, this);
    this.printer = new TermPrinter(z3, ctx, `${INTERNAL_PREFIX}t`);
  }

  /** Starts `command` as a `kind` solver and waits for its version; a SolverFailure if it does not answer. */
  static async open(kind: NativeKind, command: string, timeoutMs: number, z3: Z3Low, ctx: Z3Context): Promise<NativeSession> {
    const p = new SmtProcess(`${kind} (${command})`, command, START[kind].args(timeoutMs), timeoutMs * 2 + 30_000);
    p.send(START[kind].setup(timeoutMs));
    let answer: string;
    try {
      answer = await p.request("(get-info :version)");
    } catch (e) {
      p.close();
      throw e;
    }
    const version = /:version\s+"([^"]*)"/.exec(answer)?.[1] ?? "?";
    return new NativeSession(kind, `${kind} ${version} (native, ${command})`, p, z3, ctx);
  }

  /** The text of `t` whole, the symbols it uses declared first. */
  private print(t: Z3Bool | Z3BitVec): string {
    return this.printer.inline(t, (name) => this.declare(name));
  }

  /** Declares `name` (a symbol of symbols.ts) unless the solver knows it. */
  private declare(name: string): void {
    if (this.seen.has(name)) return;
    this.seen.add(name);
    this.process.send(symbolInfo(name)!.declaration);
    this.declared.push(name);
  }

  /** `t` as an s-expression over the printer's definitions. */
  tree(t: Z3Bool | Z3BitVec): Sexpr {
    return this.printer.text(t);
  }

  get definitions(): ReadonlyMap<string, Sexpr> {
    return this.printer.definitions;
  }

  assert(t: Z3Bool): void {
    this.process.send(`(assert ${this.print(t)})`);
  }

  async check(assumptions: readonly Z3Bool[]): Promise<SatResult> {
    const names = assumptions.map((a) => this.print(a));
    const answer = (await this.process.request(`(check-sat-assuming (${names.join(" ")}))`)).trim();
    if (answer === "sat" || answer === "unsat" || answer === "unknown") return answer;
    throw new SolverFailure(`${this.description}: unexpected answer to check-sat-assuming: ${answer.slice(0, 200)}`);
  }

  async model(applications: readonly Z3BitVec[]): Promise<SolverModel> {
    const consts = this.declared.filter((n) => !n.startsWith(INTERNAL_PREFIX) && symbolInfo(n)!.arity === 0);
    const apps = applications.map((a) => this.printer.text(a));
    const values = new Map<string, Value>();
    const functions = new Map<string, Map<bigint, bigint>>();
    const model: ModelValues = { consts: values, functions, sortOf: (n) => symbolInfo(n)?.sort, definitions: this.printer.definitions };
    const asked = [...consts, ...applications.map((a) => this.print(a))];
    if (asked.length === 0) return new NativeModel(this, model);
    const answer = await this.process.request(`(get-value (${asked.join(" ")}))`);
    let pairs: Sexpr;
    try {
      pairs = parseSexpr(answer);
    } catch {
      throw new SolverFailure(`${this.description}: unreadable answer to get-value: ${answer.slice(0, 200)}`);
    }
    const read = (i: number): Value => {
      const pair = Array.isArray(pairs) ? pairs[i] : undefined;
      const v = Array.isArray(pair) && pair.length === 2 ? literal(pair[1]) : undefined;
      if (v === undefined) throw new SolverFailure(`${this.description}: unreadable value in get-value's answer: ${JSON.stringify(pair)?.slice(0, 200)}`);
      return v;
    };
    consts.forEach((name, i) => values.set(name, read(i)));
    // Applications in the order they were made: an argument may itself apply a function made earlier.
    apps.forEach((app, i) => {
      const { fn, arg, env } = application(this.printer.definitions.get(app) ?? app);
      const at = evaluate(arg, model, env);
      const v = read(consts.length + i);
      if (typeof at === "boolean" || typeof v === "boolean") throw new SolverFailure(`${this.description}: an application of ${fn} that is not bit-vector to bit-vector`);
      let table = functions.get(fn);
      if (table === undefined) functions.set(fn, (table = new Map()));
      table.set(at.v, v.v);
    });
    return new NativeModel(this, model);
  }

  release(): void {
    closeOnCollect.unregister(this);
    this.process.close();
  }
}

/** The function and argument of an application term as printed, its `let`s evaluated lazily by the caller. */
function application(tree: Sexpr): { fn: string; arg: Sexpr; env: Map<string, Value> } {
  // z3 prints a shared argument as (let ((a!1 ...)) (f a!1)): the body applies the function.
  const lets: Sexpr[][] = [];
  let t = tree;
  while (Array.isArray(t) && t[0] === "let") {
    lets.push(t[1] as Sexpr[]);
    t = t[2];
  }
  if (!Array.isArray(t) || t.length !== 2 || typeof t[0] !== "string") throw new SolverFailure(`internal: not a function application: ${JSON.stringify(tree).slice(0, 200)}`);
  const arg = lets.reduceRight<Sexpr>((body, bindings) => ["let", bindings, body], t[1]);
  return { fn: t[0], arg, env: new Map() };
}

class NativeModel implements SolverModel {
  constructor(
    private readonly session: NativeSession,
    private readonly values: ModelValues,
  ) {}

  private readonly memo = new Map<string, Value>();

  eval(t: Z3Bool | Z3BitVec): { toString(): string } {
    const v = evaluate(this.session.tree(t), { ...this.values, memo: this.memo });
    return { toString: () => valueText(v) };
  }
}
