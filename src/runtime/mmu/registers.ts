// The system registers a translation of the EL1&0 regime reads, captured once per translation,
// and the positions of the fields the walker uses (Arm ARM register descriptions, ARMv8.0).

import type { PhysicalMemory } from "../memory.ts";
import { bitSet, fieldNumber } from "./bits.ts";
import { DEFAULT_PA_MAX_BITS } from "./implementation.ts";

export const REGISTER_NAMES = [
  "TCR_EL1",
  "TTBR0_EL1",
  "TTBR1_EL1",
  "MAIR_EL1",
  "SCTLR_EL1",
  "HCR_EL2",
  "VTTBR_EL2",
  "VTCR_EL2",
] as const;
export type TranslationRegisterName = (typeof REGISTER_NAMES)[number];

export interface TranslationRegisters {
  readonly TCR_EL1: bigint;
  readonly TTBR0_EL1: bigint;
  readonly TTBR1_EL1: bigint;
  readonly MAIR_EL1: bigint;
  readonly SCTLR_EL1: bigint;
  readonly HCR_EL2: bigint;
  readonly VTTBR_EL2: bigint;
  readonly VTCR_EL2: bigint;
}

/** Everything one translation reads: registers, memory holding the tables, and PAMax. */
export interface TranslationContext {
  readonly regs: TranslationRegisters;
  readonly memory: PhysicalMemory;
  readonly paMax: number;
}

export function readTranslationContext(
  sysreg: (name: string) => bigint,
  memory: PhysicalMemory,
  paMax: number = DEFAULT_PA_MAX_BITS,
): TranslationContext {
  const regs: TranslationRegisters = {
    TCR_EL1: sysreg("TCR_EL1"),
    TTBR0_EL1: sysreg("TTBR0_EL1"),
    TTBR1_EL1: sysreg("TTBR1_EL1"),
    MAIR_EL1: sysreg("MAIR_EL1"),
    SCTLR_EL1: sysreg("SCTLR_EL1"),
    HCR_EL2: sysreg("HCR_EL2"),
    VTTBR_EL2: sysreg("VTTBR_EL2"),
    VTCR_EL2: sysreg("VTCR_EL2"),
  };
  return { regs, memory, paMax };
}

/** The context of registers already read (a set-up that holds them as values, not behind a sysreg function). */
export function translationContextOf(
  regs: TranslationRegisters,
  memory: PhysicalMemory,
  paMax: number = DEFAULT_PA_MAX_BITS,
): TranslationContext {
  return { regs, memory, paMax };
}

// Bit positions. Multi-bit fields are [hi, lo].
export const TCR = {
  T0SZ: [5, 0],
  EPD0: 7,
  IRGN0: [9, 8],
  ORGN0: [11, 10],
  SH0: [13, 12],
  TG0: [15, 14],
  T1SZ: [21, 16],
  EPD1: 23,
  IRGN1: [25, 24],
  ORGN1: [27, 26],
  SH1: [29, 28],
  TG1: [31, 30],
  IPS: [34, 32],
  TBI0: 37,
  TBI1: 38,
} as const;

export const SCTLR = { M: 0, C: 2, I: 12, WXN: 19, EE: 25 } as const;

export const HCR = { VM: 0, PTW: 2, DC: 12, TGE: 27, RW: 31, E2H: 34 } as const;

export const VTCR = {
  T0SZ: [5, 0],
  SL0: [7, 6],
  IRGN0: [9, 8],
  ORGN0: [11, 10],
  SH0: [13, 12],
  TG0: [15, 14],
  PS: [18, 16],
} as const;

export function regField(value: bigint, range: readonly [number, number]): number {
  return fieldNumber(value, range[0], range[1]);
}

export function regBit(value: bigint, bit: number): boolean {
  return bitSet(value, bit);
}
