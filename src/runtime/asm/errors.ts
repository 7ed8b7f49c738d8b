// Located assembler diagnostics, in GNU as's format: `file:line:col: error: message`.

export interface SourceLocation {
  readonly file: string;
  /** 1-based (0 for code read from an object file, which has no lines). */
  readonly line: number;
  /** 1-based, counting a tab as one column (as GNU as does); 0 in an object file. */
  readonly column: number;
  /** In an object file: where the instruction is, `symbol+0xoffset`, shown instead of line:col. */
  readonly symbol?: string;
}

export function formatLocation(loc: SourceLocation): string {
  return loc.symbol !== undefined ? `${loc.file}:${loc.symbol}` : `${loc.file}:${loc.line}:${loc.column}`;
}

/**
 * An assembly error. `reason` is the bare message; `message` is the full diagnostic line
 * (`file:line:col: error: reason`), so that printing the error shows where it is.
 */
export class AsmError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(loc: SourceLocation, reason: string) {
    super(`${formatLocation(loc)}: error: ${reason}`);
    this.name = "AsmError";
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
    this.reason = reason;
  }

  get location(): SourceLocation {
    return { file: this.file, line: this.line, column: this.column };
  }
}
