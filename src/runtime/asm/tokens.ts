// Splits one statement's text into tokens with their columns.
import { AsmError, type SourceLocation } from "./errors.ts";

/** `string`: "text" without escapes (the text keeps its quotes); GNU as drops the quotes of a macro argument. */
export type TokenKind = "ident" | "number" | "localref" | "punct" | "string";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly column: number;
  /** For numbers: the value; for local label references (`1f`, `2b`): the label number. */
  readonly value?: bigint;
}

const PUNCT2 = ["<<", ">>"];
const PUNCT1 = "#[]!,()+-*/%&|^~:=";

function isIdentStart(c: string): boolean {
  return /[A-Za-z_.$]/.test(c);
}
function isIdentChar(c: string): boolean {
  return /[A-Za-z0-9_.$]/.test(c);
}

/** `text` starts at `startColumn` of `loc.line`. */
export function tokenize(text: string, loc: SourceLocation, startColumn: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const column = startColumn + i;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < text.length && isIdentChar(text[j])) j++;
      out.push({ kind: "ident", text: text.slice(i, j), column });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < text.length && isIdentChar(text[j])) j++;
      const word = text.slice(i, j);
      out.push(numberToken(word, { ...loc, column }));
      i = j;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new AsmError({ ...loc, column }, "unterminated string");
      const bad = text.slice(i + 1, end).indexOf("\\");
      if (bad >= 0) throw new AsmError({ ...loc, column: column + 1 + bad }, "escapes in strings are not supported");
      out.push({ kind: "string", text: text.slice(i, end + 1), column });
      i = end + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      out.push({ kind: "punct", text: two, column });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      out.push({ kind: "punct", text: c, column });
      i++;
      continue;
    }
    throw new AsmError({ ...loc, column }, `unexpected character '${c}'`);
  }
  return out;
}

function numberToken(word: string, loc: SourceLocation): Token {
  const column = loc.column;
  let m: RegExpMatchArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(word))) return { kind: "number", text: word, column, value: BigInt(`0x${m[1]}`) };
  if ((m = /^0[bB]([01]+)$/.exec(word))) return { kind: "number", text: word, column, value: BigInt(`0b${m[1]}`) };
  if ((m = /^([0-9]+)$/.exec(word))) return { kind: "number", text: word, column, value: BigInt(m[1]) };
  // GNU as local label references: `1f` (next definition of 1:) and `1b` (previous one).
  if ((m = /^([0-9]+)([fFbB])$/.exec(word))) return { kind: "localref", text: word.toLowerCase(), column, value: BigInt(m[1]) };
  throw new AsmError(loc, `malformed number '${word}'`);
}
