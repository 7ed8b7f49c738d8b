// Turns the parser's concrete syntax tree into the AST. It runs only on a parse without
// syntax errors, so every child the grammar requires is present; it still checks, and a
// missing child becomes an internal error rather than a crash deep in the checker.
import type { CstElement, CstNode, IToken } from "chevrotain";
import type * as A from "./ast.ts";
import type { SourceText } from "./source.ts";

type Children = Record<string, CstElement[] | undefined>;

class MissingChild extends Error {}

export class AstBuilder {
  constructor(private readonly src: SourceText) {}

  // ------------------------------------------------------------ helpers

  private isToken(e: CstElement): e is IToken {
    return (e as IToken).image !== undefined;
  }
  private nodes(c: Children, key: string): CstNode[] {
    return (c[key] ?? []).filter((e): e is CstNode => !this.isToken(e));
  }
  private node(c: Children, key: string, index = 0): CstNode {
    const n = this.nodes(c, key)[index];
    if (n === undefined) throw new MissingChild(key);
    return n;
  }
  private tokens(c: Children, key: string): IToken[] {
    return (c[key] ?? []).filter((e): e is IToken => this.isToken(e));
  }
  private token(c: Children, key: string, index = 0): IToken {
    const t = this.tokens(c, key)[index];
    if (t === undefined) throw new MissingChild(key);
    return t;
  }
  private has(c: Children, key: string): boolean {
    return (c[key]?.length ?? 0) > 0;
  }
  private tokenRange(t: IToken): A.Range {
    return this.src.range(t.startOffset, (t.endOffset ?? t.startOffset) + 1);
  }
  private nodeRange(n: CstNode): A.Range {
    const loc = n.location;
    if (loc === undefined || Number.isNaN(loc.startOffset)) return this.src.range(0, 0);
    return this.src.range(loc.startOffset, (loc.endOffset ?? loc.startOffset) + 1);
  }
  private span(a: A.Range, b: A.Range): A.Range {
    return { start: a.start, end: b.end };
  }
  private name(t: IToken): A.Name {
    return { text: t.image, range: this.tokenRange(t) };
  }
  private intValue(image: string): bigint {
    return BigInt(image.replace(/_/g, ""));
  }
  private intLiteral(t: IToken): A.IntLiteral {
    return { kind: "int", value: this.intValue(t.image), text: t.image, range: this.tokenRange(t) };
  }
  private stringValue(t: IToken): A.StringValue {
    const inner = t.image.slice(1, -1).replace(/\\(["\\])/g, "$1");
    return { value: inner, range: this.tokenRange(t) };
  }
  /** Small integers (widths, bit positions, levels). Huge ones saturate and are rejected by the checker. */
  private signedInt(n: CstNode): A.SignedInt {
    const c = n.children as Children;
    const lit = this.token(c, "IntegerLiteral");
    const v = this.intValue(lit.image);
    const magnitude = v > 1_000_000_000n ? 1_000_000_001 : Number(v);
    return { value: this.has(c, "Minus") ? -magnitude : magnitude, range: this.nodeRange(n) };
  }
  private smallInt(t: IToken): A.SignedInt {
    const v = this.intValue(t.image);
    return { value: v > 1_000_000_000n ? 1_000_000_001 : Number(v), range: this.tokenRange(t) };
  }

  // ------------------------------------------------------------ file and declarations

  file(cst: CstNode): A.RuleFile {
    const c = cst.children as Children;
    return { path: this.src.path, decls: this.nodes(c, "decl").map((d) => this.decl(d)), range: this.src.range(0, this.src.text.length) };
  }

  private decl(n: CstNode): A.Decl {
    const c = n.children as Children;
    const key = Object.keys(c)[0];
    const inner = this.node(c, key);
    const ic = inner.children as Children;
    const range = this.nodeRange(inner);
    switch (key) {
      case "importDecl":
        return { kind: "import", path: this.stringValue(this.token(ic, "StringLiteral")), range };
      case "sourceDecl":
        return { kind: "source", text: this.stringValue(this.token(ic, "StringLiteral")), range };
      case "enumDecl":
        return {
          kind: "enum",
          name: this.name(this.token(ic, "Identifier")),
          width: this.smallInt(this.token(ic, "IntegerLiteral")),
          members: this.nodes(ic, "enumMember").map((m) => this.enumMember(m)),
          range,
        };
      case "layoutDecl":
        return {
          kind: "layout",
          name: this.name(this.token(ic, "Identifier")),
          width: this.smallInt(this.token(ic, "IntegerLiteral")),
          fields: this.nodes(ic, "layoutField").map((f) => this.layoutField(f)),
          range,
        };
      case "sysregDecl":
        return { kind: "sysreg", name: this.name(this.token(ic, "Identifier")), type: this.typeRef(this.node(ic, "typeRef")), range };
      case "capabilityDecl":
        return { kind: "capability", name: this.name(this.token(ic, "Identifier")), range };
      case "exitcodeDecl":
        return { kind: "exitcode", name: this.name(this.token(ic, "Identifier")), value: this.intLiteral(this.token(ic, "IntegerLiteral")), range };
      case "externalDecl":
        return { kind: "external", name: this.name(this.token(ic, "Identifier")), range };
      case "recordDecl":
        return {
          kind: "recordDecl",
          name: this.name(this.token(ic, "Identifier")),
          fields: this.nodes(ic, "recordField").map((f) => {
            const fc = f.children as Children;
            return { name: this.name(this.token(fc, "Identifier")), type: this.typeRef(this.node(fc, "typeRef")), range: this.nodeRange(f) };
          }),
          range,
        };
      case "constDecl":
        return {
          kind: "const",
          name: this.name(this.token(ic, "Identifier")),
          type: this.has(ic, "typeRef") ? this.typeRef(this.node(ic, "typeRef")) : undefined,
          value: this.expr(this.node(ic, "expr")),
          range,
        };
      case "predDecl":
        return {
          kind: "pred",
          name: this.name(this.token(ic, "Identifier")),
          params: this.params(this.node(ic, "params")),
          body: this.expr(this.node(ic, "expr")),
          range,
        };
      case "fnDecl":
        return {
          kind: "fn",
          name: this.name(this.token(ic, "Identifier")),
          params: this.params(this.node(ic, "params")),
          result: this.typeRef(this.node(ic, "typeRef")),
          body: this.expr(this.node(ic, "expr")),
          range,
        };
      case "handlerDecl":
        return {
          kind: "handler",
          name: this.name(this.token(ic, "name")),
          record: this.name(this.token(ic, "record")),
          body: this.block(this.node(ic, "block")),
          range,
        };
      case "contractDecl":
        return {
          kind: "contract",
          handler: this.name(this.token(ic, "Identifier")),
          assumptions: this.nodes(ic, "assumeClause").map((a) => this.expr(this.node(a.children as Children, "expr"))),
          clauses: this.nodes(ic, "observeClause").map((o) => this.observeClause(o)),
          range,
        };
      default:
        throw new MissingChild(key);
    }
  }

  private enumMember(n: CstNode): A.EnumMember {
    const c = n.children as Children;
    return {
      name: this.name(this.token(c, "Identifier")),
      value: this.has(c, "IntegerLiteral") ? this.intLiteral(this.token(c, "IntegerLiteral")) : undefined,
      levels: this.nodes(c, "levelSpec").map((l) => {
        const lc = l.children as Children;
        const from = this.signedInt(this.node(lc, "from"));
        return {
          from,
          to: this.has(lc, "to") ? this.signedInt(this.node(lc, "to")) : from,
          value: this.intLiteral(this.token(lc, "IntegerLiteral")),
          range: this.nodeRange(l),
        };
      }),
      range: this.nodeRange(n),
    };
  }

  private layoutField(n: CstNode): A.LayoutField {
    const c = n.children as Children;
    const hi = this.smallInt(this.token(c, "hi"));
    return {
      name: this.name(this.token(c, "name")),
      hi,
      lo: this.has(c, "lo") ? this.smallInt(this.token(c, "lo")) : hi,
      values: this.has(c, "values") ? this.name(this.token(c, "values")) : undefined,
      range: this.nodeRange(n),
    };
  }

  private typeRef(n: CstNode): A.TypeRef {
    const c = n.children as Children;
    const range = this.nodeRange(n);
    if (this.has(c, "IntegerLiteral")) return { kind: "bitsType", width: this.smallInt(this.token(c, "IntegerLiteral")).value, range };
    return { kind: "namedType", name: this.name(this.token(c, "Identifier")), range };
  }

  private params(n: CstNode): A.Param[] {
    return this.nodes(n.children as Children, "param").map((p) => {
      const pc = p.children as Children;
      return { name: this.name(this.token(pc, "Identifier")), type: this.typeRef(this.node(pc, "typeRef")), range: this.nodeRange(p) };
    });
  }

  private observeClause(n: CstNode): A.ObserveClause {
    const c = n.children as Children;
    return {
      outcome: this.outcome(this.node(c, "outcome")),
      fields: this.nodes(c, "observedField").map((f) => {
        const fc = f.children as Children;
        return {
          field: this.name(this.token(fc, "Identifier")),
          condition: this.has(fc, "expr") ? this.expr(this.node(fc, "expr")) : undefined,
          range: this.nodeRange(f),
        };
      }),
      range: this.nodeRange(n),
    };
  }

  // ------------------------------------------------------------ statements

  private block(n: CstNode): A.Stmt[] {
    return this.nodes(n.children as Children, "stmt").map((s) => this.stmt(s));
  }

  private stmt(n: CstNode): A.Stmt {
    const c = n.children as Children;
    const key = Object.keys(c)[0];
    const inner = this.node(c, key);
    const ic = inner.children as Children;
    const range = this.nodeRange(inner);
    switch (key) {
      case "letStmt":
        return {
          kind: "let",
          name: this.name(this.token(ic, "Identifier")),
          type: this.has(ic, "typeRef") ? this.typeRef(this.node(ic, "typeRef")) : undefined,
          value: this.expr(this.node(ic, "expr")),
          range,
        };
      case "recordStmt":
        return { kind: "record", field: this.name(this.token(ic, "Identifier")), value: this.expr(this.node(ic, "expr")), range };
      case "rulesStmt":
        return {
          kind: "rules",
          rules: this.nodes(ic, "ruleDecl").map((r) => {
            const rc = r.children as Children;
            return {
              name: this.name(this.token(rc, "Identifier")),
              guard: this.has(rc, "expr") ? this.expr(this.node(rc, "expr")) : undefined,
              body: this.block(this.node(rc, "block")),
              range: this.nodeRange(r),
            };
          }),
          range,
        };
      case "outcomeStmt":
        return { kind: "outcome", outcome: this.outcome(this.node(ic, "outcome")), range };
      default:
        throw new MissingChild(key);
    }
  }

  private outcome(n: CstNode): A.Outcome {
    const c = n.children as Children;
    const range = this.nodeRange(n);
    if (this.has(c, "KwExit")) return { kind: "exit", code: this.name(this.token(c, "code")), range };
    if (this.has(c, "KwHandoff")) return { kind: "handoff", target: this.name(this.token(c, "target")), range };
    return { kind: "retry", range };
  }

  // ------------------------------------------------------------ expressions

  expr(n: CstNode): A.Expr {
    const c = n.children as Children;
    switch (n.name) {
      case "expr":
      case "andExpr":
      case "bitOrExpr":
      case "bitXorExpr":
      case "bitAndExpr":
      case "shiftExpr":
      case "additiveExpr":
        return this.leftAssoc(c);
      case "compareExpr":
        return this.compare(n, c);
      case "unaryExpr":
        return this.unary(n, c);
      case "postfixExpr":
        return this.postfix(c);
      case "primaryExpr":
        return this.primary(n, c);
      default:
        throw new MissingChild(n.name);
    }
  }

  private leftAssoc(c: Children): A.Expr {
    const operands = this.nodes(c, "operands");
    const operators = this.tokens(c, "operators");
    let acc = this.expr(operands[0] ?? this.node(c, "operands"));
    operators.forEach((op, i) => {
      const right = this.expr(this.node(c, "operands", i + 1));
      acc = { kind: "binary", op: op.image as A.BinaryOp, left: acc, right, range: this.span(acc.range, right.range) };
    });
    return acc;
  }

  private compare(n: CstNode, c: Children): A.Expr {
    const left = this.expr(this.node(c, "left"));
    if (this.has(c, "operator")) {
      const right = this.expr(this.node(c, "right"));
      return { kind: "binary", op: this.token(c, "operator").image as A.BinaryOp, left, right, range: this.span(left.range, right.range) };
    }
    if (this.has(c, "KwIn")) {
      const setNode = this.node(c, "setExpr");
      const sc = setNode.children as Children;
      const set: A.SetExpr = this.has(sc, "LBrace")
        ? { kind: "setLiteral", elements: this.nodes(sc, "elements").map((e) => this.expr(e)), range: this.nodeRange(setNode) }
        : { kind: "setName", name: this.name(this.token(sc, "Identifier")), range: this.nodeRange(setNode) };
      return { kind: "in", negated: this.has(c, "KwNot"), operand: left, set, range: this.nodeRange(n) };
    }
    return left;
  }

  private unary(n: CstNode, c: Children): A.Expr {
    if (this.has(c, "operator")) {
      return { kind: "unary", op: this.token(c, "operator").image as A.UnaryOp, operand: this.expr(this.node(c, "unaryExpr")), range: this.nodeRange(n) };
    }
    return this.expr(this.node(c, "postfixExpr"));
  }

  private postfix(c: Children): A.Expr {
    let acc = this.expr(this.node(c, "primaryExpr"));
    for (const s of this.nodes(c, "suffixes")) {
      const sc = s.children as Children;
      const range = this.span(acc.range, this.nodeRange(s));
      if (s.name === "fieldSuffix") {
        acc = { kind: "field", target: acc, field: this.name(this.token(sc, "Identifier")), range };
      } else {
        acc = {
          kind: "slice",
          target: acc,
          hi: this.signedInt(this.node(sc, "hi")),
          lo: this.has(sc, "lo") ? this.signedInt(this.node(sc, "lo")) : undefined,
          range,
        };
      }
    }
    return acc;
  }

  private alternative(n: CstNode): A.Alternative {
    const c = n.children as Children;
    return {
      base: this.name(this.token(c, "base")),
      replacement: this.has(c, "replacement")
        ? { name: this.name(this.token(c, "replacement")), capability: this.name(this.token(c, "capability")) }
        : undefined,
      range: this.nodeRange(n),
    };
  }

  private primary(n: CstNode, c: Children): A.Expr {
    const range = this.nodeRange(n);
    if (this.has(c, "IntegerLiteral")) return this.intLiteral(this.token(c, "IntegerLiteral"));
    if (this.has(c, "KwTrue")) return { kind: "bool", value: true, range };
    if (this.has(c, "KwFalse")) return { kind: "bool", value: false, range };
    if (this.has(c, "expr")) return this.expr(this.node(c, "expr"));
    if (this.has(c, "readExpr")) {
      const r = this.node(c, "readExpr");
      return { kind: "read", register: this.alternative(this.node(r.children as Children, "alternative")), range };
    }
    if (this.has(c, "atExpr")) {
      const a = this.node(c, "atExpr");
      const ac = a.children as Children;
      return {
        kind: "at",
        op: this.alternative(this.node(ac, "alternative")),
        address: this.expr(this.node(ac, "expr")),
        preserving: this.has(ac, "Identifier") ? this.name(this.token(ac, "Identifier")) : undefined,
        range,
      };
    }
    const call = this.node(c, "callOrName");
    const cc = call.children as Children;
    const name = this.name(this.token(cc, "Identifier"));
    if (this.has(cc, "LParen")) {
      return { kind: "call", callee: name, args: this.nodes(cc, "args").map((a) => this.expr(a)), range: this.nodeRange(call) };
    }
    return { kind: "name", name, range: name.range };
  }
}

export { MissingChild };
