// The hook through which AT instructions reach the MMU model. The signature matches
// src/runtime/mmu/at.ts's addressTranslateS1E1, the machine's default; tests pass fakes.
import type { PhysicalMemory } from "../memory.ts";

/** read/write: AT S1E1R/W, S1E0R/W; "any": AT S1E1A, which checks no permission (FEAT_ATS1A). */
export type AtAccess = "read" | "write" | "any";

export interface TranslationInput {
  va: bigint;
  access: AtAccess;
  /** Whose permissions are checked: 1 for AT S1E1*, 0 for AT S1E0*. Default 1. */
  el?: 0 | 1;
  /** Reads an architectural register by name (TCR_EL1, TTBR0_EL1, HCR_EL2, ...), no VHE aliasing. */
  sysreg: (name: string) => bigint;
  memory: PhysicalMemory;
}

/** Returns the new PAR_EL1 value for a stage-1 EL1&0 translation of input.va. */
export type AddressTranslator = (input: TranslationInput) => bigint;
