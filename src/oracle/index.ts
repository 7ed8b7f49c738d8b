// The QEMU oracle (issue 6): faultc's bare-metal harness (qemu/) built with the AArch64 cross
// toolchain and run under qemu-system-aarch64 at EL2, compared with the machine model.
export {
  buildHarness, disposeHarness, missingOracleTools, requireOracleTools, runQemu,
  OracleRunError, OracleUnavailableError, ORACLE_INSTALL, QEMU_TIMEOUT_MS,
  type HarnessImage, type QemuRun,
} from "./qemu.ts";
export { generateAtCase, generateAtCases, makeAtCase, serialiseAtCases, type AtCase } from "./at-cases.ts";
export { RecordingMemory, type MemoryImage } from "./recording-memory.ts";
export {
  formatMismatch, modelPar, qemu72Expectation, qemu72Par, runAtBatch, runAtOracle, summariseAt, QEMU72_DEPARTURES,
  type AtAgreement, type AtBatch, type AtObservation, type AtMismatch, type ParExpectation, type Qemu72Departure,
} from "./at-oracle.ts";
export { parseAtOutput, harnessLines, type AtProbeResult } from "./output.ts";
export { AT_TABLE_POOL as AT_TABLE_POOL_FOR_TESTS, ORACLE_AREA_BASE, ORACLE_AREA_END, QEMU_A57_PA_BITS } from "./layout.ts";
export { buildTrapTables, generateTrapCase, generateTrapCases, serialiseTrapCases, DATA_VA_BASE, IMAGE_WINDOW, TRAP_KINDS, type TrapCase, type TrapKind } from "./trap-cases.ts";
export {
  compareTrap, compareTrapRuns, describeResult, formatTrapCheck, handlerVariants, observeTraps, runTrapHarness, runTrapOracle, TRAP_HANDLER_S, TRAP_RULE_FILE,
  type QemuTrap, type QemuTrapRun, type TrapAgreement, type TrapCheck, type TrapObservation, type TrapVerdict,
} from "./trap-oracle.ts";
export { bootTrapHarness, generatedHandlerLink, parseTrapHarnessOutput, runTrapModel, trapScenario, type TrapHandlerLink, type TrapModelRun, type TrapHarnessBoot, type TrapScenario } from "./trap-oracle.ts";
export {
  applyCapabilityRules, decideCapabilities, evaluateMatch, encodeMatch, withOverrides, ID_REGISTERS, LINUX_6_12_CAPABILITY_RULES,
  type AppliedRule, type CapabilityDecision, type CapabilityMatch, type CapabilityOverrides, type CapabilityRule, type Citation, type IdRegister,
} from "./cpu-capabilities.ts";
export { kconfigValue, kernelDefine, readTreeFile } from "./kernel-tree.ts";
export { capabilitySets, objectFunctionSource, objectHandlerLink, placementProblems } from "./object-harness.ts";
export {
  calledOn, compareObjectTrap, parseObjectTrapBoot, rulesFor, runObjectTrapHarness, runObjectTrapOracle, KVM_ASM_H,
  type ObjectModel, type ObjectOracleOptions, type ObjectTrapAgreement, type ObjectTrapBuild, type ObjectTrapObservation, type ObjectTrapRun, type QemuCall,
} from "./object-oracle.ts";
