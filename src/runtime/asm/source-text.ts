// Comment removal and statement splitting that keep every character's line and column.
import { AsmError } from "./errors.ts";

export interface Segment {
  readonly line: number;
  /** 1-based column of the segment's first character. */
  readonly column: number;
  readonly text: string;
}

/**
 * Replaces `// ...` and `/* ... *\/` comments by spaces (newlines kept), so that columns of the
 * remaining text are unchanged.
 */
export function stripComments(source: string, file: string): string {
  let out = "";
  let i = 0;
  let line = 1;
  let column = 1;
  while (i < source.length) {
    if (source.startsWith("/*", i)) {
      const startLine = line;
      const startColumn = column;
      const end = source.indexOf("*/", i + 2);
      if (end < 0) throw new AsmError({ file, line: startLine, column: startColumn }, "unterminated comment");
      for (let j = i; j < end + 2; j++) {
        const c = source[j];
        out += c === "\n" ? "\n" : " ";
        if (c === "\n") { line++; column = 1; } else column++;
      }
      i = end + 2;
      continue;
    }
    if (source.startsWith("//", i)) {
      while (i < source.length && source[i] !== "\n") { out += " "; i++; column++; }
      continue;
    }
    const c = source[i];
    out += c;
    if (c === "\n") { line++; column = 1; } else column++;
    i++;
  }
  return out;
}

/** Splits comment-free text into `;`-separated statements, each with its position. */
export function splitStatements(text: string): Segment[] {
  const out: Segment[] = [];
  text.split("\n").forEach((lineText, i) => {
    let start = 0;
    for (const part of lineText.split(";")) {
      out.push({ line: i + 1, column: start + 1, text: part });
      start += part.length + 1;
    }
  });
  return out;
}
