// The binary operators and how tightly each binds: the one table that both the grammar's
// operator loop (grammar.ts) and the tree it builds (build-ast.ts) read. All are
// left-associative. Comparisons (and `in`) sit between the logical and the bit-vector
// operators and do not chain: the grammar stops at a second comparison.
import type { IToken, TokenType } from "chevrotain";
import type { BinaryOp } from "./ast.ts";
import * as T from "./tokens.ts";

/** `logical` operators join comparisons, `compare` ones join operands, `operand` ones build operands. */
export type OperatorGroup = "logical" | "compare" | "operand";

interface BinaryOperator {
  token: TokenType;
  op: BinaryOp;
  /** Higher binds tighter. */
  precedence: number;
  group: OperatorGroup;
}

/** Loosest first. */
export const binaryOperators: readonly BinaryOperator[] = [
  { token: T.OrOr, op: "||", precedence: 1, group: "logical" },
  { token: T.AndAnd, op: "&&", precedence: 2, group: "logical" },
  { token: T.EqEq, op: "==", precedence: 3, group: "compare" },
  { token: T.NotEq, op: "!=", precedence: 3, group: "compare" },
  { token: T.LessEq, op: "<=", precedence: 3, group: "compare" },
  { token: T.GreaterEq, op: ">=", precedence: 3, group: "compare" },
  { token: T.Less, op: "<", precedence: 3, group: "compare" },
  { token: T.Greater, op: ">", precedence: 3, group: "compare" },
  { token: T.Pipe, op: "|", precedence: 4, group: "operand" },
  { token: T.Caret, op: "^", precedence: 5, group: "operand" },
  { token: T.Amp, op: "&", precedence: 6, group: "operand" },
  { token: T.ShiftLeft, op: "<<", precedence: 7, group: "operand" },
  { token: T.ShiftRight, op: ">>", precedence: 7, group: "operand" },
  { token: T.Plus, op: "+", precedence: 8, group: "operand" },
  { token: T.Minus, op: "-", precedence: 8, group: "operand" },
];

/** `x in SET` and `x not in SET` bind as comparisons. */
export const MEMBERSHIP_PRECEDENCE = 3;

// By token type index (the parser asks for every operand): the group of the operator a token
// starts, and the precedence of a binary operator's token.
const groupByTokenIdx: (OperatorGroup | undefined)[] = [];
const precedenceByTokenIdx: (number | undefined)[] = [];
for (const o of binaryOperators) {
  groupByTokenIdx[o.token.tokenTypeIdx as number] = o.group;
  precedenceByTokenIdx[o.token.tokenTypeIdx as number] = o.precedence;
}
groupByTokenIdx[T.keywords.in.tokenTypeIdx as number] = "compare";
groupByTokenIdx[T.keywords.not.tokenTypeIdx as number] = "compare";

/** The group of the operator a token starts, if it starts one (`not` and `in` start a membership test). */
export function operatorGroup(token: TokenType): OperatorGroup | undefined {
  return groupByTokenIdx[token.tokenTypeIdx as number];
}

/** The precedence of the binary operator a token is. */
export function tokenPrecedence(token: IToken): number {
  const p = precedenceByTokenIdx[token.tokenTypeIdx];
  if (p === undefined) throw new Error(`'${token.image}' is not a binary operator`);
  return p;
}

