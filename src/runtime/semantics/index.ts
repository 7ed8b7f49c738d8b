// The instruction semantics, for the concrete interpreter and the symbolic executor.
export type { BitVecDomain } from "./domain.ts";
export { iteBool, isZero, rorBy, rorConst } from "./domain.ts";
export { concreteDomain, bits, signedValue, WidthMismatchError, type Bits } from "./concrete-domain.ts";
export { addWithCarry, conditionHolds, conditionCode, CONDITION_NAMES, type Nzcv } from "./flags.ts";
export { decodeBitMasks, encodeBitmask, type BitmaskEncoding } from "./bitmasks.ts";
export type { ArchState, AtKind } from "./state.ts";
export { GUEST_EXIT_SYMBOL, type ControlEffect, type ExitOutcome } from "./effect.ts";
export type { Instruction, GpRegister, ResolvedTarget, SymbolRef } from "./instruction.ts";
export { executeInstruction } from "./execute.ts";
