// The kernel's own decoding of an ESR (the fields of "Mem abort info:", "Data abort info:" and
// KVM's "Unsupported FSC:" line) checked against the decoder's: a log whose EC line disagrees
// with its ESR line is not one fault, and is refused with both places named.
import type { DecodedRegister } from "../decode/types.ts";
import { LogError, type LogClaim, type LogPlace } from "./kernel-log.ts";

export interface ClaimCheck {
  /** The kernel's name (FSC, xFSC, Access size) and the Arm ARM field it is checked against. */
  readonly claim: string;
  readonly field: string | undefined;
  readonly value: bigint;
  readonly at: LogPlace;
  /** false: the decoder has no such field for this ESR (the kernel printed it anyway), so it is not checked. */
  readonly checked: boolean;
}

/** The kernel's names for fields the Arm ARM names otherwise, in the order tried. */
const ARM_NAMES: Readonly<Record<string, readonly string[]>> = {
  FSC: ["DFSC", "IFSC", "FSC"],
  xFSC: ["DFSC", "IFSC", "FSC"],
  "Access size": ["SAS"],
};

/** What the field's value is, given how the kernel printed it: IL as 16 or 32 bits, the access size in bytes. */
function fieldValue(claim: LogClaim): bigint | undefined {
  if (claim.field === "IL") return claim.value === 32n ? 1n : claim.value === 16n ? 0n : undefined;
  if (claim.field === "Access size") {
    for (let sas = 0n; sas < 4n; sas++) if (1n << sas === claim.value) return sas;
    return undefined;
  }
  return claim.value;
}

/** Checks every claim against `esr`; throws LogError at the first that disagrees, with a note at the ESR's place. */
export function checkClaims(claims: readonly LogClaim[], esr: DecodedRegister, esrPlace: { file: string; at: LogPlace | undefined; what: string }): ClaimCheck[] {
  return claims.map((c) => {
    const field = (ARM_NAMES[c.field] ?? [c.field]).map((n) => esr.fields.find((f) => f.name === n)).find((f) => f !== undefined);
    if (field === undefined) return { claim: c.field, field: undefined, value: c.value, at: c.at, checked: false };
    const expected = fieldValue(c);
    if (expected !== field.value) {
      const said = c.field === "IL" ? `${c.value} bits` : c.field === "Access size" ? `${c.value} byte(s)` : `0x${c.value.toString(16)}`;
      throw new LogError(esrPlace.file, c.at, `${c.field} = ${said} here, but ${esrPlace.what} 0x${esr.value.toString(16)} has ${field.name} = 0x${field.value.toString(16)}`, esrPlace.at === undefined ? [] : [{ at: esrPlace.at, text: `the ESR is given here` }]);
    }
    return { claim: c.field, field: field.name, value: c.value, at: c.at, checked: true };
  });
}
