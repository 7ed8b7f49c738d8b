// Terms as SMT-LIB 2 text for a native solver. Each compound subterm is named faultc.tN once per
// session, the first time it is printed; a term is then written with a `let` for each compound
// subterm it reaches (children first). Not `define-fun`: z3 carries every definition into every
// model, and reading a model then costs ten times the checks. A Boolean the solver has been told
// equals a term (`alias`: a checker's guard and its condition) is written for that term: a
// condition's text goes to the solver once, whatever later question has it as a subterm.
// (Bit-vector subterms are not named so: z3 4.8 with an equation per bit-vector subterm took
// about 70 times as long over a proof's questions.)
import { TermKind, type Term } from "../term/term.ts";
import { symbolInfo } from "./symbols.ts";
import { foldTerm } from "../term/fold.ts";

/** A numeral as z3 prints one: (_ bvV W). */
function numeralText(t: Term): string {
  return `(_ bv${t.value} ${t.sort})`;
}

/** A term's operator: its name, or (_ name i ...) with its indices. */
function operatorOf(t: Term): string {
  return t.params.length === 0 ? t.op : `(_ ${t.op} ${t.params.join(" ")})`;
}

export class TermPrinter {
  /** By term: a leaf's text, or the name of a compound subterm's definition (the map keeps the terms, so their names stay theirs). */
  private readonly texts = new Map<Term, string>();
  /** Each compound subterm's body and the compound subterms it names. */
  private readonly bodies = new Map<string, { body: string; uses: string[]; symbols: string[] }>();
  private next = 0;
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

  /**
   * From now on `t` is written `name` (a constant the solver was told equals it): a term that
   * has `t` as a subterm names it rather than binding its body again.
   */
  alias(t: Term, name: string): void {
    this.texts.set(t, name);
  }

  /** The name of `t`: a compound subterm's name, a constant's name or a literal. */
  text(t: Term): string {
    return foldTerm(t, this.texts, (u, args) => this.name(u, args));
  }

  /** A leaf's text; a compound subterm's body kept under a new name, which is its text. */
  private name(t: Term, args: string[]): string {
    if (t.kind === TermKind.Numeral) return numeralText(t);
    if (t.kind === TermKind.BoolLiteral || t.kind === TermKind.Constant) return t.op;
    const name = `${this.prefix}${this.next++}`;
    if (t.kind === TermKind.Application) this.applications.push(t);
    const symbols = t.kind === TermKind.Application ? [t.op] : [];
    for (const a of args) if (symbolInfo(a) !== undefined) symbols.push(a);
    this.bodies.set(name, { body: `(${operatorOf(t)} ${args.join(" ")})`, uses: args.filter((a) => this.bodies.has(a)), symbols });
    return name;
  }
}
