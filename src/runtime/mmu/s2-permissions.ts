// AArch64.S2CheckPermissions(): S2AP read/write, XN for instruction fetches, and the protected
// table walk check (HCR_EL2.PTW) for stage-1 descriptor fetches.

import type { AccessDescriptor } from "./access.ts";
import { S2LeafWords } from "./descriptor.ts";
import { makeFault, type FaultRecord } from "./fault.ts";
import { s2MemAttrIsDevice } from "./memattrs.ts";
import type { S2WalkState } from "./s2-walk.ts";

/**
 * A stage-2 Permission fault, or undefined. A stage-1 walk access is checked as a read whatever the
 * original access was, and ARMv8.0's CheckS2Permission then reports it with write = FALSE
 * (failedread), so ESR.WnR is 0 for an S1PTW Permission fault even under a store.
 */
export function s2CheckPermissions(
  walk: S2WalkState,
  ipa: bigint,
  access: AccessDescriptor,
  s2fs1walk: boolean,
  protectedTableWalk: boolean,
): FaultRecord | undefined {
  const s2ap = S2LeafWords.s2ap(walk.descriptorLow);
  const readable = (s2ap & 0b01) !== 0;
  const writable = (s2ap & 0b10) !== 0;
  let allowed: boolean;
  let write: boolean;
  if (s2fs1walk) {
    allowed = readable;
    write = false;
  } else if (access.kind === "IFETCH") {
    allowed = !S2LeafWords.xn(walk.descriptorHigh);
    write = false;
  } else if (access.write) {
    allowed = writable;
    write = true;
  } else if (access.cacheMaintenance === "dc" && access.el !== 0) {
    // AArch64.CheckS2Permission (ARMv8): a DC by VA that is not a write (DC IVAC is), executed
    // above EL0, generates no stage-2 Permission fault, other than on a stage-1 table walk (above).
    allowed = true;
    write = false;
  } else {
    allowed = readable;
    write = false;
  }
  if (!allowed) return makeFault("Permission", walk.level, { secondstage: true, s2fs1walk, ipaddress: ipa, write });
  // HCR_EL2.PTW: a stage-1 table in stage-2 Device memory is a Permission fault; ARMv8.0 raises it
  // with the original access's iswrite.
  if (s2fs1walk && protectedTableWalk && s2MemAttrIsDevice(S2LeafWords.memAttr(walk.descriptorLow))) {
    return makeFault("Permission", walk.level, { secondstage: true, s2fs1walk, ipaddress: ipa, write: access.write });
  }
  return undefined;
}
