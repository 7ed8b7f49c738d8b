// Public surface of the MMU model: AT S1E1R/W, AT S12E1R/W and S12E0R/W, guest accesses through both stages, the table
// builder, and the bench entry point.

export { addressTranslateS1E1, type AtAccess, type TranslationInput } from "./at.ts";
export { addressTranslateS12, type Stage12TranslationInput } from "./at-stage12.ts";
export {
  translateGuestAccess,
  type GuestAccessInput,
  type GuestAccessKind,
  type GuestAccessOutcome,
  type GuestAccessSuccess,
  type GuestStage1Fault,
  type GuestStage2Fault,
} from "./guest-access.ts";
export {
  TranslationTableBuilder,
  MAIR_INDEX,
  DEFAULT_MAIR,
  type TableBuilderOptions,
  type Stage1MapAttributes,
  type Stage2MapAttributes,
  type Stage2Setup,
} from "./builder.ts";
export { AP, S2AP, SH, S2_MEMATTR } from "./descriptor-encoding.ts";
export { encodeLDFSC, type FaultStatus } from "./fault.ts";
export type { TranslationRegisters } from "./registers.ts";
export { benchWalks, type WalkBenchResult } from "./bench.ts";
