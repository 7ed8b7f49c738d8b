// The lexer of the rule language: one token type per keyword and punctuator. A keyword is a
// word that reads as an identifier and is one of the keywords, so that `rules_x` lexes as one
// identifier (see ruleLexer).
import type { ILexingResult, IToken, TokenType } from "chevrotain";
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
  // The pattern is for chevrotain's account of the grammar (the parser's vocabulary, the
  // railroad diagrams); the lexer finds keywords by their text.
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

/** Every token type of the language: the parser's vocabulary. */
export const allTokens: TokenType[] = [
  WhiteSpace, ByteOrderMark, BlockComment, UnterminatedComment, LineComment,
  // Longest keywords first, as when the lexer tried them one by one (`records` before `record`).
  ...Object.values(keywords).sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier, IntegerLiteral, StringLiteral, UnterminatedString,
  DotDot, AndAnd, OrOr, EqEq, NotEq, LessEq, GreaterEq, ShiftLeft, ShiftRight, Less, Greater,
  Assign, Bang, Tilde, Amp, Pipe, Caret, Plus, Minus,
  LBrace, RBrace, LParen, RParen, LBracket, RBracket, Colon, Semicolon, Comma, Dot,
];

const keywordTypes = new Set<TokenType>(Object.values(keywords));
const keywordByWord = new Map<string, TokenType>(Object.entries(keywords));
const LONGEST_KEYWORD = Math.max(...keywordNames.map((w) => w.length));
/** By character code: whether some keyword starts with that character. */
const startsKeyword = new Uint8Array(128);
for (const w of keywordNames) startsKeyword[w.charCodeAt(0)] = 1;

/**
 * One lexer instance for the whole process: chevrotain lexers are stateless between runs.
 * Tokens carry offsets only (SourceText maps them to lines and columns), which keeps them small.
 * It has no keyword tokens: an identifier whose text is a keyword becomes that keyword after
 * lexing (ruleLexer), which is what `longer_alt: Identifier` means (the longest identifier, a
 * keyword when it is exactly one) for one regular expression per word instead of one per
 * keyword sharing its first letter.
 */
const wordLexer = new Lexer(allTokens.filter((t) => !keywordTypes.has(t)), {
  positionTracking: "onlyOffset",
  ensureOptimizations: false,
  // Validations of the token definitions: run from the sources (the tests), skipped compiled.
  skipValidations: COMPILED,
  // parse.ts words its own messages; chevrotain's, built for every bad character of a large
  // file of garbage, cost more than lexing it.
  errorMessageProvider: { buildUnexpectedCharactersMessage: () => "", buildUnableToPopLexerModeMessage: () => "" },
});

/** The rule language's lexer. */
export const ruleLexer = {
  tokenize(text: string): ILexingResult {
    const lexed = wordLexer.tokenize(text);
    for (const t of lexed.tokens) {
      // Most identifiers are longer than any keyword or do not start with a lower-case letter:
      // those are not looked up.
      if (t.tokenType !== Identifier || t.image.length > LONGEST_KEYWORD || !startsKeyword[t.image.charCodeAt(0)]) continue;
      const keyword = keywordByWord.get(t.image);
      if (keyword === undefined) continue;
      t.tokenType = keyword;
      t.tokenTypeIdx = keyword.tokenTypeIdx as number;
    }
    return lexed;
  },
};

/** The offset just past a token (tokens carry their start and their text, not their end). */
export function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}
