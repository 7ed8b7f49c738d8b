// Terms as SMT-LIB 2 text for a native solver. Each compound subterm is named faultc.tN once per
// session, the first time it is printed; a term is then written with a `let` for each compound
// subterm it reaches (children first). Not `define-fun`: z3 carries every definition into every
// model, and reading a model then costs ten times the checks.
import { TermKind, type Term } from "../term/term.ts";
import { symbolInfo } from "./symbols.ts";

/** A numeral as z3 prints one: (_ bvV W). */
function numeralText(t: Term): string {
  return `(_ bv${t.value} ${t.sort})`;
}

/** A term's operator: its name, or (_ name i ...) with its indices. */
function operatorOf(t: Term): string {
  return t.params.length === 0 ? t.op : `(_ ${t.op} ${t.params.join(" ")})`;
}

export class TermPrinter {
  /** By term id: a leaf's text, or the name of a compound subterm's definition. */
  private readonly texts = new Map<number, string>();
  /** Each compound subterm's body and the compound subterms it names. */
  private readonly bodies = new Map<string, { body: string; uses: string[]; symbols: string[] }>();
  private next = 0;
  /** Terms printed, kept so that their ids stay theirs. */
  private readonly kept: Term[] = [];
  /** Every uninterpreted-function application printed, inner ones before those applied to them. */
  readonly applications: Term[] = [];

  constructor(private readonly prefix: string) {}

  /**
   * `t` whole: its name bound by `let`s of every compound subterm it reaches, children first.
   * `symbol` is told each constant and function the text names (some more than once).
   */
  inline(t: Term, symbol: (name: string) => void = () => undefined): string {
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
  text(t: Term): string {
    const known = this.texts.get(t.id());
    if (known !== undefined) return known;
    this.kept.push(t);
    return this.walk(t);
  }

  private walk(root: Term): string {
    // Iterative post-order: terms thousands deep must not overflow the stack.
    const stack: { t: Term; pending: boolean }[] = [{ t: root, pending: false }];
    let last = "";
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const t = top.t;
      const seen = this.texts.get(t.id());
      if (seen !== undefined) {
        stack.pop();
        last = seen;
        continue;
      }
      if (t.kind === TermKind.Numeral || t.kind === TermKind.BoolLiteral || t.kind === TermKind.Constant) {
        const text = t.kind === TermKind.Numeral ? numeralText(t) : t.op;
        this.texts.set(t.id(), text);
        stack.pop();
        last = text;
        continue;
      }
      if (!top.pending) {
        top.pending = true;
        let waiting = false;
        for (const a of t.args)
          if (!this.texts.has(a.id())) {
            stack.push({ t: a, pending: false });
            waiting = true;
          }
        if (waiting) continue;
      }
      const op = operatorOf(t);
      const args = t.args.map((a) => this.texts.get(a.id())!);
      const name = `${this.prefix}${this.next++}`;
      if (t.kind === TermKind.Application) this.applications.push(t);
      const symbols = t.kind === TermKind.Application ? [t.op] : [];
      for (const a of args) if (symbolInfo(a) !== undefined) symbols.push(a);
      this.bodies.set(name, { body: `(${op} ${args.join(" ")})`, uses: args.filter((a) => this.bodies.has(a)), symbols });
      this.texts.set(t.id(), name);
      this.kept.push(t);
      stack.pop();
      last = name;
    }
    return last;
  }
}
