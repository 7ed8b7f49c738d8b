// AArch64.S2Walk(): the stage-2 translation table walk of an IPA, stopping at the first fault.
// Follows ARMv8.0 TranslationTableWalk for secondstage: descriptor fetches are physical, table
// descriptors carry no hierarchical attributes, faults are reported with the level they occur at.

import type { AccessDescriptor } from "./access.ts";
import {
  accessFlag,
  blockAllowedAtLevel,
  decodeDescriptorType,
  leafOutputAddress,
  nextTableAddress,
  oaOutOfRange,
} from "./descriptor.ts";
import { failure, makeFault, success, type FaultOrigin, type FaultStatus, type Outcome } from "./fault.ts";
import { blockSize } from "./granule.ts";
import type { TranslationContext } from "./registers.ts";
import { s2StartLevel } from "./start-level.ts";
import { fetchDescriptor, indexTopBit, ttBaseAddress, ttEntryAddress } from "./table-walk.ts";
import { baseAddressField, type S2TTWParams } from "./walk-params.ts";

export interface S2WalkState {
  readonly level: number;
  /** The block or page descriptor that maps the IPA. */
  readonly descriptor: bigint;
  /** Where that descriptor lives (PA). */
  readonly descriptorAddress: bigint;
  readonly pa: bigint;
  readonly blocksize: bigint;
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
  // ARMv8.0 AArch64.SecondStageWalk passes the original access's iswrite into the walk, so a
  // Translation/Access flag/Address size fault on a stage-1 walk reports the instruction's WnR.
  const origin: FaultOrigin = { secondstage: true, s2fs1walk, ipaddress: ipa, write: access.write };
  const fault = (status: FaultStatus, level: number): Outcome<S2WalkState> =>
    failure(makeFault(status, level, origin));

  const startlevel = s2StartLevel(geometry, params.sl0);
  const baseregister = baseAddressField(params.baseregister);
  if (oaOutOfRange(baseregister, outputsize)) return fault("AddressSize", 0);

  let tablebase = ttBaseAddress(baseregister, geometry, inputsize, startlevel);
  for (let level = startlevel; ; level++) {
    const descriptorAddress = ttEntryAddress(
      tablebase,
      geometry,
      level,
      ipa,
      indexTopBit(geometry, level, startlevel, inputsize),
    );
    // Stage-2 descriptors are read in SCTLR_EL2.EE order; that register is not among the inputs
    // of this model, so stage 2 is little-endian, as KVM always configures it.
    const descriptor = fetchDescriptor(ctx.memory, descriptorAddress, false);
    // Outside memory: a stage-2 fault at this level (S1PTW when the walk was for a stage-1 table).
    if (descriptor === undefined) return fault("SyncExternalOnWalk", level);
    const type = decodeDescriptorType(descriptor, level);
    if (type === "Invalid") return fault("Translation", level);
    if (type === "Table") {
      const next = nextTableAddress(descriptor, geometry);
      if (oaOutOfRange(next, outputsize)) return fault("AddressSize", level);
      tablebase = next;
      continue;
    }
    if (type === "Block" && !blockAllowedAtLevel(geometry, level)) return fault("Translation", level);
    const pa = leafOutputAddress(descriptor, geometry, level, ipa);
    if (oaOutOfRange(pa, outputsize)) return fault("AddressSize", level);
    // FEAT_HAFDBS is not implemented: AF=0 always faults, nothing is written back.
    if (!accessFlag(descriptor)) return fault("AccessFlag", level);
    return success({ level, descriptor, descriptorAddress, pa, blocksize: blockSize(geometry, level) });
  }
}
