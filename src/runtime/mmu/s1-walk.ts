// AArch64.S1Walk(): the stage-1 walk of the EL1&0 regime, stopping at the first fault. Each
// descriptor address is an IPA; `translateDescriptorAddress` turns it into a PA (through stage 2
// when HCR_EL2.VM is set) and may itself fault, which ends the walk with that stage-2 fault.

import type { AccessDescriptor } from "./access.ts";
import {
  accessFlagOfLowWord,
  addressBitsOfWords,
  blockAllowedAtLevel,
  descriptorTypeOfLowWord,
  leafOutputAddressOfWords,
  oaNumberOutOfRange,
  S1TableHighWord,
} from "./descriptor.ts";
import { failure, makeFault, success, type FaultStatus, type Outcome } from "./fault.ts";
import type { GranuleGeometry } from "./granule.ts";
import type { TranslationContext } from "./registers.ts";
import { s2TableAddressIn, s2TableMemo } from "./s2-table-memo.ts";
import { s1StartLevel } from "./start-level.ts";
import { fetchDescriptorWords, indexTopBit, inputHigh, inputLow, low48, ttBaseAddressNumber, ttEntryAddressNumber, WalkLeaf, type DescriptorWords } from "./table-walk.ts";
import { vaIsOutOfRange } from "./va-range.ts";
import type { S1TTWParams } from "./walk-params.ts";

/** Hierarchical attributes gathered from the table descriptors on the way down. */
export interface TableAttributes {
  /** APTable accumulated: bit 1 forces read-only, bit 0 forbids EL0. */
  readonly apTable: number;
  readonly pxnTable: boolean;
  readonly uxnTable: boolean;
}

export interface S1WalkState {
  readonly level: number;
  readonly descriptor: bigint;
  /** The leaf descriptor's bits 31:0 and 63:32, as the walk read them (unsigned Numbers). */
  readonly descriptorLow: number;
  readonly descriptorHigh: number;
  /** IPA of the leaf descriptor. */
  readonly descriptorAddress: bigint;
  /** Output address: an IPA when stage 2 is on, else a PA. */
  readonly oa: bigint;
  /** The output address as a Number (exact: at most 48 bits). */
  readonly oaNumber: number;
  readonly blocksize: bigint;
  readonly tableAttributes: TableAttributes;
}

/** A stage-1 walk's leaf (table-walk.ts WalkLeaf) with the table attributes gathered on the way to it. */
class S1WalkLeaf extends WalkLeaf implements S1WalkState {
  constructor(level: number, lo: number, hi: number, descriptorAddress: number, oa: number, geometry: GranuleGeometry, readonly tableAttributes: TableAttributes) {
    super(level, lo, hi, descriptorAddress, oa, geometry);
  }

  get oa(): bigint {
    return BigInt(this.outputAddressNumber);
  }

  get oaNumber(): number {
    return this.outputAddressNumber;
  }
}

/** Stage 2 applied to a stage-1 descriptor address. */
export type DescriptorAddressTranslator = (ipa: bigint) => Outcome<bigint>;

/**
 * How a walk's descriptor IPAs become PAs: through the translator given, through stage 2 on
 * Numbers (s2-table-memo.ts, what s1Translate asks when stage 2 is on), or unchanged (undefined:
 * stage 2 is off).
 */
export type DescriptorAddresses = DescriptorAddressTranslator | "stage 2" | undefined;

const NO_TABLE_ATTRIBUTES: TableAttributes = { apTable: 0, pxnTable: false, uxnTable: false };

/** Folds one table descriptor's APTable/PXNTable/UXNTable (from its high word) into the running attributes. */
function accumulateTableAttributes(acc: TableAttributes, hi: number): TableAttributes {
  const apTable = acc.apTable | S1TableHighWord.apTable(hi);
  const pxnTable = acc.pxnTable || S1TableHighWord.pxnTable(hi);
  const uxnTable = acc.uxnTable || S1TableHighWord.uxnTable(hi);
  if (apTable === acc.apTable && pxnTable === acc.pxnTable && uxnTable === acc.uxnTable) return acc;
  return { apTable, pxnTable, uxnTable };
}

