// The grammar of the rule language as a chevrotain parser whose rules build the AST as they
// go (chevrotain's "embedded actions"): no concrete syntax tree is built, so a large file costs
// its tokens and its AST and nothing more. One instance is created and reused for every file
// (chevrotain's advice: building a parser analyses the whole grammar). Error recovery is on,
// so that one run reports every syntax error it can; after an error the AST is discarded.
//
// A top-level declaration is one rule returning its node, listed once in `decl`.
import type { IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
import type * as A from "./ast.ts";
import { AstBuilder, type ChainItem } from "./build-ast.ts";
import { COMPILED } from "../io/build-mode.ts";
import { EmbeddedActionsParser } from "./chevrotain.ts";
import { binaryOperators, operatorGroup } from "./precedence.ts";
import type { SourceText } from "./source.ts";
import * as T from "./tokens.ts";

const K = T.keywords;

/**
 * Returns `f`. A closure written straight as an object property (`DEF: () => ...`) is renamed
 * by the TypeScript loader (tsx runs esbuild with keepNames) every time the object literal is
 * evaluated, a defineProperty call per closure; on rules run for every expression that was a
 * measurable share of parse time. A closure passed through here is an argument, not renamed.
 */
function unnamed<F extends (...args: never[]) => unknown>(f: F): F {
  return f;
}

/** Thrown through the rules to end a parse that has reported as many errors as it may. */
class ErrorLimitReached extends Error {}

// chevrotain records every syntax error through this method, which its typings do not show.
const saveError = (EmbeddedActionsParser.prototype as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException }).SAVE_ERROR;

/** The arguments of `expr` for an element of a set; one object, as chevrotain only reads it. */
const OPERANDS_ONLY: { ARGS: [operandsOnly: boolean] } = { ARGS: [true] };

/** Prefix operators, and the first tokens of the suffixes (`.F`, `[hi:lo]`), by token type index. */
const PREFIX_OPERATORS = [T.Bang, T.Tilde, T.Minus];
const startsPrefix = tokenSet(PREFIX_OPERATORS);
/** No prefix operators (never added to). */
const NO_TOKENS: IToken[] = [];
const startsSuffix = tokenSet([T.Dot, T.LBracket]);
function tokenSet(types: readonly TokenType[]): Uint8Array {
  const set = new Uint8Array(Math.max(...T.allTokens.map((t) => t.tokenTypeIdx as number)) + 1);
  for (const t of types) set[t.tokenTypeIdx as number] = 1;
  return set;
}

class RuleGrammar extends EmbeddedActionsParser {
  /** Builds the nodes of the file being parsed. */
  private ast: AstBuilder | undefined;
  private errorLimit = Infinity;
  private errorCount = 0;

