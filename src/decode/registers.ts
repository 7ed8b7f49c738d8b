// FAR_ELx, HPFAR_EL2 and PAR_EL1 decoded by their layouts in dsl/arch (PAR by its variant on F:
// ParSuccess or ParFailure), each with a one-line summary of the address it holds.
import { decodeLayout, fieldNamed } from "./fields.ts";
import type { DecodedRegister } from "./types.ts";

const MASK64 = (1n << 64n) - 1n;
const hex = (v: bigint): string => `0x${v.toString(16)}`;

export function decodeFar(value: bigint, register = "FAR_EL2"): DecodedRegister {
  const v = value & MASK64;
  return { register, value: v, fields: decodeLayout("FAR", v).fields, summary: `faulting VA ${hex(v)}` };
}

/** HPFAR_EL2.FIPA holds IPA[51:12] from bit 4: the page's IPA is FIPA << 12. */
export function decodeHpfar(value: bigint, register = "HPFAR_EL2"): DecodedRegister {
  const v = value & MASK64;
  const { fields } = decodeLayout("HPFAR", v);
  const fipa = fieldNamed(fields, "FIPA")?.value ?? 0n;
  const ns = fieldNamed(fields, "NS")?.value === 1n ? ", NS set" : "";
  return { register, value: v, fields, summary: `faulting IPA page ${hex(fipa << 12n)}${ns}` };
}

export function decodePar(value: bigint, register = "PAR_EL1"): DecodedRegister {
  const v = value & MASK64;
  const { fields } = decodeLayout("PAR", v);
  const f = fieldNamed(fields, "F")?.value;
  let summary: string;
  if (f === 0n) {
    const pa = fieldNamed(fields, "PA")?.value ?? 0n;
    summary = `translation succeeded: PA page ${hex(pa << 12n)}, ATTR ${hex(fieldNamed(fields, "ATTR")?.value ?? 0n)}`;
  } else {
    const fst = fieldNamed(fields, "FST");
    const what = fst?.reserved ? `reserved fault status ${hex(fst.value)}` : (fst?.meaning?.replace(/^[^:]*: /, "") ?? "");
    const stage = fieldNamed(fields, "S")?.value === 1n ? "stage 2" : "stage 1";
    const ptw = fieldNamed(fields, "PTW")?.value === 1n ? ", on a stage-1 table walk" : "";
    summary = `translation failed: ${what}, ${stage}${ptw}`;
  }
  return { register, value: v, fields, summary };
}