export function s1Walk(
  ctx: TranslationContext,
  params: S1TTWParams,
  va: bigint,
  access: AccessDescriptor,
  translateDescriptorAddress: DescriptorAddresses,
): Outcome<S1WalkState> {
  const { geometry, inputsize, outputsize } = params;

  // An address outside the TTBR's range, or a disabled TTBR (EPDx), is a level-0 Translation fault.
  if (vaIsOutOfRange(va, params.top, inputsize, params.range) || params.epd) return s1WalkFault("Translation", 0, access);

  // A TTBR pointing beyond the output size is an Address size fault reported at level 0.
  const baseregister = params.baseaddress;
  if (oaNumberOutOfRange(baseregister, outputsize)) return s1WalkFault("AddressSize", 0, access);

  // Addresses on Numbers (table-walk.ts); the index bits of the VA lie below bit 48.
  const in48 = low48(va);
  const inHi = inputHigh(in48);
  const inLo = inputLow(in48);
  const startlevel = s1StartLevel(geometry, inputsize);
  let tablebase = ttBaseAddressNumber(baseregister, geometry, inputsize, startlevel);
  let tableAttributes = NO_TABLE_ATTRIBUTES;
  const words: DescriptorWords = { lo: 0, hi: 0 };
  // The walk only reads memory: one look-up of the stage-2 memo serves each of its descriptor fetches.
  const s2Memo = translateDescriptorAddress === "stage 2" ? s2TableMemo(ctx) : undefined;
  for (let level = startlevel; ; level++) {
    const descriptorAddress = ttEntryAddressNumber(tablebase, geometry, level, inHi, inLo, indexTopBit(geometry, level, startlevel, inputsize));
    let fetchAddress = descriptorAddress;
    if (s2Memo !== undefined) {
      const translated = s2TableAddressIn(s2Memo, ctx, descriptorAddress, access);
      if (typeof translated !== "number") return failure(translated);
      fetchAddress = translated;
    } else if (typeof translateDescriptorAddress === "function") {
      const translated = translateDescriptorAddress(BigInt(descriptorAddress));
      if (!translated.ok) return failure(translated.fault);
      fetchAddress = low48(translated.value);
    }
    // A fetch the memory system refuses (stage 2 put the table outside memory, or stage 2 is off
    // and the IPA is such a PA) is a stage-1 fault: the walk's own FaultRecord, taken to EL1.
    if (!fetchDescriptorWords(ctx.memory, fetchAddress, params.bigEndianDescriptors, words)) return s1WalkFault("SyncExternalOnWalk", level, access);
    const { lo, hi } = words;
    const type = descriptorTypeOfLowWord(lo, level);
    if (type === "Invalid") return s1WalkFault("Translation", level, access);
    if (type === "Table") {
      const next = addressBitsOfWords(lo, hi, geometry.grainsize);
      if (oaNumberOutOfRange(next, outputsize)) return s1WalkFault("AddressSize", level, access);
      tableAttributes = accumulateTableAttributes(tableAttributes, hi);
      tablebase = next;
      continue;
    }
    if (type === "Block" && !blockAllowedAtLevel(geometry, level)) return s1WalkFault("Translation", level, access);
    // A misprogrammed Contiguous bit may fault (IMPLEMENTATION DEFINED); this model does not.
    const oa = leafOutputAddressOfWords(lo, hi, geometry, level, inHi, inLo);
    if (oaNumberOutOfRange(oa, outputsize)) return s1WalkFault("AddressSize", level, access);
    // No FEAT_HAFDBS: AF=0 faults. The Access flag fault outranks a Permission fault, so it is
    // checked here, before AArch64.S1CheckPermissions runs.
    if (!accessFlagOfLowWord(lo)) return s1WalkFault("AccessFlag", level, access);
    return success(new S1WalkLeaf(level, lo, hi, descriptorAddress, oa, geometry, tableAttributes));
  }
}

function s1WalkFault(status: FaultStatus, level: number, access: AccessDescriptor): Outcome<S1WalkState> {
  return failure(makeFault(status, level, { secondstage: false, s2fs1walk: false, ipaddress: undefined, write: access.write }));
}
