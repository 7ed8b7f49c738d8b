// AST nodes from tokens: ranges, names, literals, and the expression tree built by precedence.
// The grammar (grammar.ts) calls these as it recognises each construct, so no concrete syntax
// tree is ever held in memory. A node's range runs from the first to the last token it was
// built from; a binary expression's runs from its left to its right operand.
import type { IToken } from "chevrotain";
import type * as A from "./ast.ts";
import { MEMBERSHIP_PRECEDENCE, precedenceOf } from "./precedence.ts";
import type { SourceText } from "./source.ts";
import { tokenEnd } from "./tokens.ts";

/** One element of an expression as the grammar reads it, left to right. */
export type ChainItem =
  | { kind: "operand"; expr: A.Expr; /** offset of its first token, a `(` included */ start: number }
  | { kind: "operator"; token: IToken }
  | { kind: "membership"; negated: boolean; set: A.SetExpr };

/** An operand on the precedence stack, with the offset of its first token. */
interface Operand {
  expr: A.Expr;
  start: number;
}

export class AstBuilder {
  constructor(readonly src: SourceText) {}

  // ------------------------------------------------------------ ranges, names, literals

  range(startOffset: number, endOffset: number): A.Range {
    return this.src.range(startOffset, endOffset);
  }
  /** From the start of `first` to the end of `last`. */
  tokens(first: IToken, last: IToken): A.Range {
    return this.src.range(first.startOffset, tokenEnd(last));
  }
  token(t: IToken): A.Range {
    return this.tokens(t, t);
  }
  span(a: A.Range, b: A.Range): A.Range {
    return { start: a.start, end: b.end };
  }
  name(t: IToken): A.Name {
    return { text: t.image, range: this.token(t) };
  }
  intLiteral(t: IToken): A.IntLiteral {
    return { kind: "int", value: intValue(t.image), text: t.image, range: this.token(t) };
  }
  /** Small integers (widths, bit positions, levels). Huge ones saturate and are rejected by the checker. */
  smallInt(t: IToken): A.SignedInt {
    return { value: saturate(intValue(t.image)), range: this.token(t) };
  }
  signedInt(minus: IToken | undefined, literal: IToken): A.SignedInt {
    const magnitude = saturate(intValue(literal.image));
    return { value: minus === undefined ? magnitude : -magnitude, range: this.tokens(minus ?? literal, literal) };
  }
  stringValue(t: IToken): A.StringValue {
    return { value: t.image.slice(1, -1).replace(/\\(["\\])/g, "$1"), range: this.token(t) };
  }

  // ------------------------------------------------------------ expressions

  /**
   * `prefixes` applied to `operand` with its `suffixes`: suffixes bind first (`-x.F` is
   * `-(x.F)`), and each prefix's range runs from it to `last`, the expression's last token.
   */
  unary(prefixes: IToken[], operand: A.Expr, suffixes: ((target: A.Expr) => A.Expr)[], last: IToken): A.Expr {
    let acc = operand;
    for (const s of suffixes) acc = s(acc);
    for (let i = prefixes.length - 1; i >= 0; i--) {
      acc = { kind: "unary", op: prefixes[i].image as A.UnaryOp, operand: acc, range: this.tokens(prefixes[i], last) };
    }
    return acc;
  }

  /**
   * The tree of a chain of operands, binary operators and membership tests, by precedence
   * (precedence.ts), left-associative: operator precedence parsing with two stacks. A
   * membership test applies to the operand built so far at its precedence; its range runs from
   * that operand's first token to the end of the set.
   */
  chain(items: readonly ChainItem[]): A.Expr {
    const operands: Operand[] = [];
    const operators: IToken[] = [];
    for (const item of items) {
      if (item.kind === "operand") {
        operands.push({ expr: item.expr, start: item.start });
      } else if (item.kind === "operator") {
        this.reduce(operands, operators, precedenceOf(item.token.image));
        operators.push(item.token);
      } else {
        this.reduce(operands, operators, MEMBERSHIP_PRECEDENCE);
        const x = operands.pop() as Operand;
        const range = { start: this.src.position(x.start), end: item.set.range.end };
        operands.push({ expr: { kind: "in", negated: item.negated, operand: x.expr, set: item.set, range }, start: x.start });
      }
    }
    this.reduce(operands, operators, -Infinity);
    return (operands[0] as Operand).expr;
  }

  /** Applies the pending operators that bind at least as tightly as `precedence`. */
  private reduce(operands: Operand[], operators: IToken[], precedence: number): void {
    while (operators.length > 0 && precedenceOf(operators[operators.length - 1].image) >= precedence) {
      const op = operators.pop() as IToken;
      const right = operands.pop() as Operand;
      const left = operands.pop() as Operand;
      const expr: A.BinaryExpr = { kind: "binary", op: op.image as A.BinaryOp, left: left.expr, right: right.expr, range: this.span(left.expr.range, right.expr.range) };
      operands.push({ expr, start: left.start });
    }
  }
}

function intValue(image: string): bigint {
  return BigInt(image.replace(/_/g, ""));
}

function saturate(v: bigint): number {
  return v > 1_000_000_000n ? 1_000_000_001 : Number(v);
}
