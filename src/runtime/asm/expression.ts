// Constant expressions in operands: `#(1 << 4)`, `#VCPU_ESR_EL2 + 8`, `#-16`, `#~0xf`.
//
// Precedence follows GNU as (not C): unary - ~ ! bind tightest; then * / % << >>; then | & ^ !;
// then + - (and comparisons, which the model does not need). So `1 + 2 << 3` is 1 + (2 << 3), as gas
// reads it. Arithmetic is on unbounded integers; the caller range-checks the result.
import { AsmError, type SourceLocation } from "./errors.ts";
import type { Token } from "./tokens.ts";

export type ConstantLookup = (name: string) => bigint | undefined;

export class ExpressionParser {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly loc: SourceLocation,
    private readonly lookup: ConstantLookup,
  ) {}

  /** Parses the whole token list as one expression. */
  parseAll(): bigint {
    if (this.tokens.length === 0) throw new AsmError(this.loc, "expected an expression");
    const value = this.additive();
    if (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos];
      throw new AsmError(this.at(t), `unexpected '${t.text}' in expression`);
    }
    return value;
  }

  /** The token's location, or just past the last token when the expression ended early. */
  private at(t: Token | undefined): SourceLocation {
    if (t !== undefined) return { ...this.loc, column: t.column };
    const last = this.tokens[this.tokens.length - 1];
    return last === undefined ? this.loc : { ...this.loc, column: last.column + last.text.length };
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private takePunct(...ops: string[]): string | undefined {
    const t = this.peek();
    if (t !== undefined && t.kind === "punct" && ops.includes(t.text)) {
      this.pos++;
      return t.text;
    }
    return undefined;
  }

  private additive(): bigint {
    let v = this.bitwise();
    for (let op = this.takePunct("+", "-"); op !== undefined; op = this.takePunct("+", "-")) {
      const r = this.bitwise();
      v = op === "+" ? v + r : v - r;
    }
    return v;
  }

  private bitwise(): bigint {
    let v = this.multiplicative();
    for (let op = this.takePunct("|", "&", "^"); op !== undefined; op = this.takePunct("|", "&", "^")) {
      const r = this.multiplicative();
      v = op === "|" ? v | r : op === "&" ? v & r : v ^ r;
    }
    return v;
  }

  private multiplicative(): bigint {
    let v = this.unary();
    for (let t = this.peek(), op = this.takePunct("*", "/", "%", "<<", ">>"); op !== undefined; t = this.peek(), op = this.takePunct("*", "/", "%", "<<", ">>")) {
      const r = this.unary();
      switch (op) {
        case "*": v *= r; break;
        case "/": case "%":
          if (r === 0n) throw new AsmError(this.at(t), "division by zero");
          v = op === "/" ? v / r : v % r;
          break;
        case "<<": case ">>":
          if (r < 0n || r > 127n) throw new AsmError(this.at(t), `shift count ${r} out of range`);
          v = op === "<<" ? v << r : v >> r;
          break;
      }
    }
    return v;
  }

  private unary(): bigint {
    const op = this.takePunct("-", "~", "+");
    if (op === "-") return -this.unary();
    if (op === "~") return ~this.unary();
    if (op === "+") return this.unary();
    return this.primary();
  }

  private primary(): bigint {
    const t = this.peek();
    if (t === undefined) throw new AsmError(this.at(undefined), "expected an expression");
    this.pos++;
    if (t.kind === "number") return t.value ?? 0n;
    if (t.kind === "ident") {
      const v = this.lookup(t.text);
      if (v === undefined) throw new AsmError(this.at(t), `unknown symbolic constant '${t.text}'`);
      return v;
    }
    if (t.kind === "punct" && t.text === "(") {
      const v = this.additive();
      const close = this.peek();
      if (close === undefined || close.text !== ")") throw new AsmError(this.at(close), "expected ')'");
      this.pos++;
      return v;
    }
    throw new AsmError(this.at(t), `unexpected '${t.text}' in expression`);
  }
}
