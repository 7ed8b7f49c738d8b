// AArch64.S2Walk(): the stage-2 translation table walk of an IPA, stopping at the first fault.
// Follows ARMv8.0 TranslationTableWalk for secondstage: descriptor fetches are physical, table
// descriptors carry no hierarchical attributes, faults are reported with the level they occur at.

import type { AccessDescriptor } from "./access.ts";
import {
  accessFlagOfLowWord,
  addressBitsOfWords,
  blockAllowedAtLevel,
  descriptorTypeOfLowWord,
  leafOutputAddressOfWords,
  oaNumberOutOfRange,
} from "./descriptor.ts";
import { failure, makeFault, success, type FaultStatus, type Outcome } from "./fault.ts";
import type { TranslationContext } from "./registers.ts";
import { s2StartLevel } from "./start-level.ts";
import { fetchDescriptorWords, indexTopBit, inputHigh, inputLow, low48, ttBaseAddressNumber, ttEntryAddressNumber, WalkLeaf, type DescriptorWords } from "./table-walk.ts";
import type { S2TTWParams } from "./walk-params.ts";

export interface S2WalkState {
  readonly level: number;
  /** The block or page descriptor that maps the IPA. */
  readonly descriptor: bigint;
  /** Its bits 31:0 and 63:32, as the walk read them (unsigned Numbers). */
  readonly descriptorLow: number;
  readonly descriptorHigh: number;
  /** Where that descriptor lives (PA). */
  readonly descriptorAddress: bigint;
  readonly pa: bigint;
  /** The PA as a Number (exact: at most 48 bits). */
  readonly paNumber: number;
  readonly blocksize: bigint;
}

/** A stage-2 walk's leaf (table-walk.ts WalkLeaf): its output address is the PA. */
class S2WalkLeaf extends WalkLeaf implements S2WalkState {
  get pa(): bigint {
    return BigInt(this.outputAddressNumber);
  }

  get paNumber(): number {
    return this.outputAddressNumber;
  }
}

/**
 * Walks stage 2 for `ipa`. The caller has checked that the IPA is in range and the start level
 * consistent (s2Translate). `s2fs1walk` marks a walk made for a stage-1 descriptor fetch, which
 * the fault records carry as ESR.S1PTW / PAR.PTW.
 */
export function s2Walk(
  ctx: TranslationContext,
  params: S2TTWParams,
  ipa: bigint,
  access: AccessDescriptor,
  s2fs1walk: boolean,
): Outcome<S2WalkState> {
  const { geometry, inputsize, outputsize } = params;
  const startlevel = s2StartLevel(geometry, params.sl0);
  const baseregister = params.baseaddress;
  if (oaNumberOutOfRange(baseregister, outputsize)) return s2WalkFault("AddressSize", 0, ipa, access, s2fs1walk);

  // Addresses on Numbers (table-walk.ts): the IPA is below 2^inputsize (s2Translate checked).
  const in48 = low48(ipa);
  const inHi = inputHigh(in48);
  const inLo = inputLow(in48);
  let tablebase = ttBaseAddressNumber(baseregister, geometry, inputsize, startlevel);
  const words: DescriptorWords = { lo: 0, hi: 0 };
  for (let level = startlevel; ; level++) {
    const descriptorAddress = ttEntryAddressNumber(tablebase, geometry, level, inHi, inLo, indexTopBit(geometry, level, startlevel, inputsize));
    // Stage-2 descriptors are read in SCTLR_EL2.EE order; that register is not among the inputs
    // of this model, so stage 2 is little-endian, as KVM always configures it.
    // Outside memory: a stage-2 fault at this level (S1PTW when the walk was for a stage-1 table).
    if (!fetchDescriptorWords(ctx.memory, descriptorAddress, false, words)) return s2WalkFault("SyncExternalOnWalk", level, ipa, access, s2fs1walk);
    const { lo, hi } = words;
    const type = descriptorTypeOfLowWord(lo, level);
    if (type === "Invalid") return s2WalkFault("Translation", level, ipa, access, s2fs1walk);
    if (type === "Table") {
      const next = addressBitsOfWords(lo, hi, geometry.grainsize);
      if (oaNumberOutOfRange(next, outputsize)) return s2WalkFault("AddressSize", level, ipa, access, s2fs1walk);
      tablebase = next;
      continue;
    }
    if (type === "Block" && !blockAllowedAtLevel(geometry, level)) return s2WalkFault("Translation", level, ipa, access, s2fs1walk);
    const pa = leafOutputAddressOfWords(lo, hi, geometry, level, inHi, inLo);
    if (oaNumberOutOfRange(pa, outputsize)) return s2WalkFault("AddressSize", level, ipa, access, s2fs1walk);
    // FEAT_HAFDBS is not implemented: AF=0 always faults, nothing is written back.
    if (!accessFlagOfLowWord(lo)) return s2WalkFault("AccessFlag", level, ipa, access, s2fs1walk);
    return success(new S2WalkLeaf(level, lo, hi, descriptorAddress, pa, geometry));
  }
}

/**
 * A stage-2 walk's fault. ARMv8.0 AArch64.SecondStageWalk passes the original access's iswrite
 * into the walk, so a Translation/Access flag/Address size fault on a stage-1 walk reports the
 * instruction's WnR.
 */
function s2WalkFault(status: FaultStatus, level: number, ipa: bigint, access: AccessDescriptor, s2fs1walk: boolean): Outcome<S2WalkState> {
  return failure(makeFault(status, level, { secondstage: true, s2fs1walk, ipaddress: ipa, write: access.write }));
}
