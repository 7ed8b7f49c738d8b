// The shape of a mnemonic handler: operands in, decoded instructions out (aliases lowered).
import type { Instruction, SymbolRef } from "../../semantics/instruction.ts";
import type { Operands } from "../operands.ts";

export type ParsedInstruction = Instruction<SymbolRef>;
export type MnemonicHandler = (ops: Operands, mnemonic: string) => ParsedInstruction[];

export function mask(width: 32 | 64): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** A value written as a signed or unsigned `width`-bit immediate, as its bit pattern; else undefined. */
export function asBitPattern(v: bigint, width: 32 | 64): bigint | undefined {
  const w = BigInt(width);
  if (v < -(1n << (w - 1n)) || v > mask(width)) return undefined;
  return v & mask(width);
}

export function hex(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}
