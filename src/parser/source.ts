// A rule file's text and the mapping from offsets to line and column. Bytes that are not
// valid UTF-8 are a located error, not a silent replacement character.
import type { Position, Range } from "./ast.ts";

export class SourceText {
  private readonly lineStarts: number[];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lineStarts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  /** The line of the last offset looked up: the parser asks for offsets in nearly increasing order. */
  private lastLine = 0;

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    const guess = this.lastLine;
    if (starts[guess] <= clamped && (guess + 1 === starts.length || clamped < starts[guess + 1])) {
      return { line: guess + 1, column: clamped - starts[guess] + 1, offset: clamped };
    }
    // The next line: where a lookup in increasing order goes when it leaves the last one.
    const next = guess + 1;
    if (next < starts.length && starts[next] <= clamped && (next + 1 === starts.length || clamped < starts[next + 1])) {
      this.lastLine = next;
      return { line: next + 1, column: clamped - starts[next] + 1, offset: clamped };
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return { line: lo + 1, column: clamped - this.lineStarts[lo] + 1, offset: clamped };
  }

  range(startOffset: number, endOffset: number): Range {
    const start = this.position(startOffset);
    const endAt = Math.max(startOffset, endOffset);
    // Most ranges (a token, a name, an operand) end on the line they start on: then the end's
    // position follows from the start's, without another lookup.
    const nextLine = this.lineStarts[start.line];
    if (endAt >= start.offset && endAt <= this.text.length && (nextLine === undefined || endAt < nextLine)) {
      return { start, end: { line: start.line, column: start.column + (endAt - start.offset), offset: endAt } };
    }
    return { start, end: this.position(endAt) };
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line] ?? this.text.length + 1;
    return this.text.slice(start, next - 1).replace(/\r$/, "");
  }
}

export type DecodeResult = { ok: true; text: string } | { ok: false; byteOffset: number; line: number; column: number };

/**
 * Decodes bytes as strict UTF-8. On failure reports the first bad byte with its line and
 * column (columns counted in characters of the valid prefix, plus one).
 */
export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { ok: true, text };
  } catch {
    const bad = firstInvalidUtf8Byte(bytes);
    const prefix = new TextDecoder("utf-8").decode(bytes.subarray(0, bad));
    const lastNewline = prefix.lastIndexOf("\n");
    const line = prefix.split("\n").length;
    const column = prefix.length - (lastNewline + 1) + 1;
    return { ok: false, byteOffset: bad, line, column };
  }
}

function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= bytes.length) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
