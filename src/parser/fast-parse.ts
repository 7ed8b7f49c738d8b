// A plain recursive-descent reader for the declarations that make up nearly all of a large
// rule file (constants, predicates, functions, handlers, contracts and the small ones), tried
// by the grammar (grammar.ts, rule `decl`) before chevrotain's alternatives. It reads exactly
// what the grammar reads, makes the same decisions on the same tokens and builds the same
// nodes through the same AstBuilder, but without chevrotain's per-rule bookkeeping, which
// was most of the time a large file took to parse.
//
// It never reports anything: at the first token it did not expect, or at a declaration it
// does not read (enum, layout, variant, erratum, binding), it gives up and the grammar parses
// that declaration itself, from the same token, with its error recovery and messages. So a
// declaration it reads is one the grammar would have read without an error, to the same node
// (test/parser/fast-parse.test.ts compares the two on every rule file in the tree).
import type { IToken, TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import type { AstBuilder, ChainItem } from "./build-ast.ts";
import { operatorGroup } from "./precedence.ts";
import * as T from "./tokens.ts";

const K = T.keywords;

/** Thrown to give up on a declaration; caught in `decl`. Not an Error: nothing needs its stack. */
const GIVE_UP = { giveUp: true };

const PREFIX_OPERATORS = new Set<TokenType>([T.Bang, T.Tilde, T.Minus]);
/** The tokens an expression may start with (prefix operators and primary expressions). */
const EXPR_START = new Set<TokenType>([T.Bang, T.Tilde, T.Minus, T.IntegerLiteral, K.true, K.false, K.read, K.at, T.Identifier, T.LParen]);
/** The tokens a statement starts with. */
const STMT_START = new Set<TokenType>([K.let, K.record, K.rules, K.exit, K.retry, K.handoff]);

export class FastDeclReader {
  private tokens: readonly IToken[] = [];
  /** Index of the next token. */
  private i = 0;

  constructor(private readonly nodes: AstBuilder) {}

  /**
   * The declaration starting at token `at` and the index of the token after it, or undefined
   * where the grammar has to read it.
   */
  decl(tokens: readonly IToken[], at: number): { decl: A.Decl; next: number } | undefined {
    this.tokens = tokens;
    this.i = at;
    try {
      const decl = this.declaration();
      return decl === undefined ? undefined : { decl, next: this.i };
    } catch (e) {
      if (e === GIVE_UP) return undefined;
      throw e;
    } finally {
      this.tokens = [];
    }
  }

  // ------------------------------------------------------------ tokens

  private peek(): TokenType | undefined {
    return this.tokens[this.i]?.tokenType;
  }

  private peek2(): TokenType | undefined {
    return this.tokens[this.i + 1]?.tokenType;
  }

  private consume(type: TokenType): IToken {
    const t = this.tokens[this.i];
    if (t === undefined || t.tokenType !== type) throw GIVE_UP;
    this.i++;
    return t;
  }

  private optional(type: TokenType): IToken | undefined {
    const t = this.tokens[this.i];
    if (t === undefined || t.tokenType !== type) return undefined;
    this.i++;
    return t;
  }

  /** The last token consumed. */
  private last(): IToken {
    return this.tokens[this.i - 1];
  }

  // ------------------------------------------------------------ declarations

  private declaration(): A.Decl | undefined {
    const n = this.nodes;
    const type = this.peek();
    switch (type) {
      case K.import: {
        const first = this.consume(K.import);
        const path = this.consume(T.StringLiteral);
        return n.importDecl(first, path, this.consume(T.Semicolon));
      }
      case K.source: {
        const first = this.consume(K.source);
        const text = this.consume(T.StringLiteral);
        return n.sourceDecl(first, text, this.consume(T.Semicolon));
      }
      case K.sysreg: {
        const first = this.consume(K.sysreg);
        const name = this.consume(T.Identifier);
        this.consume(T.Colon);
        const ty = this.typeRef();
        return n.sysregDecl(first, name, ty, this.consume(T.Semicolon));
      }
      case K.capability: {
        const first = this.consume(K.capability);
        const name = this.consume(T.Identifier);
        return n.capabilityDecl(first, name, this.consume(T.Semicolon));
      }
      case K.exitcode: {
        const first = this.consume(K.exitcode);
        const name = this.consume(T.Identifier);
        this.consume(T.Assign);
        const value = this.consume(T.IntegerLiteral);
        return n.exitcodeDecl(first, name, value, this.consume(T.Semicolon));
      }
      case K.external: {
        const first = this.consume(K.external);
        const name = this.consume(T.Identifier);
        return n.externalDecl(first, name, this.consume(T.Semicolon));
      }
      case K.record:
        return this.recordDecl();
      case K.const: {
        const c = this.namedValue(K.const);
        return n.constDecl(c.first, c.name, c.type, c.value, c.last);
      }
      case K.pred: {
        const first = this.consume(K.pred);
        const name = this.consume(T.Identifier);
        const params = this.params();
        this.consume(T.Assign);
        const body = this.expr(false);
        return n.predDecl(first, name, params, body, this.consume(T.Semicolon));
      }
      case K.fn: {
        const first = this.consume(K.fn);
        const name = this.consume(T.Identifier);
        const params = this.params();
        this.consume(T.Colon);
        const result = this.typeRef();
        this.consume(T.Assign);
        const body = this.expr(false);
        return n.fnDecl(first, name, params, result, body, this.consume(T.Semicolon));
      }
      case K.handler: {
        const first = this.consume(K.handler);
        const name = this.consume(T.Identifier);
        this.consume(K.records);
        const record = this.consume(T.Identifier);
        const body = this.block();
        return n.handlerDecl(first, name, record, body, this.last());
      }
      case K.contract:
        return this.contract();
      default:
        return undefined;
    }
  }

  /** `const` and `let`: KEYWORD NAME (: TYPE)? = EXPR ; */
  private namedValue(keyword: TokenType): { first: IToken; name: IToken; type: A.TypeRef | undefined; value: A.Expr; last: IToken } {
    const first = this.consume(keyword);
    const name = this.consume(T.Identifier);
    const type = this.optional(T.Colon) === undefined ? undefined : this.typeRef();
    this.consume(T.Assign);
    const value = this.expr(false);
    return { first, name, type, value, last: this.consume(T.Semicolon) };
  }

  private typeRef(): A.TypeRef {
    const type = this.peek();
    if (type !== T.IntegerLiteral && type !== T.Identifier) throw GIVE_UP;
    return this.nodes.typeRef(this.tokens[this.i++]);
  }

  private recordDecl(): A.RecordDecl {
    const first = this.consume(K.record);
    const name = this.consume(T.Identifier);
    this.consume(T.LBrace);
    const fields: A.RecordField[] = [];
    while (this.peek() === T.Identifier) {
      const field = this.consume(T.Identifier);
      this.consume(T.Colon);
      const ty = this.typeRef();
      fields.push(this.nodes.recordField(field, ty, this.consume(T.Semicolon)));
    }
    return this.nodes.recordDecl(first, name, fields, this.consume(T.RBrace));
  }

  private params(): A.Param[] {
    const params: A.Param[] = [];
    this.consume(T.LParen);
    if (this.peek() === T.Identifier) {
      do {
        const name = this.consume(T.Identifier);
        this.consume(T.Colon);
        const ty = this.typeRef();
        params.push(this.nodes.param(name, ty, this.last()));
      } while (this.optional(T.Comma) !== undefined);
    }
    this.consume(T.RParen);
    return params;
  }

  private block(): A.Stmt[] {
    const stmts: A.Stmt[] = [];
    this.consume(T.LBrace);
    for (let type = this.peek(); type !== undefined && STMT_START.has(type); type = this.peek()) stmts.push(this.stmt(type));
    this.consume(T.RBrace);
    return stmts;
  }

  private stmt(type: TokenType): A.Stmt {
    const n = this.nodes;
    switch (type) {
      case K.let: {
        const l = this.namedValue(K.let);
        return n.letStmt(l.first, l.name, l.type, l.value, l.last);
      }
      case K.record: {
        const first = this.consume(K.record);
        const field = this.consume(T.Identifier);
        this.consume(T.Assign);
        const value = this.expr(false);
        return n.recordStmt(first, field, value, this.consume(T.Semicolon));
      }
      case K.rules: {
        const first = this.consume(K.rules);
        this.consume(T.LBrace);
        const rules: A.Rule[] = [];
        while (this.peek() === K.rule) rules.push(this.rule());
        return n.rulesStmt(first, rules, this.consume(T.RBrace));
      }
      default: {
        const first = this.tokens[this.i];
        const outcome = this.outcome();
        return n.outcomeStmt(first, outcome, this.consume(T.Semicolon));
      }
    }
  }

  private rule(): A.Rule {
    const first = this.consume(K.rule);
    const name = this.consume(T.Identifier);
    let guard: A.Expr | undefined;
    if (this.optional(K.when) !== undefined) guard = this.expr(false);
    else this.consume(K.otherwise);
    const body = this.block();
    return this.nodes.rule(first, name, guard, body, this.last());
  }

  private outcome(): A.Outcome {
    const n = this.nodes;
    switch (this.peek()) {
      case K.exit: {
        const first = this.consume(K.exit);
        return n.exitOutcome(first, this.consume(T.Identifier), this.last());
      }
      case K.retry: {
        const first = this.consume(K.retry);
        return n.retryOutcome(first, first);
      }
      case K.handoff: {
        const first = this.consume(K.handoff);
        return n.handoffOutcome(first, this.consume(T.Identifier), this.last());
      }
      default:
        throw GIVE_UP;
    }
  }

  private contract(): A.ContractDecl {
    const n = this.nodes;
    const first = this.consume(K.contract);
    const handler = this.consume(T.Identifier);
    this.consume(T.LBrace);
    const assumptions: A.Expr[] = [];
    const clauses: A.ObserveClause[] = [];
    for (;;) {
      if (this.optional(K.assume) !== undefined) {
        assumptions.push(this.expr(false));
        this.consume(T.Semicolon);
      } else if (this.peek() === K.on) {
        const on = this.consume(K.on);
        const outcome = this.outcome();
        this.consume(T.LBrace);
        const fields: A.ObservedField[] = [];
        while (this.peek() === K.observe) {
          const observe = this.consume(K.observe);
          const field = this.consume(T.Identifier);
          const condition = this.optional(K.when) === undefined ? undefined : this.expr(false);
          fields.push(n.observedField(observe, field, condition, this.consume(T.Semicolon)));
        }
        clauses.push(n.observeClause(on, outcome, fields, this.consume(T.RBrace)));
      } else break;
    }
    return n.contractDecl(first, handler, assumptions, clauses, this.consume(T.RBrace));
  }

  // ------------------------------------------------------------ expressions

  /** The grammar's `expr`: operands, binary operators and membership tests, with the same stops. */
  private expr(operandsOnly: boolean): A.Expr {
    const start = this.tokens[this.i]?.startOffset;
    const first = this.unaryExpr();
    let items: ChainItem[] | undefined;
    let compared = false;
    for (;;) {
      const type = this.peek();
      const group = type === undefined ? undefined : operatorGroup(type);
      if (!(group === "operand" || (!operandsOnly && (group === "logical" || (group === "compare" && !compared))))) break;
      items ??= [{ kind: "operand", expr: first, start }];
      if (type === K.not || type === K.in) {
        const negated = this.optional(K.not) !== undefined;
        this.consume(K.in);
        items.push({ kind: "membership", negated, set: this.setExpr() });
        compared = true;
      } else {
        const token = this.tokens[this.i++];
        const operandStart = this.tokens[this.i]?.startOffset;
        items.push({ kind: "operator", token }, { kind: "operand", expr: this.unaryExpr(), start: operandStart });
        if (group === "logical") compared = false;
        else if (group === "compare") compared = true;
      }
    }
    return items === undefined ? first : this.nodes.chain(items);
  }

  private setExpr(): A.SetExpr {
    if (this.peek() === T.Identifier) return this.nodes.setName(this.consume(T.Identifier));
    const first = this.consume(T.LBrace);
    const elements: A.Expr[] = [];
    do {
      const type = this.peek();
      if (type === undefined || !EXPR_START.has(type)) throw GIVE_UP;
      elements.push(this.expr(true));
    } while (this.optional(T.Comma) !== undefined);
    return this.nodes.setLiteral(first, elements, this.consume(T.RBrace));
  }

  private unaryExpr(): A.Expr {
    let prefixes: IToken[] | undefined;
    for (let type = this.peek(); type !== undefined && PREFIX_OPERATORS.has(type); type = this.peek()) (prefixes ??= []).push(this.tokens[this.i++]);
    let e = this.primaryExpr();
    for (let type = this.peek(); type === T.Dot || type === T.LBracket; type = this.peek()) {
      if (type === T.Dot) {
        const dot = this.consume(T.Dot);
        const field = this.nodes.name(this.consume(T.Identifier));
        e = this.nodes.field(e, field, this.nodes.tokens(dot, this.last()));
      } else {
        const bracket = this.consume(T.LBracket);
        const hi = this.signedInt();
        const lo = this.optional(T.Colon) === undefined ? undefined : this.signedInt();
        e = this.nodes.slice(e, hi, lo, this.nodes.tokens(bracket, this.consume(T.RBracket)));
      }
    }
    return prefixes === undefined ? e : this.nodes.prefixed(prefixes, e, this.last());
  }

  private signedInt(): A.SignedInt {
    const minus = this.optional(T.Minus);
    return this.nodes.signedInt(minus, this.consume(T.IntegerLiteral));
  }

  private primaryExpr(): A.Expr {
    const n = this.nodes;
    switch (this.peek()) {
      case T.IntegerLiteral:
        return n.intLiteral(this.consume(T.IntegerLiteral));
      case K.true:
        return n.bool(this.consume(K.true));
      case K.false:
        return n.bool(this.consume(K.false));
      case K.read: {
        const first = this.consume(K.read);
        const register = this.alternative();
        return n.read(first, register, this.last());
      }
      case K.at: {
        const first = this.consume(K.at);
        const op = this.alternative();
        this.consume(T.LParen);
        const address = this.expr(false);
        this.consume(T.RParen);
        const preserving = this.optional(K.preserving) === undefined ? undefined : this.consume(T.Identifier);
        return n.at(first, op, address, preserving, this.last());
      }
      case T.Identifier: {
        const callee = this.consume(T.Identifier);
        if (this.optional(T.LParen) === undefined) return n.nameOrCall(callee, undefined, callee);
        const args: A.Expr[] = [];
        const type = this.peek();
        if (type !== undefined && EXPR_START.has(type)) {
          do args.push(this.expr(false));
          while (this.optional(T.Comma) !== undefined);
        }
        return n.nameOrCall(callee, args, this.consume(T.RParen));
      }
      case T.LParen: {
        this.consume(T.LParen);
        const e = this.expr(false);
        this.consume(T.RParen);
        return e;
      }
      default:
        throw GIVE_UP;
    }
  }

  private alternative(): A.Alternative {
    const base = this.consume(T.Identifier);
    if (this.optional(K.or) === undefined) return this.nodes.alternative(base, undefined, base);
    const name = this.consume(T.Identifier);
    this.consume(K.when);
    const capability = this.consume(T.Identifier);
    return this.nodes.alternative(base, { name, capability }, capability);
  }
}
