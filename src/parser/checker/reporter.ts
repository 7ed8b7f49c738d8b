// Collects the diagnostics of one check run, each with its issue code.
import type { Range } from "../ast.ts";
import type { IssueCode } from "../codes.ts";
import type { Diagnostic } from "../diagnostics.ts";

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly file: string) {}

  error(code: IssueCode, range: Range, message: string, related?: Diagnostic["related"]): void {
    this.diagnostics.push({ severity: "error", code, message, file: this.file, range, ...(related ? { related } : {}) });
  }

  warning(code: IssueCode, range: Range, message: string): void {
    this.diagnostics.push({ severity: "warning", code, message, file: this.file, range });
  }
}
