// The one way code generation can refuse a rule file that checks: a handler beyond a limit the
// generated code must keep (isel-error.ts), reported like a checker error, at the handler's line.
import type { Diagnostic } from "../parser/diagnostics.ts";
import type { SourceText } from "../parser/source.ts";
import { HandlerTooComplex } from "./asm/isel-error.ts";

export function tooComplexDiagnostic(e: HandlerTooComplex, sources: ReadonlyMap<string, SourceText>): Diagnostic {
  const { file, line } = e.origin;
  const src = sources.get(file);
  let range = { start: { line, column: 1, offset: 0 }, end: { line, column: 1, offset: 0 } };
  if (src !== undefined) {
    let start = 0;
    for (let l = 1; l < line && start >= 0; l++) start = src.text.indexOf("\n", start) + 1;
    const text = src.lineText(line);
    const indent = text.length - text.trimStart().length;
    range = src.range(start + indent, start + text.length);
  }
  return { severity: "error", code: "too-complex", message: e.message, file, range };
}

/** Runs `f`; a HandlerTooComplex becomes its diagnostic, anything else is thrown on. */
export function orTooComplex<T>(f: () => T, sources: ReadonlyMap<string, SourceText>): { value: T } | { diagnostic: Diagnostic } {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof HandlerTooComplex) return { diagnostic: tooComplexDiagnostic(e, sources) };
    throw e;
  }
}
