// The concrete machine and its interpreter.
export { Machine, DEFAULT_MIDR, MachineStateError, type MachineConfig } from "./machine.ts";
export { runProgram, RunError, type RunOptions, type RunOutcome, type RunResult } from "./interpreter.ts";
export type { AddressTranslator, AtAccess, TranslationInput } from "./address-translator.ts";
export {
  ARM64_HAS_VIRT_HOST_EXTN, ARM64_KVM_HVHE, ARM64_WORKAROUND_834220, capabilitiesFromMidr, decodeMidr, hasErratum834220, hypRunsWithE2H,
} from "./cpu-features.ts";
export { HCR_EL2_E2H, HCR_EL2_TGE, HCR_EL2_VM, resolveSysregAccess, UndefinedSysregAccess } from "./sysreg-access.ts";
export { SYSREG_TABLE, genericSysregName, sysregByEncoding, sysregByName, type SysregDescriptor } from "./sysreg-table.ts";
export * from "./vcpu-layout.ts";
