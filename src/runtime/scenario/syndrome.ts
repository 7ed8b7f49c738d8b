// The part of a Data Abort's ISS that comes from the instruction (Arm ARM, ESR_ELx, "ISS encoding
// for an exception from a Data Abort"; the pseudocode's AArch64.FaultSyndrome and
// LSInstructionSyndrome):
//  - ISV=1 with SAS, SSE, SRT, SF and AR only in ESR_EL2, only for a stage-2 abort that is not on
//    a stage-1 table walk (S1PTW=0) and not an external abort, and only for a load or store of a
//    single general-purpose register (XZR included, acquire/release included, LDTR/STTR included)
//    without writeback and not exclusive. Pairs, writeback forms, SIMD/FP registers, exclusives,
//    DC ZVA and cache maintenance have ISV=0, and so does every abort reported in ESR_EL1;
//  - CM=1 for cache maintenance by VA (DC CIVAC/CVAC/IVAC/CVAU, IC IVAU), never for DC ZVA;
//  - WnR=1 for cache maintenance ("for faults on cache maintenance and address translation
//    instructions, this bit always returns a value of 1"), else the access's direction as the
//    fault record has it.
// LDAPR (FEAT_LRCPC) is taken as an acquire load (ISV=1, AR=1), as the ESR text says ("including
// those with Acquire/Release semantics"); ARMv8.5's ASL does not set its syndrome, and QEMU's
// Cortex-A57 has no FEAT_LRCPC to tell. Bit positions are dsl/arch's (generated/arch-facts.ts).
import { ESR } from "../../../generated/arch-facts.ts";
import type { GuestInstruction } from "./guest-instruction.ts";

const at = (field: { lsb: number }, value: bigint | number | boolean): bigint => BigInt(typeof value === "boolean" ? (value ? 1 : 0) : value) << BigInt(field.lsb);

/** Where the abort is reported and what it is. */
export interface DataAbortContext {
  /** ESR_EL2 (a stage-2 abort) or ESR_EL1 (a stage-1 abort taken to EL1). */
  readonly reportedIn: "el1" | "el2";
  /** The stage-2 abort is on a stage-1 table walk. */
  readonly s1ptw: boolean;
  /** A synchronous external abort (EA=1). */
  readonly externalAbort?: boolean;
}

/** The instruction syndrome is valid (ISV=1) for this abort. */
export function instructionSyndromeValid(insn: GuestInstruction, ctx: DataAbortContext): boolean {
  const singleGpr = (insn.operation === "load" || insn.operation === "store") && insn.registerCount === 1 && !insn.simdFp;
  return ctx.reportedIn === "el2" && !ctx.s1ptw && ctx.externalAbort !== true && singleGpr && insn.writeback === "none" && !insn.exclusive;
}

/** ESR.SAS: log2 of the access size (0 byte, 1 halfword, 2 word, 3 doubleword). */
export function syndromeAccessSize(bytes: number): number {
  const sas = Math.log2(bytes);
  if (!Number.isInteger(sas) || sas < 0 || sas > 3) throw new Error(`no SAS encoding for a ${bytes}-byte access`);
  return sas;
}

/** ISV, SAS, SSE, SRT, SF, AR and CM of a Data Abort caused by `insn` (WnR and FSC not included). */
export function instructionIss(insn: GuestInstruction, ctx: DataAbortContext): bigint {
  let iss = at(ESR.CM, insn.operation === "cache-maintenance");
  if (instructionSyndromeValid(insn, ctx)) {
    iss |= at(ESR.ISV, true) | at(ESR.SAS, syndromeAccessSize(insn.elementBytes)) | at(ESR.SSE, insn.signExtend) | at(ESR.SRT, insn.rt ?? 0) | at(ESR.SF, insn.sf) | at(ESR.AR, insn.acquireRelease);
  }
  return iss;
}

/** ESR.WnR of a Data Abort caused by `insn`; `faultWrite` is the fault record's direction. */
export function dataAbortWnR(insn: GuestInstruction | undefined, faultWrite: boolean): boolean {
  return insn?.operation === "cache-maintenance" ? true : faultWrite;
}
