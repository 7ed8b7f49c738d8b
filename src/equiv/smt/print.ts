// z3 terms as SMT-LIB 2 text for a native solver. Each distinct subterm is read out of z3 once
// per session (z3's own printing, `.sexpr()`, walks and formats every term whole, every time) and
// named faultc.tN; a term is then written with a `let` for each compound subterm it reaches
// (children first), from what was read. Not `define-fun`: z3 carries every definition into every
// model, and reading a model then costs ten times the checks. The subterms are kept, read
// (sexpr.ts), for evaluating terms in a model.
import type { Z3BitVec, Z3Bool, Z3Context, Z3Low } from "../z3.ts";
import { parseSexpr, type Sexpr } from "./sexpr.ts";
import { symbolInfo } from "./symbols.ts";

const NUMERAL = 0;
const APP = 1;
const BV_SORT = 4;

/** z3's names of operators whose SMT-LIB name differs. */
const RENAMED: Record<string, string> = { if: "ite", iff: "=", implies: "=>" };

export class TermPrinter {
  /** By z3 id: a leaf's text, or the name of a compound subterm's definition. */
  private readonly texts = new Map<number, string>();
  /** Each compound subterm by name, read. */
  readonly definitions = new Map<string, Sexpr>();
  /** Each compound subterm's body and the compound subterms it names. */
  private readonly bodies = new Map<string, { body: string; uses: string[]; symbols: string[] }>();
  private next = 0;
  /** Terms printed, kept so that their ids stay theirs. */
  private readonly kept: unknown[] = [];

  constructor(
    private readonly z3: Z3Low,
    private readonly ctx: Z3Context,
    private readonly prefix: string,
  ) {}

  /**
   * `t` whole: its name bound by `let`s of every compound subterm it reaches, children first.
   * `symbol` is told each constant and function the text names (some more than once).
   */
  inline(t: Z3Bool | Z3BitVec, symbol: (name: string) => void = () => undefined): string {
    const name = this.text(t);
    if (!this.bodies.has(name)) {
      if (symbolInfo(name) !== undefined) symbol(name);
      return name;
    }
    const order: string[] = [];
    const seen = new Set<string>();
    const stack: { name: string; next: number }[] = [{ name, next: 0 }];
    seen.add(name);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const uses = this.bodies.get(top.name)!.uses;
      if (top.next < uses.length) {
        const u = uses[top.next++];
        if (!seen.has(u)) {
          seen.add(u);
          stack.push({ name: u, next: 0 });
        }
        continue;
      }
      order.push(top.name);
      for (const s of this.bodies.get(top.name)!.symbols) symbol(s);
      stack.pop();
    }
    let text = "";
    for (const n of order) text += `(let ((${n} ${this.bodies.get(n)!.body})) `;
    return `${text}${name}${")".repeat(order.length)}`;
  }

  /** The name of `t`: a compound subterm's name, a constant's name or a literal. */
  text(t: Z3Bool | Z3BitVec): string {
    const known = this.texts.get(t.id());
    if (known !== undefined) return known;
    this.kept.push(t);
    return this.walk(t.ast as never);
  }

  private walk(root: never): string {
    const z = this.z3;
    const c = this.ctx.ptr;
    // Iterative post-order: terms thousands deep must not overflow the stack.
    const stack: { ast: never; id: number; args?: never[] }[] = [{ ast: root, id: z.get_ast_id(c, root) }];
    let last = "";
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const seen = this.texts.get(top.id);
      if (seen !== undefined) {
        stack.pop();
        last = seen;
        continue;
      }
      const kind = z.get_ast_kind(c, top.ast) as number;
      if (kind === NUMERAL) {
        const sort = z.get_sort(c, top.ast);
        if ((z.get_sort_kind(c, sort) as number) !== BV_SORT) throw new Error("internal: a numeral that is not a bit-vector cannot be printed");
        const width = z.get_bv_sort_size(c, sort);
        const text = `(_ bv${z.get_numeral_string(c, top.ast)} ${width})`;
        this.texts.set(top.id, text);
        continue;
      }
      if (kind !== APP) throw new Error(`internal: a term of kind ${kind} cannot be printed`);
      const app = z.to_app(c, top.ast);
      if (top.args === undefined) {
        const n = z.get_app_num_args(c, app);
        top.args = Array.from({ length: n }, (_, i) => z.get_app_arg(c, app, i) as never);
        let pending = false;
        for (const a of top.args) {
          const id = z.get_ast_id(c, a);
          if (!this.texts.has(id)) {
            stack.push({ ast: a, id });
            pending = true;
          }
        }
        if (pending) continue;
      }
      const decl = z.get_app_decl(c, app);
      const raw = z.get_symbol_string(c, z.get_decl_name(c, decl));
      const name = RENAMED[raw] ?? raw;
      const params = z.get_decl_num_parameters(c, decl);
      const op = params === 0 ? name : `(_ ${name} ${Array.from({ length: params }, (_, i) => z.get_decl_int_parameter(c, decl, i)).join(" ")})`;
      let text: string;
      if (top.args.length === 0) text = op;
      else {
        const args = top.args.map((a) => this.texts.get(z.get_ast_id(c, a))!);
        const body = `(${op} ${args.join(" ")})`;
        text = `${this.prefix}${this.next++}`;
        const symbols = [name, ...args].filter((a) => symbolInfo(a) !== undefined);
        this.bodies.set(text, { body, uses: args.filter((a) => this.bodies.has(a)), symbols });
        this.definitions.set(text, parseSexpr(body));
      }
      this.texts.set(top.id, text);
      stack.pop();
      last = text;
    }
    return last;
  }
}
