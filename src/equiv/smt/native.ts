// A native solver (z3 or cvc5) as a back end: faultc's terms (term/term.ts) written as SMT-LIB 2
// (print.ts), the symbols they use declared first (symbols.ts). A model is read back with one
// `(get-value ...)` of the constants declared and the uninterpreted-function applications asked
// for, asked in the same request as the check it is a model of; terms are then evaluated in it by
// faultc (term/evaluate.ts).
import { TermKind, type BoolTerm, type BvTerm, type Term } from "../term/term.ts";
import { evaluateTerm, type Assignment, type TermValue } from "../term/evaluate.ts";
import { TermPrinter } from "./print.ts";
import { literal, valueText, type Value } from "./values.ts";
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
  ) {
    closeOnCollect.register(this, process, this);
    this.printer = new TermPrinter(`${INTERNAL_PREFIX}t`);
  }

  /** Starts `command` as a `kind` solver and waits for its version; a SolverFailure if it does not answer. */
  static async open(kind: NativeKind, command: string, timeoutMs: number): Promise<NativeSession> {
    const p = new SmtProcess(`${kind} (${command})`, command, START[kind].args(timeoutMs), timeoutMs * 2 + 30_000);
    p.send(START[kind].setup(timeoutMs));
    let answer: string;
    try {
      // A first check of nothing: the solver sets up its core on its first check (z3 4.8: about
      // 25 ms), which is then done before the proof asks anything. A plain check-sat, with no
      // symbol and no assumption: z3's later models are the ones it gives without it.
      answer = await p.request("(check-sat)\n(get-info :version)");
    } catch (e) {
      p.close();
      throw e;
    }
    const version = /:version\s+"([^"]*)"/.exec(answer)?.[1] ?? "?";
    return new NativeSession(kind, `${kind} ${version} (native, ${command})`, p);
  }

  /** Whether the solver's process still answers (a session started ahead may have lost it since). */
  get alive(): boolean {
    return this.process.alive;
  }

  /** The text of `t` whole, the symbols it uses declared first. */
  private print(t: BoolTerm | BvTerm): string {
    return this.printer.inline(t, (name) => this.declare(name));
  }

  /** Declares `name` (a symbol of symbols.ts) unless the solver knows it. */
  private declare(name: string): void {
    if (this.seen.has(name)) return;
    this.seen.add(name);
    this.process.send(symbolInfo(name)!.declaration);
    this.declared.push(name);
  }

  assert(t: BoolTerm): void {
    this.process.send(`(assert ${this.print(t)})`);
  }

  define(name: BoolTerm, t: BoolTerm): void {
    this.assert(name.eq(t) as BoolTerm);
    this.printer.alias(t, this.print(name));
  }

  async check(assumptions: readonly BoolTerm[]): Promise<SatResult> {
    return (await this.checkWithModel(assumptions, undefined)).result;
  }

  /**
   * One request for both: the check, and (when `applications` are given) the values a model of
   * it is read from, asked straight after. When the check is not "sat" there is no model, and the
   * solver's error for that get-value is expected and dropped; one round trip instead of two.
   */
  async checkWithModel(assumptions: readonly BoolTerm[], applications: readonly BvTerm[] | undefined): Promise<{ result: SatResult; model?: SolverModel }> {
    const names = assumptions.map((a) => this.print(a));
    const check = `(check-sat-assuming (${names.join(" ")}))`;
    const query = applications === undefined ? undefined : this.valuesQuery(applications);
    if (query?.text === undefined) {
      const result = checkResult(this.description, (await this.process.request(check)).trim());
      return { result, model: result === "sat" && query !== undefined ? query.read("") : undefined };
    }
    const answer = await this.process.request(`${check}\n${query.text}`, { errorExpected: true });
    const eol = answer.indexOf("\n");
    const result = checkResult(this.description, (eol < 0 ? answer : answer.slice(0, eol)).trim());
    if (result !== "sat") return { result };
    const rest = answer.slice(eol + 1);
    const error = /\(error "([^"]*)"\)/.exec(rest);
    if (error) throw new SolverFailure(`${this.description} rejected faultc's input: ${error[1].trim()}`);
    return { result, model: query.read(rest) };
  }

  async model(applications: readonly BvTerm[]): Promise<SolverModel> {
    const query = this.valuesQuery(applications);
    return query.read(query.text === undefined ? "" : await this.process.request(query.text));
  }

  /**
   * The get-value of every input constant declared and of every function application the session
   * has been given (`applications` with them: a model holds what the solver chose for each AT
   * result any assertion names, whoever asks; completion's zero would be no model of them), none
   * if there is nothing to ask; and the model read from its answer.
   */
  private valuesQuery(given: readonly BvTerm[]): { text: string | undefined; read: (answer: string) => SolverModel } {
    for (const a of given) this.print(a);
    const applications = this.printer.applications.slice();
    const consts = this.declared.filter((n) => !n.startsWith(INTERNAL_PREFIX) && symbolInfo(n)!.arity === 0);
    const values = new Map<string, TermValue>();
    const functions = new Map<string, Map<bigint, bigint>>();
    const model: Assignment = { consts: values, functions };
    const asked = [...consts, ...applications.map((a) => this.print(a))];
    if (asked.length === 0) return { text: undefined, read: () => new NativeModel(model) };
    const read = (answer: string): SolverModel => {
      let pairs: Sexpr;
      try {
        pairs = parseSexpr(answer);
      } catch {
        throw new SolverFailure(`${this.description}: unreadable answer to get-value: ${answer.slice(0, 200)}`);
      }
      const value = (i: number): Value => {
        const pair = Array.isArray(pairs) ? pairs[i] : undefined;
        const v = Array.isArray(pair) && pair.length === 2 ? literal(pair[1]) : undefined;
        if (v === undefined) throw new SolverFailure(`${this.description}: unreadable value in get-value's answer: ${JSON.stringify(pair)?.slice(0, 200)}`);
        return v;
      };
      consts.forEach((name, i) => {
        const v = value(i);
        values.set(name, typeof v === "boolean" ? v : v.v);
      });
      // Applications in the order they were made: an argument may itself apply a function made earlier.
      applications.forEach((app, i) => {
        const v = value(consts.length + i);
        if (app.kind !== TermKind.Application || typeof v === "boolean") throw new SolverFailure(`internal: ${this.description}: a value asked of a term that is no bit-vector function application`);
        const at = evaluateTerm(app.args[0], model) as bigint;
        let table = functions.get(app.op);
        if (table === undefined) functions.set(app.op, (table = new Map()));
        table.set(at, v.v);
      });
      return new NativeModel(model);
    };
    return { text: `(get-value (${asked.join(" ")}))`, read };
  }

  release(): void {
    closeOnCollect.unregister(this);
    this.process.close();
  }
}

function checkResult(solver: string, answer: string): SatResult {
  if (answer === "sat" || answer === "unsat" || answer === "unknown") return answer;
  throw new SolverFailure(`${solver}: unexpected answer to check-sat-assuming: ${answer.slice(0, 200)}`);
}

class NativeModel implements SolverModel {
  constructor(private readonly values: Assignment) {}

  private readonly memo = new Map<Term, TermValue>();

  eval(t: Term): { toString(): string } {
    const v = evaluateTerm(t, this.values, this.memo);
    return { toString: () => (typeof v === "boolean" ? String(v) : valueText({ w: t.width, v })) };
  }
}
