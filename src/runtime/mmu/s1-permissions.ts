// AArch64.S1CheckPermissions() for the EL1&0 regime: AP[2:1] with APTable, PXN/UXN with their
// table forms, WXN, and the rule that EL1 cannot execute memory EL0 can write. PAN is not
// implemented (ARMv8.0), so EL1 may read anything its translation maps.

import type { AccessDescriptor } from "./access.ts";
import { S1LeafWords } from "./descriptor.ts";
import { makeFault, type FaultRecord } from "./fault.ts";
import type { S1WalkState } from "./s1-walk.ts";

export interface S1Permissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/** The effective permissions a leaf grants at `el`. */
export function s1EffectivePermissions(walk: S1WalkState, el: 0 | 1, wxn: boolean): S1Permissions {
  const { descriptorLow: lo, descriptorHigh: hi, tableAttributes } = walk;
  const ap = S1LeafWords.ap(lo);
  const readOnly = (ap & 0b10) !== 0 || (tableAttributes.apTable & 0b10) !== 0;
  const el0Access = (ap & 0b01) !== 0 && (tableAttributes.apTable & 0b01) === 0;
  const el0Write = el0Access && !readOnly;
  if (el === 0) {
    const uxn = S1LeafWords.uxn(hi) || tableAttributes.uxnTable;
    return { read: el0Access, write: el0Write, execute: el0Access && !uxn && !(el0Write && wxn) };
  }
  const pxn = S1LeafWords.pxn(hi) || tableAttributes.pxnTable;
  const write = !readOnly;
  return { read: true, write, execute: !pxn && !(write && wxn) && !el0Write };
}

/** A Permission fault at the leaf's level, or undefined when the access is allowed. */
export function s1CheckPermissions(walk: S1WalkState, access: AccessDescriptor, wxn: boolean): FaultRecord | undefined {
  if (access.checkPermissions === false) return undefined;
  const perms = s1EffectivePermissions(walk, access.el, wxn);
  const allowed = access.kind === "IFETCH" ? perms.execute : access.write ? perms.write : perms.read;
  if (allowed) return undefined;
  return makeFault("Permission", walk.level, {
    secondstage: false,
    s2fs1walk: false,
    ipaddress: undefined,
    write: access.kind !== "IFETCH" && access.write,
  });
}
