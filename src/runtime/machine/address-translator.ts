// The hook through which AT instructions reach the MMU model: the signature of
// src/runtime/mmu/at-operation.ts's translateAtOperation, the machine's default; tests pass fakes.
// The input types are the MMU's own, declared once there.
import type { AtOperationInput } from "../mmu/at-operation.ts";

export type { AtAccess, TranslationInput } from "../mmu/at.ts";
export type { AtOperationInput } from "../mmu/at-operation.ts";

/** Returns the new PAR_EL1 value for an EL1&0 translation of input.va (stage 1, or both stages for AT S12*). */
export type AddressTranslator = (input: AtOperationInput) => bigint;