  constructor() {
    // chevrotain's grammar validations are most of the time it takes to build the parser; they
    // can only fail on a change to this file, which the tests (run from the sources) see.
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 2, skipValidations: COMPILED });
    this.performSelfAnalysis();
  }

  /**
   * Parses one file's tokens; the AST is undefined when there were syntax errors. At the error
   * after `errorLimit` errors the parse stops (`stopped`; that error is the last in `errors`).
   * The parser keeps no reference to the tokens afterwards.
   */
  parse(tokens: IToken[], source: SourceText, errorLimit = Infinity): { ast: A.RuleFile | undefined; errors: IRecognitionException[]; stopped: boolean } {
    this.ast = new AstBuilder(source);
    this.input = tokens;
    this.errorLimit = errorLimit;
    this.errorCount = 0;
    try {
      const file = this.file();
      const errors = this.errors;
      return { ast: errors.length === 0 ? file : undefined, errors, stopped: false };
    } catch (err) {
      if (!(err instanceof ErrorLimitReached)) throw err;
      return { ast: undefined, errors: this.errors, stopped: true };
    } finally {
      this.input = [];
      this.ast = undefined;
    }
  }

  /** Records an error, as chevrotain does, and stops the parse at the limit. */
  protected SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = saveError.call(this, error);
    if (++this.errorCount > this.errorLimit) throw new ErrorLimitReached();
    return saved;
  }

  // ------------------------------------------------------------ helpers

  private get nodes(): AstBuilder {
    return this.ast as AstBuilder;
  }

  /**
   * Runs an action that builds a node; not while chevrotain records the grammar (what `ACTION`
   * does, without another closure per node). After a syntax error the tree is discarded and
   * recovered parts may be missing, so a failure to build is ignored then; on a clean parse it
   * is a bug and propagates.
   */
  private build<R>(make: () => R): R {
    if (this.RECORDING_PHASE) return undefined as R;
    try {
      return make();
    } catch (err) {
      if (this.errors.length > 0) return undefined as R;
      throw err;
    }
  }

  /** From `first` to the last token consumed so far. */
  private rangeFrom(first: IToken): A.Range {
    return this.nodes.tokens(first, this.LA(0));
  }

  // `OR` alternatives built once, as chevrotain's performance guide advises: each list is built
  // on its first use as `(this.xAlts ??= [...])`, which evaluates the list, and allocates its
  // closures, only that once (a cache looked up by a key and given a function that builds the
  // list would allocate that function on every call). The closures capture nothing but `this`.
  private declAlts?: IOrAlt<A.Decl>[];
  private typeRefAlts?: IOrAlt<IToken>[];
  private stmtAlts?: IOrAlt<A.Stmt>[];
  private guardAlts?: IOrAlt<A.Expr | undefined>[];
  private contractItemAlts?: IOrAlt<{ assumption: A.Expr } | { clause: A.ObserveClause }>[];
  private outcomeAlts?: IOrAlt<A.Outcome>[];
  private bindingItemAlts?: IOrAlt<A.BindingItem>[];
  private operatorStepAlts?: IOrAlt<ChainItem[]>[];
  private binaryOperatorAlts?: IOrAlt<IToken>[];
  private setAlts?: IOrAlt<A.SetExpr>[];
  private prefixOperatorAlts?: IOrAlt<IToken>[];
  private suffixAlts?: IOrAlt<(target: A.Expr) => A.Expr>[];
  private primaryAlts?: IOrAlt<A.Expr>[];

  private tokenAlts(tokens: readonly TokenType[]): IOrAlt<IToken>[] {
    return tokens.map((t) => ({ ALT: () => this.CONSUME(t) }));
  }

  // ------------------------------------------------------------ file and declarations

  file = this.RULE("file", (): A.RuleFile => {
    const decls: A.Decl[] = [];
    this.MANY(() => {
      decls.push(this.SUBRULE(this.decl));
    });
    return this.build(() => ({ path: this.nodes.src.path, decls, range: this.nodes.range(0, this.nodes.src.text.length) }));
  });

  decl = this.RULE("decl", (): A.Decl => {
    return this.OR(
      (this.declAlts ??= [
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.sourceDecl) },
        { ALT: () => this.SUBRULE(this.enumDecl) },
        { ALT: () => this.SUBRULE(this.layoutDecl) },
        { ALT: () => this.SUBRULE(this.sysregDecl) },
        { ALT: () => this.SUBRULE(this.capabilityDecl) },
        { ALT: () => this.SUBRULE(this.exitcodeDecl) },
        { ALT: () => this.SUBRULE(this.externalDecl) },
        { ALT: () => this.SUBRULE(this.recordDecl) },
        { ALT: () => this.SUBRULE(this.constDecl) },
        { ALT: () => this.SUBRULE(this.predDecl) },
        { ALT: () => this.SUBRULE(this.fnDecl) },
        { ALT: () => this.SUBRULE(this.handlerDecl) },
        { ALT: () => this.SUBRULE(this.contractDecl) },
        { ALT: () => this.SUBRULE(this.bindingDecl) },
        { ALT: () => this.SUBRULE(this.variantDecl) },
        { ALT: () => this.SUBRULE(this.erratumDecl) },
      ]),
    );
  });

  importDecl = this.RULE("importDecl", (): A.ImportDecl => {
    const first = this.CONSUME(K.import);
    const path = this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.importDecl(first, path, this.LA(0)));
  });

  sourceDecl = this.RULE("sourceDecl", (): A.SourceDecl => {
    const first = this.CONSUME(K.source);
    const text = this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.sourceDecl(first, text, this.LA(0)));
  });

  // enum FaultStatus : 6 { TRANS level 0..3 = 0x04, level -1 = 0x2B; SEA = 0x10; }
  enumDecl = this.RULE("enumDecl", (): A.EnumDecl => {
    const first = this.CONSUME(K.enum);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const width = this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.LBrace);
    const members: A.EnumMember[] = [];
    this.MANY(() => {
      members.push(this.SUBRULE(this.enumMember));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => ({ kind: "enum", name: this.nodes.name(name), width: this.nodes.smallInt(width), members, range: this.rangeFrom(first) }));
  });

  enumMember = this.RULE("enumMember", (): A.EnumMember => {
    const name = this.CONSUME(T.Identifier);
    const levels: A.LevelSpec[] = [];
    const value = this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Assign);
          return this.CONSUME(T.IntegerLiteral);
        },
      },
      {
        ALT: () => {
          this.AT_LEAST_ONE_SEP({
            SEP: T.Comma,
            DEF: () => {
              levels.push(this.SUBRULE(this.levelSpec));
            },
          });
          return undefined;
        },
      },
    ]);
    const meaning = this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.Semicolon);
    return this.build(() => ({
      name: this.nodes.name(name),
      value: value === undefined ? undefined : this.nodes.intLiteral(value),
      levels,
      meaning: meaning === undefined ? undefined : this.nodes.stringValue(meaning),
      range: this.rangeFrom(name),
    }));
  });

  levelSpec = this.RULE("levelSpec", (): A.LevelSpec => {
    const first = this.CONSUME(K.level);
    const from = this.SUBRULE(this.signedInt);
    const to = this.OPTION(() => {
      this.CONSUME(T.DotDot);
      return this.SUBRULE2(this.signedInt);
    });
    this.CONSUME(T.Assign);
    const value = this.CONSUME(T.IntegerLiteral);
    return this.build(() => ({ from, to: to ?? from, value: this.nodes.intLiteral(value), range: this.rangeFrom(first) }));
  });

  signedInt = this.RULE("signedInt", (): A.SignedInt => {
    const minus = this.OPTION(() => this.CONSUME(T.Minus));
    const literal = this.CONSUME(T.IntegerLiteral);
    return this.build(() => this.nodes.signedInt(minus, literal));
  });

  // layout ESR : 64 { EC [31:26] : ExceptionClass; IL [25]; }
  layoutDecl = this.RULE("layoutDecl", (): A.LayoutDecl => {
    const first = this.CONSUME(K.layout);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const width = this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.LBrace);
    const fields: A.LayoutField[] = [];
    this.MANY(() => {
      fields.push(this.SUBRULE(this.layoutField));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => ({ kind: "layout", name: this.nodes.name(name), width: this.nodes.smallInt(width), fields, range: this.rangeFrom(first) }));
  });

  layoutField = this.RULE("layoutField", (): A.LayoutField => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LBracket);
    const hi = this.CONSUME(T.IntegerLiteral);
    const lo = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.CONSUME2(T.IntegerLiteral);
    });
    this.CONSUME(T.RBracket);
    const values = this.OPTION2(() => {
      this.CONSUME2(T.Colon);
      return this.CONSUME2(T.Identifier);
    });
    const meaning = this.OPTION3(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.Semicolon);
    return this.build(() => {
      const high = this.nodes.smallInt(hi);
      return {
        name: this.nodes.name(name),
        hi: high,
        lo: lo === undefined ? high : this.nodes.smallInt(lo),
        values: values === undefined ? undefined : this.nodes.name(values),
        meaning: meaning === undefined ? undefined : this.nodes.stringValue(meaning),
        range: this.rangeFrom(name),
      };
    });
  });

  typeRef = this.RULE("typeRef", (): A.TypeRef => {
    const t = this.OR((this.typeRefAlts ??= this.tokenAlts([T.IntegerLiteral, T.Identifier])));
    return this.build(() => this.nodes.typeRef(t));
  });

  sysregDecl = this.RULE("sysregDecl", (): A.SysregDecl => {
    const first = this.CONSUME(K.sysreg);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.sysregDecl(first, name, type, this.LA(0)));
  });

  capabilityDecl = this.RULE("capabilityDecl", (): A.CapabilityDecl => {
    const first = this.CONSUME(K.capability);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.capabilityDecl(first, name, this.LA(0)));
  });

  exitcodeDecl = this.RULE("exitcodeDecl", (): A.ExitCodeDecl => {
    const first = this.CONSUME(K.exitcode);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    const value = this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.exitcodeDecl(first, name, value, this.LA(0)));
  });

  // variant ESR.ISS on EC { DABT_LOW, DABT_CUR : DataAbortISS; }
  variantDecl = this.RULE("variantDecl", (): A.VariantDecl => {
    const first = this.CONSUME(K.variant);
    const layout = this.CONSUME(T.Identifier);
    const field = this.OPTION(() => {
      this.CONSUME(T.Dot);
      return this.CONSUME2(T.Identifier);
    });
    this.CONSUME(K.on);
    const selector = this.CONSUME3(T.Identifier);
    this.CONSUME(T.LBrace);
    const cases: A.VariantCase[] = [];
    this.MANY(() => {
      cases.push(this.SUBRULE(this.variantCase));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => ({
      kind: "variant",
      layout: this.nodes.name(layout),
      field: field === undefined ? undefined : this.nodes.name(field),
      selector: this.nodes.name(selector),
      cases,
      range: this.rangeFrom(first),
    }));
  });

  variantCase = this.RULE("variantCase", (): A.VariantCase => {
    const members: IToken[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        members.push(this.CONSUME(T.Identifier));
      },
    });
    this.CONSUME(T.Colon);
    const target = this.CONSUME2(T.Identifier);
    this.CONSUME(T.Semicolon);
    return this.build(() => ({ members: members.map((m) => this.nodes.name(m)), target: this.nodes.name(target), range: this.rangeFrom(members[0]) }));
  });

  // erratum 834220 : ARM64_WORKAROUND_834220 "citation" { ArmPart.CORTEX_A57 r0p0..r1p2; }
  erratumDecl = this.RULE("erratumDecl", (): A.ErratumDecl => {
    const first = this.CONSUME(K.erratum);
    const number = this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.Colon);
    const capability = this.CONSUME(T.Identifier);
    const citation = this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LBrace);
    const ranges: A.ErratumRange[] = [];
    this.MANY(() => {
      ranges.push(this.SUBRULE(this.erratumRange));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => ({
      kind: "erratum",
      number: this.nodes.intLiteral(number),
      capability: this.nodes.name(capability),
      citation: citation === undefined ? undefined : this.nodes.stringValue(citation),
      ranges,
      range: this.rangeFrom(first),
    }));
  });

  erratumRange = this.RULE("erratumRange", (): A.ErratumRange => {
    const partEnum = this.CONSUME(T.Identifier);
    this.CONSUME(T.Dot);
    const part = this.CONSUME2(T.Identifier);
    const from = this.CONSUME3(T.Identifier);
    this.CONSUME(T.DotDot);
    const to = this.CONSUME4(T.Identifier);
    this.CONSUME(T.Semicolon);
    return this.build(() => ({
      partEnum: this.nodes.name(partEnum),
      part: this.nodes.name(part),
      from: this.nodes.name(from),
      to: this.nodes.name(to),
      range: this.rangeFrom(partEnum),
    }));
  });

  externalDecl = this.RULE("externalDecl", (): A.ExternalDecl => {
    const first = this.CONSUME(K.external);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.externalDecl(first, name, this.LA(0)));
  });

  recordDecl = this.RULE("recordDecl", (): A.RecordDecl => {
    const first = this.CONSUME(K.record);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    const fields: A.RecordField[] = [];
    this.MANY(() => {
      fields.push(this.SUBRULE(this.recordField));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => this.nodes.recordDecl(first, name, fields, this.LA(0)));
  });

  recordField = this.RULE("recordField", (): A.RecordField => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.recordField(name, type, this.LA(0)));
  });

  constDecl = this.RULE("constDecl", (): A.ConstDecl => {
    const first = this.CONSUME(K.const);
    const name = this.CONSUME(T.Identifier);
    const type = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Assign);
    const value = this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.constDecl(first, name, type, value, this.LA(0)));
  });

  params = this.RULE("params", (): A.Param[] => {
    const params: A.Param[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: unnamed(() => {
        params.push(this.SUBRULE(this.param));
      }),
    });
    this.CONSUME(T.RParen);
    return params;
  });

  param = this.RULE("param", (): A.Param => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    return this.build(() => this.nodes.param(name, type, this.LA(0)));
  });

  predDecl = this.RULE("predDecl", (): A.PredDecl => {
    const first = this.CONSUME(K.pred);
    const name = this.CONSUME(T.Identifier);
    const params = this.SUBRULE(this.params);
    this.CONSUME(T.Assign);
    const body = this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.predDecl(first, name, params, body, this.LA(0)));
  });

  fnDecl = this.RULE("fnDecl", (): A.FnDecl => {
    const first = this.CONSUME(K.fn);
    const name = this.CONSUME(T.Identifier);
    const params = this.SUBRULE(this.params);
    this.CONSUME(T.Colon);
    const result = this.SUBRULE(this.typeRef);
    this.CONSUME(T.Assign);
    const body = this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.fnDecl(first, name, params, result, body, this.LA(0)));
  });

  handlerDecl = this.RULE("handlerDecl", (): A.HandlerDecl => {
    const first = this.CONSUME(K.handler);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(K.records);
    const record = this.CONSUME2(T.Identifier);
    const body = this.SUBRULE(this.block);
    return this.build(() => this.nodes.handlerDecl(first, name, record, body, this.LA(0)));
  });

  block = this.RULE("block", (): A.Stmt[] => {
    const stmts: A.Stmt[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      stmts.push(this.SUBRULE(this.stmt));
    });
    this.CONSUME(T.RBrace);
    return stmts;
  });

  stmt = this.RULE("stmt", (): A.Stmt =>
    this.OR(
      (this.stmtAlts ??= [
        { ALT: () => this.SUBRULE(this.letStmt) },
        { ALT: () => this.SUBRULE(this.recordStmt) },
        { ALT: () => this.SUBRULE(this.rulesStmt) },
        { ALT: () => this.SUBRULE(this.outcomeStmt) },
      ]),
    ),
  );

  letStmt = this.RULE("letStmt", (): A.LetStmt => {
    const first = this.CONSUME(K.let);
    const name = this.CONSUME(T.Identifier);
    const type = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Assign);
    const value = this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.letStmt(first, name, type, value, this.LA(0)));
  });

  recordStmt = this.RULE("recordStmt", (): A.RecordStmt => {
    const first = this.CONSUME(K.record);
    const field = this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    const value = this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.recordStmt(first, field, value, this.LA(0)));
  });

  rulesStmt = this.RULE("rulesStmt", (): A.RulesStmt => {
    const first = this.CONSUME(K.rules);
    this.CONSUME(T.LBrace);
    const rules: A.Rule[] = [];
    this.MANY(() => {
      rules.push(this.SUBRULE(this.ruleDecl));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => this.nodes.rulesStmt(first, rules, this.LA(0)));
  });

  ruleDecl = this.RULE("ruleDecl", (): A.Rule => {
    const first = this.CONSUME(K.rule);
    const name = this.CONSUME(T.Identifier);
    const guard = this.OR(
      (this.guardAlts ??= [
        {
          ALT: () => {
            this.CONSUME(K.when);
            return this.SUBRULE(this.expr);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.otherwise);
            return undefined;
          },
        },
      ]),
    );
    const body = this.SUBRULE(this.block);
    return this.build(() => this.nodes.rule(first, name, guard, body, this.LA(0)));
  });

  outcome = this.RULE("outcome", (): A.Outcome =>
    this.OR(
      (this.outcomeAlts ??= [
        {
          ALT: () => {
            const first = this.CONSUME(K.exit);
            const code = this.CONSUME(T.Identifier);
            return this.build(() => this.nodes.exitOutcome(first, code, this.LA(0)));
          },
        },
        {
          ALT: () => {
            const first = this.CONSUME(K.retry);
            return this.build(() => this.nodes.retryOutcome(first, this.LA(0)));
          },
        },
        {
          ALT: () => {
            const first = this.CONSUME(K.handoff);
            const target = this.CONSUME2(T.Identifier);
            return this.build(() => this.nodes.handoffOutcome(first, target, this.LA(0)));
          },
        },
      ]),
    ),
  );

  outcomeStmt = this.RULE("outcomeStmt", (): A.OutcomeStmt => {
    const first = this.LA(1);
    const outcome = this.SUBRULE(this.outcome);
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.outcomeStmt(first, outcome, this.LA(0)));
  });

  contractDecl = this.RULE("contractDecl", (): A.ContractDecl => {
    const first = this.CONSUME(K.contract);
    const handler = this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    const assumptions: A.Expr[] = [];
    const clauses: A.ObserveClause[] = [];
    this.MANY(() => {
      const item = this.OR(
        (this.contractItemAlts ??= [
          { ALT: () => ({ assumption: this.SUBRULE(this.assumeClause) }) },
          { ALT: () => ({ clause: this.SUBRULE(this.observeClause) }) },
        ]),
      );
      if (this.RECORDING_PHASE || item === undefined) return;
      if ("assumption" in item) assumptions.push(item.assumption);
      else clauses.push(item.clause);
    });
    this.CONSUME(T.RBrace);
    return this.build(() => this.nodes.contractDecl(first, handler, assumptions, clauses, this.LA(0)));
  });

  assumeClause = this.RULE("assumeClause", (): A.Expr => {
    this.CONSUME(K.assume);
    const e = this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
    return e;
  });

  observeClause = this.RULE("observeClause", (): A.ObserveClause => {
    const first = this.CONSUME(K.on);
    const outcome = this.SUBRULE(this.outcome);
    this.CONSUME(T.LBrace);
    const fields: A.ObservedField[] = [];
    this.MANY(() => {
      fields.push(this.SUBRULE(this.observedField));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => this.nodes.observeClause(first, outcome, fields, this.LA(0)));
  });

  observedField = this.RULE("observedField", (): A.ObservedField => {
    const first = this.CONSUME(K.observe);
    const field = this.CONSUME(T.Identifier);
    const condition = this.OPTION(() => {
      this.CONSUME(K.when);
      return this.SUBRULE(this.expr);
    });
    this.CONSUME(T.Semicolon);
    return this.build(() => this.nodes.observedField(first, field, condition, this.LA(0)));
  });

  // binding __get_fault_info for fixup_guest_exit { kernel "6.12"; when C; x0 = E; x1 = &S { f, g }; return w0 { 1: exit X; 0: retry; } }
  bindingDecl = this.RULE("bindingDecl", (): A.BindingDecl => {
    const first = this.CONSUME(K.binding);
    const symbol = this.CONSUME(T.Identifier);
    const forWord = this.CONSUME2(T.Identifier);
    const handler = this.CONSUME3(T.Identifier);
    this.CONSUME(T.LBrace);
    const items: A.BindingItem[] = [];
    this.MANY(() => {
      items.push(this.SUBRULE(this.bindingItem));
    });
    this.CONSUME(T.RBrace);
    return this.build(() => ({
      kind: "binding", symbol: this.nodes.name(symbol), forWord: this.nodes.name(forWord), handler: this.nodes.name(handler), items, range: this.rangeFrom(first),
    }));
  });

  bindingItem = this.RULE("bindingItem", (): A.BindingItem =>
    this.OR(
      (this.bindingItemAlts ??= [
        {
          // when COND;
          ALT: () => {
            const first = this.CONSUME(K.when);
            const condition = this.SUBRULE(this.expr);
            this.CONSUME(T.Semicolon);
            return this.build((): A.BindingItem => ({ kind: "when", condition, range: this.rangeFrom(first) }));
          },
        },
        {
          // kernel "6.12";
          GATE: () => this.LA(2).tokenType === T.StringLiteral,
          ALT: () => {
            const word = this.CONSUME(T.Identifier);
            const release = this.CONSUME(T.StringLiteral);
            this.CONSUME5(T.Semicolon);
            return this.build((): A.BindingItem => ({ kind: "kernel", word: this.nodes.name(word), release: this.nodes.stringValue(release), range: this.rangeFrom(word) }));
          },
        },
        {
          // xN = &STRUCT { field, ... };  or  xN = EXPR;
          GATE: () => this.LA(2).tokenType === T.Assign,
          ALT: () => {
            const reg = this.CONSUME2(T.Identifier);
            this.CONSUME(T.Assign);
            return this.OR2([
              {
                ALT: () => {
                  this.CONSUME(T.Amp);
                  const struct = this.CONSUME3(T.Identifier);
                  this.CONSUME(T.LBrace);
                  const fields: IToken[] = [];
                  this.MANY_SEP({ SEP: T.Comma, DEF: () => fields.push(this.CONSUME4(T.Identifier)) });
                  this.CONSUME(T.RBrace);
                  this.CONSUME2(T.Semicolon);
                  return this.build((): A.BindingItem => ({
                    kind: "recordArg", reg: this.nodes.name(reg), struct: this.nodes.name(struct), fields: fields.map((f) => this.nodes.name(f)), range: this.rangeFrom(reg),
                  }));
                },
              },
              {
                ALT: () => {
                  const value = this.SUBRULE2(this.expr);
                  this.CONSUME3(T.Semicolon);
                  return this.build((): A.BindingItem => ({ kind: "valueArg", reg: this.nodes.name(reg), value, range: this.rangeFrom(reg) }));
                },
              },
            ]);
          },
        },
        {
          // return w0 { 1: exit X; 0: retry; }
          ALT: () => {
            const word = this.CONSUME5(T.Identifier);
            const reg = this.CONSUME6(T.Identifier);
            this.CONSUME2(T.LBrace);
            const cases: A.BindingReturnCase[] = [];
            this.MANY2(() => {
              const value = this.CONSUME(T.IntegerLiteral);
              this.CONSUME(T.Colon);
              const outcome = this.SUBRULE(this.outcome);
              this.CONSUME4(T.Semicolon);
              cases.push(this.build(() => ({ value: this.nodes.intLiteral(value), outcome, range: this.rangeFrom(value) })));
            });
            this.CONSUME2(T.RBrace);
            return this.build((): A.BindingItem => ({ kind: "return", word: this.nodes.name(word), reg: this.nodes.name(reg), cases, range: this.rangeFrom(word) }));
          },
        },
      ]),
    ),
  );

  // ------------------------------------------------------------ expressions

  /**
   * Every binary operator in one loop: operands, operators and membership tests are read in
   * order and the tree is built by precedence (precedence.ts). A gate ends the loop where the
   * language does: at a second comparison in a row (`a == b == c` does not chain) and, for the
   * elements of a set (`operandsOnly`), at any comparison or logical operator.
   */
  expr = this.RULE("expr", (operandsOnly = false): A.Expr => {
    const first = this.LA(1);
    const operand = this.SUBRULE(this.unaryExpr);
    // Most expressions are one operand. When the loop's gate already says no, the loop is not
    // entered at all: it would match nothing, and, ending the rule, it attempts no recovery.
    // (While chevrotain records the grammar it is always entered.)
    if (!this.RECORDING_PHASE && !this.continuesExpr(operandsOnly, false)) return operand;
    const items: ChainItem[] = [{ kind: "operand", expr: operand, start: first.startOffset }];
    let compared = false;
    this.MANY({
      GATE: unnamed(() => this.continuesExpr(operandsOnly, compared)),
      DEF: unnamed(() => {
        const step = this.OR(this.operatorSteps);
        if (this.RECORDING_PHASE) return;
        const head = step[0];
        const group = head.kind === "membership" ? "compare" : head.kind === "operator" ? operatorGroup(head.token.tokenType) : undefined;
        if (group === "logical") compared = false;
        else if (group === "compare") compared = true;
        for (let i = 0; i < step.length; i++) items.push(step[i]);
      }),
    });
    return this.build(() => (items.length === 1 && items[0].kind === "operand" ? items[0].expr : this.nodes.chain(items)));
  });

  /** The gate of `expr`'s loop: whether the next token goes on with the expression. */
  private continuesExpr(operandsOnly: boolean, compared: boolean): boolean {
    const group = operatorGroup(this.LA(1).tokenType);
    return group === "operand" || (!operandsOnly && (group === "logical" || (group === "compare" && !compared)));
  }

  /** What may follow an operand in `expr`: an operator and its right operand, or a membership test. Built once; they capture nothing. */
  private get operatorSteps(): IOrAlt<ChainItem[]>[] {
    return (this.operatorStepAlts ??= [
      {
        ALT: (): ChainItem[] => {
          const token = this.OR2((this.binaryOperatorAlts ??= this.tokenAlts(binaryOperators.map((o) => o.token))));
          const first = this.LA(1);
          const expr = this.SUBRULE2(this.unaryExpr);
          return [
            { kind: "operator", token },
            { kind: "operand", expr, start: first.startOffset },
          ];
        },
      },
      {
        ALT: (): ChainItem[] => {
          const not = this.OPTION(() => this.CONSUME(K.not));
          this.CONSUME(K.in);
          const set = this.SUBRULE(this.setExpr);
          return [{ kind: "membership", negated: not !== undefined, set }];
        },
      },
    ]);
  }

  setExpr = this.RULE("setExpr", (): A.SetExpr =>
    this.OR((this.setAlts ??= [
      {
        ALT: () => {
          const first = this.CONSUME(T.LBrace);
          const elements: A.Expr[] = [];
          this.AT_LEAST_ONE_SEP({
            SEP: T.Comma,
            DEF: unnamed(() => {
              elements.push(this.SUBRULE(this.expr, OPERANDS_ONLY));
            }),
          });
          this.CONSUME(T.RBrace);
          return this.build(() => this.nodes.setLiteral(first, elements, this.LA(0)));
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(T.Identifier);
          return this.build(() => this.nodes.setName(name));
        },
      },
    ])),
  );

  /** Prefix operators, an operand, then field accesses and slices, which bind tighter. */
  // Most operands have neither prefixes nor suffixes. A loop whose first token is not next
  // would match nothing and attempts no recovery (a rule follows the first loop, the rule ends
  // after the second), so it is entered only when its first token is next, or while
  // chevrotain records the grammar.
  unaryExpr = this.RULE("unaryExpr", (): A.Expr => {
    const prefixes: IToken[] = this.RECORDING_PHASE || startsPrefix[this.LA(1).tokenTypeIdx] === 1 ? this.prefixOperators() : NO_TOKENS;
    const operand = this.SUBRULE(this.primaryExpr);
    if (!this.RECORDING_PHASE && startsSuffix[this.LA(1).tokenTypeIdx] !== 1) {
      return prefixes.length === 0 ? operand : this.build(() => this.nodes.prefixed(prefixes, operand, this.LA(0)));
    }
    const suffixes: ((target: A.Expr) => A.Expr)[] = [];
    this.MANY2(() =>
      suffixes.push(
        this.OR2(
          (this.suffixAlts ??= [
            { ALT: () => this.SUBRULE(this.fieldSuffix) },
            { ALT: () => this.SUBRULE(this.sliceSuffix) },
          ]),
        ),
      ),
    );
    return this.build(() => (prefixes.length === 0 && suffixes.length === 0 ? operand : this.nodes.unary(prefixes, operand, suffixes, this.LA(0))));
  });

  /** The prefix operators before an operand: a loop of `unaryExpr`. */
  private prefixOperators(): IToken[] {
    const prefixes: IToken[] = [];
    this.MANY(() => {
      prefixes.push(this.OR((this.prefixOperatorAlts ??= this.tokenAlts(PREFIX_OPERATORS))));
    });
    return prefixes;
  }

  fieldSuffix = this.RULE("fieldSuffix", (): ((target: A.Expr) => A.Expr) => {
    const first = this.CONSUME(T.Dot);
    const field = this.CONSUME(T.Identifier);
    return this.build(() => {
      const range = this.rangeFrom(first);
      const name = this.nodes.name(field);
      return (target: A.Expr): A.Expr => this.nodes.field(target, name, range);
    });
  });

  sliceSuffix = this.RULE("sliceSuffix", (): ((target: A.Expr) => A.Expr) => {
    const first = this.CONSUME(T.LBracket);
    const hi = this.SUBRULE(this.signedInt);
    const lo = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.SUBRULE2(this.signedInt);
    });
    this.CONSUME(T.RBracket);
    return this.build(() => {
      const range = this.rangeFrom(first);
      return (target: A.Expr): A.Expr => this.nodes.slice(target, hi, lo, range);
    });
  });

  primaryExpr = this.RULE("primaryExpr", (): A.Expr =>
    this.OR(
      (this.primaryAlts ??= [
        {
          ALT: () => {
            const t = this.CONSUME(T.IntegerLiteral);
            return this.build(() => this.nodes.intLiteral(t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.true);
            return this.build(() => this.nodes.bool(t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.false);
            return this.build(() => this.nodes.bool(t));
          },
        },
        { ALT: () => this.SUBRULE(this.readExpr) },
        { ALT: () => this.SUBRULE(this.atExpr) },
        {
          // A name, or a call. Part of this rule rather than a rule of its own: names are most
          // of the operands of a large file, and each rule invocation costs.
          ALT: () => {
            const callee = this.CONSUME(T.Identifier);
            // A name without arguments skips the OPTION, which would match nothing.
            if (!this.RECORDING_PHASE && this.LA(1).tokenType !== T.LParen) return this.build(() => this.nodes.nameOrCall(callee, undefined, callee));
            const args = this.OPTION(() => {
              const list: A.Expr[] = [];
              this.CONSUME2(T.LParen);
              this.MANY_SEP({
                SEP: T.Comma,
                DEF: unnamed(() => {
                  list.push(this.SUBRULE2(this.expr));
                }),
              });
              this.CONSUME2(T.RParen);
              return list;
            });
            return this.build(() => this.nodes.nameOrCall(callee, args, this.LA(0)));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            const e = this.SUBRULE(this.expr);
            this.CONSUME(T.RParen);
            return e;
          },
        },
      ]),
    ),
  );

  alternative = this.RULE("alternative", (): A.Alternative => {
    const base = this.CONSUME(T.Identifier);
    const replacement = this.OPTION(() => {
      this.CONSUME(K.or);
      const name = this.CONSUME2(T.Identifier);
      this.CONSUME(K.when);
      const capability = this.CONSUME3(T.Identifier);
      return { name, capability };
    });
    return this.build(() => this.nodes.alternative(base, replacement, this.LA(0)));
  });

  readExpr = this.RULE("readExpr", (): A.ReadExpr => {
    const first = this.CONSUME(K.read);
    const register = this.SUBRULE(this.alternative);
    return this.build(() => this.nodes.read(first, register, this.LA(0)));
  });

  atExpr = this.RULE("atExpr", (): A.AtExpr => {
    const first = this.CONSUME(K.at);
    const op = this.SUBRULE(this.alternative);
    this.CONSUME(T.LParen);
    const address = this.SUBRULE(this.expr);
    this.CONSUME(T.RParen);
    const preserving = this.OPTION(() => {
      this.CONSUME(K.preserving);
      return this.CONSUME(T.Identifier);
    });
    return this.build(() => this.nodes.at(first, op, address, preserving, this.LA(0)));
  });
}

let parser: RuleGrammar | undefined;

/**
 * The one parser instance of the process, built on first use: building it (chevrotain's
 * analysis of the grammar) costs a few hundred milliseconds that `faultc --help` and the
 * commands that never parse should not pay.
 */
export function ruleParser(): RuleGrammar {
  return (parser ??= new RuleGrammar());
}
