// The grammar of the rule language as a chevrotain CST parser. One instance is created and
// reused for every file (chevrotain's advice: building a parser analyses the whole grammar).
// Error recovery is on, so that one run reports every syntax error it can.
import type { CstNode, IToken } from "chevrotain";
import { CstParser } from "./chevrotain.ts";
import * as T from "./tokens.ts";

const K = T.keywords;

class RuleGrammar extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 2, nodeLocationTracking: "onlyOffset" });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.decl));
  });

  decl = this.RULE("decl", () => {
    this.OR([
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
    ]);
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(K.import);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semicolon);
  });

  sourceDecl = this.RULE("sourceDecl", () => {
    this.CONSUME(K.source);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semicolon);
  });

  // enum FaultStatus : 6 { TRANS level 0..3 = 0x04, level -1 = 0x2B; SEA = 0x10; }
  enumDecl = this.RULE("enumDecl", () => {
    this.CONSUME(K.enum);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.enumMember));
    this.CONSUME(T.RBrace);
  });

  enumMember = this.RULE("enumMember", () => {
    this.CONSUME(T.Identifier);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Assign);
          this.CONSUME(T.IntegerLiteral);
        },
      },
      {
        ALT: () => {
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.levelSpec) });
        },
      },
    ]);
    this.CONSUME(T.Semicolon);
  });

  levelSpec = this.RULE("levelSpec", () => {
    this.CONSUME(K.level);
    this.SUBRULE(this.signedInt, { LABEL: "from" });
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE2(this.signedInt, { LABEL: "to" });
    });
    this.CONSUME(T.Assign);
    this.CONSUME(T.IntegerLiteral);
  });

  signedInt = this.RULE("signedInt", () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.IntegerLiteral);
  });

  // layout ESR : 64 { EC [31:26] : ExceptionClass; IL [25]; }
  layoutDecl = this.RULE("layoutDecl", () => {
    this.CONSUME(K.layout);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.layoutField));
    this.CONSUME(T.RBrace);
  });

  layoutField = this.RULE("layoutField", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LBracket);
    this.CONSUME(T.IntegerLiteral, { LABEL: "hi" });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME2(T.IntegerLiteral, { LABEL: "lo" });
    });
    this.CONSUME(T.RBracket);
    this.OPTION2(() => {
      this.CONSUME2(T.Colon);
      this.CONSUME2(T.Identifier, { LABEL: "values" });
    });
    this.CONSUME(T.Semicolon);
  });

  typeRef = this.RULE("typeRef", () => {
    this.OR([{ ALT: () => this.CONSUME(T.IntegerLiteral) }, { ALT: () => this.CONSUME(T.Identifier) }]);
  });

  sysregDecl = this.RULE("sysregDecl", () => {
    this.CONSUME(K.sysreg);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME(T.Semicolon);
  });

  capabilityDecl = this.RULE("capabilityDecl", () => {
    this.CONSUME(K.capability);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Semicolon);
  });

  exitcodeDecl = this.RULE("exitcodeDecl", () => {
    this.CONSUME(K.exitcode);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.CONSUME(T.IntegerLiteral);
    this.CONSUME(T.Semicolon);
  });

  externalDecl = this.RULE("externalDecl", () => {
    this.CONSUME(K.external);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Semicolon);
  });

  recordDecl = this.RULE("recordDecl", () => {
    this.CONSUME(K.record);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.recordField));
    this.CONSUME(T.RBrace);
  });

  recordField = this.RULE("recordField", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME(T.Semicolon);
  });

  constDecl = this.RULE("constDecl", () => {
    this.CONSUME(K.const);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  params = this.RULE("params", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
  });

  param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
  });

  predDecl = this.RULE("predDecl", () => {
    this.CONSUME(K.pred);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.params);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  fnDecl = this.RULE("fnDecl", () => {
    this.CONSUME(K.fn);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.params);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  handlerDecl = this.RULE("handlerDecl", () => {
    this.CONSUME(K.handler);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(K.records);
    this.CONSUME2(T.Identifier, { LABEL: "record" });
    this.SUBRULE(this.block);
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RBrace);
  });

  stmt = this.RULE("stmt", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.recordStmt) },
      { ALT: () => this.SUBRULE(this.rulesStmt) },
      { ALT: () => this.SUBRULE(this.outcomeStmt) },
    ]);
  });

  letStmt = this.RULE("letStmt", () => {
    this.CONSUME(K.let);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  recordStmt = this.RULE("recordStmt", () => {
    this.CONSUME(K.record);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  rulesStmt = this.RULE("rulesStmt", () => {
    this.CONSUME(K.rules);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.ruleDecl));
    this.CONSUME(T.RBrace);
  });

  ruleDecl = this.RULE("ruleDecl", () => {
    this.CONSUME(K.rule);
    this.CONSUME(T.Identifier);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.when);
          this.SUBRULE(this.expr);
        },
      },
      { ALT: () => this.CONSUME(K.otherwise) },
    ]);
    this.SUBRULE(this.block);
  });

  outcome = this.RULE("outcome", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.exit);
          this.CONSUME(T.Identifier, { LABEL: "code" });
        },
      },
      { ALT: () => this.CONSUME(K.retry) },
      {
        ALT: () => {
          this.CONSUME(K.handoff);
          this.CONSUME2(T.Identifier, { LABEL: "target" });
        },
      },
    ]);
  });

  outcomeStmt = this.RULE("outcomeStmt", () => {
    this.SUBRULE(this.outcome);
    this.CONSUME(T.Semicolon);
  });

  contractDecl = this.RULE("contractDecl", () => {
    this.CONSUME(K.contract);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.assumeClause) },
        { ALT: () => this.SUBRULE(this.observeClause) },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  assumeClause = this.RULE("assumeClause", () => {
    this.CONSUME(K.assume);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  observeClause = this.RULE("observeClause", () => {
    this.CONSUME(K.on);
    this.SUBRULE(this.outcome);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.observedField));
    this.CONSUME(T.RBrace);
  });

  observedField = this.RULE("observedField", () => {
    this.CONSUME(K.observe);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(K.when);
      this.SUBRULE(this.expr);
    });
    this.CONSUME(T.Semicolon);
  });

  // ------------------------------------------------------------ expressions, loosest first

  expr = this.RULE("expr", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.OrOr, { LABEL: "operators" });
      this.SUBRULE2(this.andExpr, { LABEL: "operands" });
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.compareExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.AndAnd, { LABEL: "operators" });
      this.SUBRULE2(this.compareExpr, { LABEL: "operands" });
    });
  });

  // Comparisons do not chain: `a == b == c` is a syntax error, not a surprise.
  compareExpr = this.RULE("compareExpr", () => {
    this.SUBRULE(this.bitOrExpr, { LABEL: "left" });
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.EqEq, { LABEL: "operator" }) },
              { ALT: () => this.CONSUME(T.NotEq, { LABEL: "operator" }) },
              { ALT: () => this.CONSUME(T.LessEq, { LABEL: "operator" }) },
              { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: "operator" }) },
              { ALT: () => this.CONSUME(T.Less, { LABEL: "operator" }) },
              { ALT: () => this.CONSUME(T.Greater, { LABEL: "operator" }) },
            ]);
            this.SUBRULE2(this.bitOrExpr, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.OPTION2(() => this.CONSUME(K.not));
            this.CONSUME(K.in);
            this.SUBRULE(this.setExpr);
          },
        },
      ]),
    );
  });

  setExpr = this.RULE("setExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.bitOrExpr, { LABEL: "elements" }) });
          this.CONSUME(T.RBrace);
        },
      },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  bitOrExpr = this.RULE("bitOrExpr", () => this.binaryLevel(this.bitXorExpr, [T.Pipe]));
  bitXorExpr = this.RULE("bitXorExpr", () => this.binaryLevel(this.bitAndExpr, [T.Caret]));
  bitAndExpr = this.RULE("bitAndExpr", () => this.binaryLevel(this.shiftExpr, [T.Amp]));
  shiftExpr = this.RULE("shiftExpr", () => this.binaryLevel(this.additiveExpr, [T.ShiftLeft, T.ShiftRight]));
  additiveExpr = this.RULE("additiveExpr", () => this.binaryLevel(this.unaryExpr, [T.Plus, T.Minus]));

  unaryExpr = this.RULE("unaryExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Bang, { LABEL: "operator" }) },
            { ALT: () => this.CONSUME(T.Tilde, { LABEL: "operator" }) },
            { ALT: () => this.CONSUME(T.Minus, { LABEL: "operator" }) },
          ]);
          this.SUBRULE(this.unaryExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.postfixExpr) },
    ]);
  });

  postfixExpr = this.RULE("postfixExpr", () => {
    this.SUBRULE(this.primaryExpr);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.fieldSuffix, { LABEL: "suffixes" }) },
        { ALT: () => this.SUBRULE(this.sliceSuffix, { LABEL: "suffixes" }) },
      ]),
    );
  });

  fieldSuffix = this.RULE("fieldSuffix", () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Identifier);
  });

  sliceSuffix = this.RULE("sliceSuffix", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.signedInt, { LABEL: "hi" });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE2(this.signedInt, { LABEL: "lo" });
    });
    this.CONSUME(T.RBracket);
  });

  primaryExpr = this.RULE("primaryExpr", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.IntegerLiteral) },
      { ALT: () => this.CONSUME(K.true) },
      { ALT: () => this.CONSUME(K.false) },
      { ALT: () => this.SUBRULE(this.readExpr) },
      { ALT: () => this.SUBRULE(this.atExpr) },
      { ALT: () => this.SUBRULE(this.callOrName) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  callOrName = this.RULE("callOrName", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr, { LABEL: "args" }) });
      this.CONSUME(T.RParen);
    });
  });

  alternative = this.RULE("alternative", () => {
    this.CONSUME(T.Identifier, { LABEL: "base" });
    this.OPTION(() => {
      this.CONSUME(K.or);
      this.CONSUME2(T.Identifier, { LABEL: "replacement" });
      this.CONSUME(K.when);
      this.CONSUME3(T.Identifier, { LABEL: "capability" });
    });
  });

  readExpr = this.RULE("readExpr", () => {
    this.CONSUME(K.read);
    this.SUBRULE(this.alternative);
  });

  atExpr = this.RULE("atExpr", () => {
    this.CONSUME(K.at);
    this.SUBRULE(this.alternative);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RParen);
    this.OPTION(() => {
      this.CONSUME(K.preserving);
      this.CONSUME(T.Identifier);
    });
  });

  /** One precedence level: operands separated by any of `operators`, left-associative. */
  private binaryLevel(next: (idx: number) => CstNode, operators: typeof T.Pipe[]): void {
    this.SUBRULE(next, { LABEL: "operands" });
    this.MANY(() => {
      if (operators.length === 1) this.CONSUME(operators[0], { LABEL: "operators" });
      else this.OR(this.operatorAlternatives(operators));
      this.SUBRULE2(next, { LABEL: "operands" });
    });
  }

  // chevrotain's advice: build OR alternatives once, not on every call.
  private readonly alternativesCache = new Map<string, { ALT: () => IToken }[]>();
  private operatorAlternatives(operators: typeof T.Pipe[]): { ALT: () => IToken }[] {
    const key = operators.map((o) => o.name).join(",");
    let alts = this.alternativesCache.get(key);
    if (alts === undefined) {
      alts = operators.map((op) => ({ ALT: () => this.CONSUME(op, { LABEL: "operators" }) }));
      this.alternativesCache.set(key, alts);
    }
    return alts;
  }
}

export const ruleParser = new RuleGrammar();

export interface ParsedCst {
  cst: CstNode;
  tokens: IToken[];
}
