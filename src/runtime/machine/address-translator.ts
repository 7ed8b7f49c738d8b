// The hook through which AT instructions reach the MMU model: the signature of
// src/runtime/mmu/at.ts's addressTranslateS1E1, the machine's default; tests pass fakes. The
// input types are the MMU's own, declared once there.
import type { TranslationInput } from "../mmu/at.ts";

export type { AtAccess, TranslationInput } from "../mmu/at.ts";

/** Returns the new PAR_EL1 value for a stage-1 EL1&0 translation of input.va. */
export type AddressTranslator = (input: TranslationInput) => bigint;
