// Text to AST: lexing, parsing with recovery, and the AST builder. Syntax errors come back as
// diagnostics; an AST is returned only when there were none, so later stages never see a
// half-recovered tree.
import type { IRecognitionException, IToken } from "chevrotain";
import type { RuleFile } from "./ast.ts";
import { FileDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { ruleParser } from "./grammar.ts";
import { SourceText } from "./source.ts";
import * as T from "./tokens.ts";
import { ruleLexer, tokenEnd } from "./tokens.ts";

export interface ParseResult {
  source: SourceText;
  ast: RuleFile | undefined;
  diagnostics: Diagnostic[];
}

/**
 * The largest rule file read: far above any real one (the bundled files are tens of KB), and
 * low enough that checking it stays well within the default V8 heap (checking uses about 60
 * bytes of memory per byte of input at peak, see `npm run bench`).
 */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** The error for a file of `bytes` bytes if that is over MAX_FILE_BYTES. */
export function fileTooLarge(path: string, bytes: number): Diagnostic | undefined {
  if (bytes <= MAX_FILE_BYTES) return undefined;
  const start = { line: 1, column: 1, offset: 0 };
  return {
    severity: "error",
    code: "too-complex",
    message: `the file is ${bytes} bytes; a rule file may be at most ${MAX_FILE_BYTES} bytes (32 MiB)`,
    file: path,
    range: { start, end: { ...start, column: 2, offset: 1 } },
  };
}

export function parseText(path: string, text: string): ParseResult {
  const source = new SourceText(path, text);
  const tooLarge = fileTooLarge(path, Buffer.byteLength(text, "utf8"));
  if (tooLarge !== undefined) return { source, ast: undefined, diagnostics: [tooLarge] };

  const diagnostics = new FileDiagnostics();
  const error = (code: Diagnostic["code"], message: string, start: number, end: number) =>
    diagnostics.add({ severity: "error", code, message, file: path, range: source.range(start, end) });

  const lexed = ruleLexer.tokenize(text);
  for (const e of lexed.errors) {
    if (diagnostics.full) break;
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    error("unexpected-character", `unexpected character ${describeChars(ch)}`, e.offset, e.offset + Math.max(1, e.length));
  }
  for (const bom of lexed.groups.byteOrderMarks ?? []) {
    if (bom.startOffset > 0) error("unexpected-character", "unexpected character U+FEFF (a byte order mark, allowed only at the start of a file)", bom.startOffset, bom.startOffset + 1);
  }

  // The file ends inside an unterminated comment: what the parser then misses at the end is
  // part of that one error, not another.
  let endsInComment = false;
  // The lexer's tokens less the unterminated ones; copied only when there is one.
  const lexedTokens = lexed.tokens;
  let kept: IToken[] | undefined;
  for (let i = 0; i < lexedTokens.length; i++) {
    const t = lexedTokens[i];
    const type = t.tokenType;
    if (type === T.UnterminatedComment) {
      endsInComment = true;
      kept ??= lexedTokens.slice(0, i);
      error("syntax-error", "unterminated comment: `/*` has no `*/`", t.startOffset, t.startOffset + 2);
    } else if (type === T.UnterminatedString) {
      kept ??= lexedTokens.slice(0, i);
      error("syntax-error", "unterminated string: a string ends with `\"` on the same line", t.startOffset, t.startOffset + 1);
    } else {
      if (type === T.StringLiteral) badEscapes(t, error);
      kept?.push(t);
    }
  }
  const tokens = kept ?? lexedTokens;
  if (diagnostics.full) return { source, ast: undefined, diagnostics: diagnostics.list };

  const limit = checkLimits(tokens, source);
  if (limit !== undefined) {
    diagnostics.add(limit);
    return { source, ast: undefined, diagnostics: diagnostics.list };
  }

  const parsed = ruleParser().parse(tokens, source, diagnostics.room);
  for (const e of parsed.errors) {
    if (endsInComment && atEndOfFile(e.token)) continue;
    diagnostics.add(syntaxDiagnostic(e, source, tokens));
  }
  const last = parsed.errors.at(-1);
  if (parsed.stopped && last !== undefined) diagnostics.close(path, syntaxDiagnostic(last, source, tokens).range);
  const list = diagnostics.list;
  return { source, ast: list.length === 0 ? parsed.ast : undefined, diagnostics: list };
}

/** A backslash in a string starts `\"` or `\\`, nothing else. */
function badEscapes(t: IToken, error: (code: Diagnostic["code"], message: string, start: number, end: number) => void): void {
  if (!t.image.includes("\\")) return;
  for (const m of t.image.matchAll(/\\(.)/gsu)) {
    if (m[1] === '"' || m[1] === "\\") continue;
    const at = t.startOffset + (m.index ?? 0);
    const escape = /^[\x21-\x7e]$/.test(m[1]) ? `\`\\${m[1]}\`` : `(a backslash before ${describeChars(m[1])})`;
    error("syntax-error", `bad escape ${escape} in a string: the only escapes are \`\\"\` and \`\\\\\``, at, at + 1 + m[1].length);
  }
}

function atEndOfFile(tok: IToken): boolean {
  return tok.tokenType?.name === "EOF" || Number.isNaN(tok.startOffset);
}

/** How deep brackets and prefix operators may nest, and how long one statement may be. Every
 * stage after the parser walks expressions recursively; these bounds keep every stage within
 * the stack, and no real rule comes near them. */
export const MAX_NESTING = 64;
export const MAX_STATEMENT_TOKENS = 1024;

// What checkLimits needs to know of a token type, by its index (tokenTypeIdx).
const OPENING = 1;
const CLOSING = 2;
const PREFIX = 4;
/** A value ends with it: a `-` after it is binary, not a prefix. */
const ENDS_VALUE = 8;
const ENDS_STATEMENT = 16;
const limitFlags = new Uint8Array(Math.max(...T.allTokens.map((t) => t.tokenTypeIdx as number)) + 1);
for (const [flag, types] of [
  [OPENING, [T.LParen, T.LBracket, T.LBrace]],
  [CLOSING, [T.RParen, T.RBracket, T.RBrace]],
  [PREFIX, [T.Bang, T.Tilde, T.Minus]],
  [ENDS_VALUE, [T.Identifier, T.IntegerLiteral, T.RParen, T.RBracket, T.keywords.true, T.keywords.false]],
  [ENDS_STATEMENT, [T.Semicolon, T.LBrace, T.RBrace]],
] as const) {
  for (const t of types) limitFlags[t.tokenTypeIdx as number] |= flag;
}

function checkLimits(tokens: IToken[], source: SourceText): Diagnostic | undefined {
  let depth = 0;
  let prefixRun = 0;
  let statementTokens = 0;
  let previous = -1;
  const at = (t: IToken, message: string): Diagnostic => ({
    severity: "error",
    code: "too-complex",
    message,
    file: source.path,
    range: source.range(t.startOffset, tokenEnd(t)),
  });
  for (const t of tokens) {
    const flags = limitFlags[t.tokenTypeIdx];
    if (flags & OPENING) {
      if (++depth > MAX_NESTING) return at(t, `brackets nest more than ${MAX_NESTING} deep here`);
    } else if (flags & CLOSING) depth = Math.max(0, depth - 1);
    // A prefix operator follows an operator or an opening bracket, not a value.
    const isPrefix = (flags & PREFIX) !== 0 && (previous < 0 || (previous & ENDS_VALUE) === 0);
    prefixRun = isPrefix ? prefixRun + 1 : 0;
    if (prefixRun > MAX_NESTING) return at(t, `more than ${MAX_NESTING} prefix operators in a row`);
    statementTokens = flags & ENDS_STATEMENT ? 0 : statementTokens + 1;
    if (statementTokens > MAX_STATEMENT_TOKENS) return at(t, `a statement or expression longer than ${MAX_STATEMENT_TOKENS} tokens; split it with let or pred`);
    previous = flags;
  }
  return undefined;
}

function describeChars(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return cp >= 0x20 && cp < 0x7f ? `'${ch[0]}'` : hex;
}

/** The token the parser stopped at, its expectation, and the rule it was in. */
function syntaxDiagnostic(e: IRecognitionException, source: SourceText, tokens: IToken[]): Diagnostic {
  const tok = e.token;
  const atEnd = atEndOfFile(tok);
  const offset = atEnd ? endOfLastToken(tokens, source) : tok.startOffset;
  const end = atEnd ? offset : tokenEnd(tok);
  const found = atEnd ? "end of file" : `'${tok.image}'`;
  const ruleName = e.context?.ruleStack?.at(-1);
  const where = ruleName ? ` in ${humanRule(ruleName)}` : "";
  let message: string;
  switch (e.name) {
    case "MismatchedTokenException": {
      const expected = /^Expecting (?:token of type )?--> (.*?) <--/.exec(firstLine(e.message))?.[1];
      const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
      // A missing terminator is reported where it belongs, after the last token, as GCC does.
      if (expected === "';'" && prev !== undefined && !Number.isNaN(prev.startOffset) && prev.tokenType?.name !== "EOF") {
        const after = tokenEnd(prev);
        return {
          severity: "error",
          code: "syntax-error",
          message: `expected ';' after '${prev.image}'${where} (found ${found})`,
          file: source.path,
          range: source.range(after, after + 1),
        };
      }
      message = `expected ${expected === undefined ? "another token" : tokenWords(expected)} but found ${found}${where}`;
      break;
    }
    case "NoViableAltException":
      message = `unexpected ${found}${where}`;
      break;
    case "EarlyExitException":
      if (atEnd) {
        message = `unexpected end of file${where}`;
        break;
      }
      message = `expected at least one element${where} but found ${found}`;
      break;
    case "NotAllInputParsedException":
      message = `unexpected ${found} at the top level: expected a declaration`;
      break;
    default:
      message = `${firstLine(e.message)}`;
  }
  return { severity: "error", code: "syntax-error", message, file: source.path, range: source.range(offset, end) };
}

/** Token type names as a reader says them. */
function tokenWords(name: string): string {
  const words: Record<string, string> = {
    IntegerLiteral: "a number",
    StringLiteral: "a string",
    Identifier: "a name",
    EOF: "end of file",
  };
  return words[name] ?? name;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

function endOfLastToken(tokens: IToken[], source: SourceText): number {
  const last = tokens.at(-1);
  return last === undefined ? source.text.length : tokenEnd(last);
}

const ruleNames: Record<string, string> = {
  file: "the file",
  decl: "a declaration",
  importDecl: "an import",
  sourceDecl: "a source citation",
  enumDecl: "an enum",
  enumMember: "an enum member",
  levelSpec: "a level specification",
  layoutDecl: "a layout",
  layoutField: "a layout field",
  sysregDecl: "a system register declaration",
  capabilityDecl: "a capability declaration",
  exitcodeDecl: "an exit code declaration",
  externalDecl: "an external handler declaration",
  recordDecl: "a record declaration",
  recordField: "a record field",
  constDecl: "a constant",
  predDecl: "a predicate",
  fnDecl: "a function",
  params: "a parameter list",
  handlerDecl: "a handler",
  block: "a block",
  stmt: "a statement",
  letStmt: "a let statement",
  recordStmt: "a record statement",
  rulesStmt: "a rules block",
  ruleDecl: "a rule",
  outcome: "an outcome",
  outcomeStmt: "an outcome",
  contractDecl: "a contract",
  assumeClause: "an assumption",
  observeClause: "an observation clause",
  observedField: "an observed field",
  alternative: "a register or operation name",
  readExpr: "a register read",
  atExpr: "an address translation",
  setExpr: "a set",
  sliceSuffix: "a bit slice",
  fieldSuffix: "a field access",
};

function humanRule(name: string): string {
  return ruleNames[name] ?? "an expression";
}
