// The lexer of the rule language: one token type per keyword and punctuator. Keywords are
// declared with `longer_alt: Identifier` so that `rules_x` lexes as one identifier, as in
// chevrotain's own examples.
import type { IToken, TokenType } from "chevrotain";
import { COMPILED } from "../io/build-mode.ts";
import { createToken, Lexer } from "./chevrotain.ts";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
export const IntegerLiteral = createToken({
  name: "IntegerLiteral",
  pattern: /0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|[0-9](?:_?[0-9])*/,
});
// Strings hold citations and names; they may not span lines. The escapes are \" and \\ only,
// but a backslash before any other character still lexes as part of the string, so that
// parse.ts reports a bad escape as such rather than as a string that ends early.
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/ });
// A comment or string that never ends is lexed as one token, so that it is reported once, as
// what it is, instead of as a cascade of stray characters. parse.ts turns them into errors.
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, line_breaks: true });
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/ });
/** U+FEFF. Editors may write one at the start of a file; parse.ts accepts it there only. */
export const ByteOrderMark = createToken({ name: "ByteOrderMark", pattern: /\uFEFF/, group: "byteOrderMarks" });

const keywordNames = [
  "import", "source", "enum", "layout", "sysreg", "capability", "exitcode", "external", "record",
  "const", "pred", "fn", "handler", "records", "let", "rules", "rule", "when", "otherwise", "exit",
  "retry", "handoff", "read", "or", "at", "preserving", "contract", "assume", "on", "in", "not",
  "true", "false", "level", "observe", "binding", "variant", "erratum",
] as const;
export type Keyword = (typeof keywordNames)[number];

function keywordToken(word: string): TokenType {
  const name = "Kw" + word[0].toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}
export const keywords: Record<Keyword, TokenType> = Object.fromEntries(
  keywordNames.map((w) => [w, keywordToken(w)]),
) as Record<Keyword, TokenType>;

function punct(name: string, literal: string): TokenType {
  const escaped = literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return createToken({ name, pattern: new RegExp(escaped), label: `'${literal}'` });
}
// Longer punctuators come before their prefixes.
export const DotDot = punct("DotDot", "..");
export const AndAnd = punct("AndAnd", "&&");
export const OrOr = punct("OrOr", "||");
export const EqEq = punct("EqEq", "==");
export const NotEq = punct("NotEq", "!=");
export const LessEq = punct("LessEq", "<=");
export const GreaterEq = punct("GreaterEq", ">=");
export const ShiftLeft = punct("ShiftLeft", "<<");
export const ShiftRight = punct("ShiftRight", ">>");
export const Less = punct("Less", "<");
export const Greater = punct("Greater", ">");
export const Assign = punct("Assign", "=");
export const Bang = punct("Bang", "!");
export const Tilde = punct("Tilde", "~");
export const Amp = punct("Amp", "&");
export const Pipe = punct("Pipe", "|");
export const Caret = punct("Caret", "^");
export const Plus = punct("Plus", "+");
export const Minus = punct("Minus", "-");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const Colon = punct("Colon", ":");
export const Semicolon = punct("Semicolon", ";");
export const Comma = punct("Comma", ",");
export const Dot = punct("Dot", ".");

export const allTokens: TokenType[] = [
  WhiteSpace, ByteOrderMark, BlockComment, UnterminatedComment, LineComment,
  // Longest keywords first, so that `records` is not lexed as `record` + `s`.
  ...Object.values(keywords).sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier, IntegerLiteral, StringLiteral, UnterminatedString,
  DotDot, AndAnd, OrOr, EqEq, NotEq, LessEq, GreaterEq, ShiftLeft, ShiftRight, Less, Greater,
  Assign, Bang, Tilde, Amp, Pipe, Caret, Plus, Minus,
  LBrace, RBrace, LParen, RParen, LBracket, RBracket, Colon, Semicolon, Comma, Dot,
];

/**
 * One lexer instance for the whole process: chevrotain lexers are stateless between runs.
 * Tokens carry offsets only (SourceText maps them to lines and columns), which keeps them small.
 */
export const ruleLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: false,
  // Validations of the token definitions: run from the sources (the tests), skipped compiled.
  skipValidations: COMPILED,
  // parse.ts words its own messages; chevrotain's, built for every bad character of a large
  // file of garbage, cost more than lexing it.
  errorMessageProvider: { buildUnexpectedCharactersMessage: () => "", buildUnableToPopLexerModeMessage: () => "" },
});

/** The offset just past a token (tokens carry their start and their text, not their end). */
export function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}
