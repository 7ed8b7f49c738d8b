// Which constants an AArch64 instruction can carry as an immediate, as the assembler decides.
import { encodeBitmask } from "../../runtime/semantics/bitmasks.ts";

const MASK64 = (1n << 64n) - 1n;

/** A logical (and/orr/eor) immediate for a 64-bit operation. */
export function isLogicalImmediate(v: bigint): boolean {
  return encodeBitmask(v & MASK64, 64) !== undefined;
}

/** An add/sub/cmp immediate: 12 bits, optionally shifted left by 12. */
export function isArithmeticImmediate(v: bigint): boolean {
  return (v >= 0n && v < 4096n) || (v >= 0n && v < 4096n << 12n && (v & 0xfffn) === 0n);
}

/** A ccmp/ccmn immediate: 5 bits. */
export function isConditionalCompareImmediate(v: bigint): boolean {
  return v >= 0n && v < 32n;
}

/** Instructions that put `v` in a 64-bit register: mov (movz, movn or orr) or movz + movk. */
export function materialise(reg: string, v: bigint): string[] {
  const value = v & MASK64;
  const chunks = [0, 1, 2, 3].map((i) => (value >> BigInt(16 * i)) & 0xffffn);
  const nonZero = chunks.filter((c) => c !== 0n).length;
  const inverted = (~value & MASK64);
  const invChunks = [0, 1, 2, 3].map((i) => (inverted >> BigInt(16 * i)) & 0xffffn);
  if (nonZero <= 1 || invChunks.filter((c) => c !== 0n).length <= 1 || isLogicalImmediate(value)) {
    return [`mov ${reg}, #0x${value.toString(16)}`];
  }
  const out: string[] = [];
  chunks.forEach((c, i) => {
    if (c === 0n) return;
    out.push(out.length === 0 ? `movz ${reg}, #0x${c.toString(16)}${i ? `, lsl #${16 * i}` : ""}` : `movk ${reg}, #0x${c.toString(16)}${i ? `, lsl #${16 * i}` : ""}`);
  });
  return out;
}

export function widthMask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}
