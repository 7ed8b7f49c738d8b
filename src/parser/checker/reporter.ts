// Collects the diagnostics of one check run, each with its issue code, up to the limit per file
// (diagnostics.ts).
import type { Range } from "../ast.ts";
import type { IssueCode } from "../codes.ts";
import { FileDiagnostics, type Diagnostic } from "../diagnostics.ts";

export class Reporter {
  private readonly collected = new FileDiagnostics();

  constructor(readonly file: string) {}

  get diagnostics(): Diagnostic[] {
    return this.collected.list;
  }

  /** True once the limit is reached: further diagnostics would be dropped. */
  get full(): boolean {
    return this.collected.full;
  }

  error(code: IssueCode, range: Range, message: string, related?: Diagnostic["related"]): void {
    this.collected.add({ severity: "error", code, message, file: this.file, range, ...(related ? { related } : {}) });
  }

  warning(code: IssueCode, range: Range, message: string): void {
    this.collected.add({ severity: "warning", code, message, file: this.file, range });
  }
}
