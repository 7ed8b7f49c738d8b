// AST nodes from tokens: ranges, names, literals, and the expression tree built by precedence.
// The grammar (grammar.ts) calls these as it recognises each construct, so no concrete syntax
// tree is ever held in memory. A node's range runs from the first to the last token it was
// built from; a binary expression's runs from its left to its right operand.
import type { IToken } from "chevrotain";
import type * as A from "./ast.ts";
import { MEMBERSHIP_PRECEDENCE, tokenPrecedence } from "./precedence.ts";
import type { SourceText } from "./source.ts";
import { IntegerLiteral, tokenEnd } from "./tokens.ts";

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

  // ------------------------------------------------------------ declarations and statements
  // The nodes the grammar's actions build (grammar.ts), each from its tokens and sub-nodes:
  // `first` and `last` are the first and last tokens of the construct, which give its range.

  typeRef(t: IToken): A.TypeRef {
    return t.tokenType === IntegerLiteral
      ? { kind: "bitsType", width: this.smallInt(t).value, range: this.token(t) }
      : { kind: "namedType", name: this.name(t), range: this.token(t) };
  }
  importDecl(first: IToken, path: IToken, last: IToken): A.ImportDecl {
    return { kind: "import", path: this.stringValue(path), range: this.tokens(first, last) };
  }
  sourceDecl(first: IToken, text: IToken, last: IToken): A.SourceDecl {
    return { kind: "source", text: this.stringValue(text), range: this.tokens(first, last) };
  }
  sysregDecl(first: IToken, name: IToken, type: A.TypeRef, last: IToken): A.SysregDecl {
    return { kind: "sysreg", name: this.name(name), type, range: this.tokens(first, last) };
  }
  capabilityDecl(first: IToken, name: IToken, last: IToken): A.CapabilityDecl {
    return { kind: "capability", name: this.name(name), range: this.tokens(first, last) };
  }
  exitcodeDecl(first: IToken, name: IToken, value: IToken, last: IToken): A.ExitCodeDecl {
    return { kind: "exitcode", name: this.name(name), value: this.intLiteral(value), range: this.tokens(first, last) };
  }
  externalDecl(first: IToken, name: IToken, last: IToken): A.ExternalDecl {
    return { kind: "external", name: this.name(name), range: this.tokens(first, last) };
  }
  recordDecl(first: IToken, name: IToken, fields: A.RecordField[], last: IToken): A.RecordDecl {
    return { kind: "recordDecl", name: this.name(name), fields, range: this.tokens(first, last) };
  }
  recordField(name: IToken, type: A.TypeRef, last: IToken): A.RecordField {
    return { name: this.name(name), type, range: this.tokens(name, last) };
  }
  constDecl(first: IToken, name: IToken, type: A.TypeRef | undefined, value: A.Expr, last: IToken): A.ConstDecl {
    return { kind: "const", name: this.name(name), type, value, range: this.tokens(first, last) };
  }
  param(name: IToken, type: A.TypeRef, last: IToken): A.Param {
    return { name: this.name(name), type, range: this.tokens(name, last) };
  }
  predDecl(first: IToken, name: IToken, params: A.Param[], body: A.Expr, last: IToken): A.PredDecl {
    return { kind: "pred", name: this.name(name), params, body, range: this.tokens(first, last) };
  }
  fnDecl(first: IToken, name: IToken, params: A.Param[], result: A.TypeRef, body: A.Expr, last: IToken): A.FnDecl {
    return { kind: "fn", name: this.name(name), params, result, body, range: this.tokens(first, last) };
  }
  handlerDecl(first: IToken, name: IToken, record: IToken, body: A.Stmt[], last: IToken): A.HandlerDecl {
    return { kind: "handler", name: this.name(name), record: this.name(record), body, range: this.tokens(first, last) };
  }
  letStmt(first: IToken, name: IToken, type: A.TypeRef | undefined, value: A.Expr, last: IToken): A.LetStmt {
    return { kind: "let", name: this.name(name), type, value, range: this.tokens(first, last) };
  }
  recordStmt(first: IToken, field: IToken, value: A.Expr, last: IToken): A.RecordStmt {
    return { kind: "record", field: this.name(field), value, range: this.tokens(first, last) };
  }
  rulesStmt(first: IToken, rules: A.Rule[], last: IToken): A.RulesStmt {
    return { kind: "rules", rules, range: this.tokens(first, last) };
  }
  rule(first: IToken, name: IToken, guard: A.Expr | undefined, body: A.Stmt[], last: IToken): A.Rule {
    return { name: this.name(name), guard, body, range: this.tokens(first, last) };
  }
  exitOutcome(first: IToken, code: IToken, last: IToken): A.Outcome {
    return { kind: "exit", code: this.name(code), range: this.tokens(first, last) };
  }
  retryOutcome(first: IToken, last: IToken): A.Outcome {
    return { kind: "retry", range: this.tokens(first, last) };
  }
  handoffOutcome(first: IToken, target: IToken, last: IToken): A.Outcome {
    return { kind: "handoff", target: this.name(target), range: this.tokens(first, last) };
  }
  outcomeStmt(first: IToken, outcome: A.Outcome, last: IToken): A.OutcomeStmt {
    return { kind: "outcome", outcome, range: this.tokens(first, last) };
  }
  contractDecl(first: IToken, handler: IToken, assumptions: A.Expr[], clauses: A.ObserveClause[], last: IToken): A.ContractDecl {
    return { kind: "contract", handler: this.name(handler), assumptions, clauses, range: this.tokens(first, last) };
  }
  observeClause(first: IToken, outcome: A.Outcome, fields: A.ObservedField[], last: IToken): A.ObserveClause {
    return { outcome, fields, range: this.tokens(first, last) };
  }
  observedField(first: IToken, field: IToken, condition: A.Expr | undefined, last: IToken): A.ObservedField {
    return { field: this.name(field), condition, range: this.tokens(first, last) };
  }

  // ------------------------------------------------------------ expressions

  bool(t: IToken): A.BoolLiteral {
    return { kind: "bool", value: t.image === "true", range: this.token(t) };
  }
  /** A name, or a call when it has an argument list (`last` is its `)`). */
  nameOrCall(callee: IToken, args: A.Expr[] | undefined, last: IToken): A.Expr {
    const name = this.name(callee);
    return args === undefined ? { kind: "name", name, range: name.range } : { kind: "call", callee: name, args, range: this.tokens(callee, last) };
  }
  setLiteral(first: IToken, elements: A.Expr[], last: IToken): A.SetExpr {
    return { kind: "setLiteral", elements, range: this.tokens(first, last) };
  }
  setName(t: IToken): A.SetExpr {
    return { kind: "setName", name: this.name(t), range: this.token(t) };
  }
  alternative(base: IToken, replacement: { name: IToken; capability: IToken } | undefined, last: IToken): A.Alternative {
    return {
      base: this.name(base),
      replacement: replacement === undefined ? undefined : { name: this.name(replacement.name), capability: this.name(replacement.capability) },
      range: this.tokens(base, last),
    };
  }
  read(first: IToken, register: A.Alternative, last: IToken): A.ReadExpr {
    return { kind: "read", register, range: this.tokens(first, last) };
  }
  at(first: IToken, op: A.Alternative, address: A.Expr, preserving: IToken | undefined, last: IToken): A.AtExpr {
    return { kind: "at", op, address, preserving: preserving === undefined ? undefined : this.name(preserving), range: this.tokens(first, last) };
  }
  /** `target.F`: `suffix` is the range of `.F`. */
  field(target: A.Expr, field: A.Name, suffix: A.Range): A.Expr {
    return { kind: "field", target, field, range: this.span(target.range, suffix) };
  }
  /** `target[hi:lo]`: `suffix` is the range of the brackets. */
  slice(target: A.Expr, hi: A.SignedInt, lo: A.SignedInt | undefined, suffix: A.Range): A.Expr {
    return { kind: "slice", target, hi, lo, range: this.span(target.range, suffix) };
  }

  /**
   * `prefixes` applied to `operand` with its `suffixes`: suffixes bind first (`-x.F` is
   * `-(x.F)`), and each prefix's range runs from it to `last`, the expression's last token.
   */
  unary(prefixes: IToken[], operand: A.Expr, suffixes: ((target: A.Expr) => A.Expr)[], last: IToken): A.Expr {
    let acc = operand;
    for (const s of suffixes) acc = s(acc);
    return this.prefixed(prefixes, acc, last);
  }

  /** `prefixes` applied to `operand`, its suffixes already applied. */
  prefixed(prefixes: readonly IToken[], operand: A.Expr, last: IToken): A.Expr {
    let acc = operand;
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
        this.reduce(operands, operators, tokenPrecedence(item.token));
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
    while (operators.length > 0 && tokenPrecedence(operators[operators.length - 1]) >= precedence) {
      const op = operators.pop() as IToken;
      const right = operands.pop() as Operand;
      const left = operands.pop() as Operand;
      const expr: A.BinaryExpr = { kind: "binary", op: op.image as A.BinaryOp, left: left.expr, right: right.expr, range: this.span(left.expr.range, right.expr.range) };
      operands.push({ expr, start: left.start });
    }
  }
}

function intValue(image: string): bigint {
  // A literal of up to 13 hex or 15 decimal digits is below 2^53, so a double holds it
  // exactly and BigInt of that number is the literal's value, without BigInt's slower
  // parse of a string.
  const c1 = image.charCodeAt(1);
  if (c1 === 0x78 || c1 === 0x58) {
    if (image.length <= 15 && !image.includes("_")) return BigInt(parseInt(image.slice(2), 16));
  } else if ((c1 !== 0x62 && c1 !== 0x42 && image.length <= 15 && !image.includes("_")) || image.length === 1) {
    return BigInt(parseInt(image, 10));
  }
  return BigInt(image.includes("_") ? image.replace(/_/g, "") : image);
}

function saturate(v: bigint): number {
  return v > 1_000_000_000n ? 1_000_000_001 : Number(v);
}
