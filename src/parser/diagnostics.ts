// Diagnostics: what every stage reports about its input. Rendered in the GCC form
// `file:line:col: error: message`, then the source line and a caret under the range.
import type { Range } from "./ast.ts";
import type { IssueCode } from "./codes.ts";
import type { SourceText } from "./source.ts";

export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  severity: Severity;
  /** A stable issue code, e.g. `undefined-name`; documented in docs/LANGUAGE.md. */
  code: IssueCode;
  message: string;
  file: string;
  range: Range;
  /** Further located remarks, e.g. where the earlier duplicate was declared. */
  related?: { message: string; file: string; range: Range }[];
}

/**
 * At most this many diagnostics are reported per file; then one more error says so, and the
 * rest are dropped (Clang's -ferror-limit does the same). A file of garbage then costs bounded
 * time, memory and output.
 */
export const MAX_DIAGNOSTICS_PER_FILE = 50;

export function tooManyErrors(file: string, range: Range): Diagnostic {
  return {
    severity: "error",
    code: "too-many-errors",
    message: `too many errors: the rest of this file is not reported (at most ${MAX_DIAGNOSTICS_PER_FILE} per file)`,
    file,
    range,
  };
}

/** A file's diagnostics, up to the limit. */
export class FileDiagnostics {
  readonly list: Diagnostic[] = [];
  /** Set once the limit is reached: later diagnostics are dropped. */
  full = false;

  add(d: Diagnostic): void {
    if (this.full) return;
    if (this.list.length < MAX_DIAGNOSTICS_PER_FILE) {
      this.list.push(d);
      return;
    }
    this.list.push(tooManyErrors(d.file, d.range));
    this.full = true;
  }

  /** Ends the list at `range` (where checking stopped) unless it has ended already. */
  close(file: string, range: Range): void {
    if (this.full) return;
    this.list.push(tooManyErrors(file, range));
    this.full = true;
  }

  /** How many more may be added before the limit. */
  get room(): number {
    return this.full ? 0 : MAX_DIAGNOSTICS_PER_FILE - this.list.length;
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorts by file, then position, then message, so output is the same on every machine. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.offset - b.range.start.offset ||
      a.range.end.offset - b.range.end.offset ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Control characters would let a rule file's text repaint the user's terminal. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceText>): string {
  const lines = [`${d.file}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${printable(d.message)} [${d.code}]`];
  const src = sources.get(d.file);
  if (src !== undefined) lines.push(...excerpt(src, d.range));
  for (const r of d.related ?? []) {
    lines.push(`${r.file}:${r.range.start.line}:${r.range.start.column}: note: ${printable(r.message)}`);
    const rs = sources.get(r.file);
    if (rs !== undefined) lines.push(...excerpt(rs, r.range));
  }
  return lines.join("\n");
}

function excerpt(src: SourceText, range: Range): string[] {
  const raw = src.lineText(range.start.line);
  // A line that long is not shown (it only grows below); deciding before rewriting it keeps a
  // huge one-line file from being rewritten for every diagnostic.
  if (raw.length > 200) return [];
  // Tabs are shown as single spaces so that the caret lines up whatever the terminal's tab stops.
  const text = printable(raw.replace(/\t/g, " "));
  if (text.length > 200) return [];
  const startCol = range.start.column;
  const endCol = range.end.line === range.start.line ? Math.max(range.end.column, startCol + 1) : raw.length + 1;
  const width = Math.max(1, Math.min(endCol, raw.length + 1) - startCol);
  return [` ${text}`, ` ${" ".repeat(startCol - 1)}^${"~".repeat(width - 1)}`];
}

export function diagnosticToJson(d: Diagnostic): object {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.file,
    line: d.range.start.line,
    column: d.range.start.column,
    endLine: d.range.end.line,
    endColumn: d.range.end.column,
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, file: r.file, line: r.range.start.line, column: r.range.start.column })) } : {}),
  };
}
