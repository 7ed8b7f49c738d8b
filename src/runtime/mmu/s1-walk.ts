// AArch64.S1Walk(): the stage-1 walk of the EL1&0 regime, stopping at the first fault. Each
// descriptor address is an IPA; `translateDescriptorAddress` turns it into a PA (through stage 2
// when HCR_EL2.VM is set) and may itself fault, which ends the walk with that stage-2 fault.

import type { AccessDescriptor } from "./access.ts";
import {
  accessFlag,
  blockAllowedAtLevel,
  decodeDescriptorType,
  leafOutputAddress,
  nextTableAddress,
  oaOutOfRange,
  S1Table,
} from "./descriptor.ts";
import { failure, makeFault, success, type FaultOrigin, type FaultStatus, type Outcome } from "./fault.ts";
import { blockSize } from "./granule.ts";
import type { TranslationContext } from "./registers.ts";
import { s1StartLevel } from "./start-level.ts";
import { fetchDescriptor, indexTopBit, ttBaseAddress, ttEntryAddress } from "./table-walk.ts";
import { vaIsOutOfRange } from "./va-range.ts";
import { baseAddressField, type S1TTWParams } from "./walk-params.ts";

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
  /** IPA of the leaf descriptor. */
  readonly descriptorAddress: bigint;
  /** Output address: an IPA when stage 2 is on, else a PA. */
  readonly oa: bigint;
  readonly blocksize: bigint;
  readonly tableAttributes: TableAttributes;
}

/** Stage 2 applied to a stage-1 descriptor address (identity when stage 2 is off). */
export type DescriptorAddressTranslator = (ipa: bigint) => Outcome<bigint>;

const NO_TABLE_ATTRIBUTES: TableAttributes = { apTable: 0, pxnTable: false, uxnTable: false };

/** Folds one table descriptor's APTable/PXNTable/UXNTable into the running attributes. */
function accumulateTableAttributes(acc: TableAttributes, descriptor: bigint): TableAttributes {
  return {
    apTable: acc.apTable | S1Table.apTable(descriptor),
    pxnTable: acc.pxnTable || S1Table.pxnTable(descriptor),
    uxnTable: acc.uxnTable || S1Table.uxnTable(descriptor),
  };
}

export function s1Walk(
  ctx: TranslationContext,
  params: S1TTWParams,
  va: bigint,
  access: AccessDescriptor,
  translateDescriptorAddress: DescriptorAddressTranslator,
): Outcome<S1WalkState> {
  const { geometry, inputsize, outputsize } = params;
  const origin: FaultOrigin = { secondstage: false, s2fs1walk: false, ipaddress: undefined, write: access.write };
  const fault = (status: FaultStatus, level: number): Outcome<S1WalkState> =>
    failure(makeFault(status, level, origin));

  // An address outside the TTBR's range, or a disabled TTBR (EPDx), is a level-0 Translation fault.
  if (vaIsOutOfRange(va, params.top, inputsize, params.range) || params.epd) return fault("Translation", 0);

  // A TTBR pointing beyond the output size is an Address size fault reported at level 0.
  const baseregister = baseAddressField(params.baseregister);
  if (oaOutOfRange(baseregister, outputsize)) return fault("AddressSize", 0);

  const startlevel = s1StartLevel(geometry, inputsize);
  let tablebase = ttBaseAddress(baseregister, geometry, inputsize, startlevel);
  let tableAttributes = NO_TABLE_ATTRIBUTES;
  for (let level = startlevel; ; level++) {
    const descriptorAddress = ttEntryAddress(
      tablebase,
      geometry,
      level,
      va,
      indexTopBit(geometry, level, startlevel, inputsize),
    );
    const fetchAddress = translateDescriptorAddress(descriptorAddress);
    if (!fetchAddress.ok) return failure(fetchAddress.fault);
    const descriptor = fetchDescriptor(ctx.memory, fetchAddress.value, params.bigEndianDescriptors);
    // A fetch the memory system refuses (stage 2 put the table outside memory, or stage 2 is off
    // and the IPA is such a PA) is a stage-1 fault: the walk's own FaultRecord, taken to EL1.
    if (descriptor === undefined) return fault("SyncExternalOnWalk", level);
    const type = decodeDescriptorType(descriptor, level);
    if (type === "Invalid") return fault("Translation", level);
    if (type === "Table") {
      const next = nextTableAddress(descriptor, geometry);
      if (oaOutOfRange(next, outputsize)) return fault("AddressSize", level);
      tableAttributes = accumulateTableAttributes(tableAttributes, descriptor);
      tablebase = next;
      continue;
    }
    if (type === "Block" && !blockAllowedAtLevel(geometry, level)) return fault("Translation", level);
    // A misprogrammed Contiguous bit may fault (IMPLEMENTATION DEFINED); this model does not.
    const oa = leafOutputAddress(descriptor, geometry, level, va);
    if (oaOutOfRange(oa, outputsize)) return fault("AddressSize", level);
    // No FEAT_HAFDBS: AF=0 faults. The Access flag fault outranks a Permission fault, so it is
    // checked here, before AArch64.S1CheckPermissions runs.
    if (!accessFlag(descriptor)) return fault("AccessFlag", level);
    return success({
      level,
      descriptor,
      descriptorAddress,
      oa,
      blocksize: blockSize(geometry, level),
      tableAttributes,
    });
  }
}
