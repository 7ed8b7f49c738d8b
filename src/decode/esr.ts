// ESR_ELx decoded: EC and IL, the ISS by the layout dsl/arch gives the class (aborts, calls,
// SYS64, WFx, BRK, SError, debug, FP, SVE/SME, MOPS, GCS, LS64, PAC, BTI, the AArch32 traps), the
// ISS2 where the class has one, and the accessed register's name for SYS64. Any 64-bit value
// decodes: unallocated classes and reserved field values are named as such.
import { decodeLayout, fieldNamed, memberLabel, memberMeaning } from "./fields.ts";
import { membersOf, memberValue } from "./tables.ts";
import type { DecodedField, DecodedRegister } from "./types.ts";

const MASK64 = (1n << 64n) - 1n;

export function decodeEsr(value: bigint, register = "ESR_EL2"): DecodedRegister {
  const v = value & MASK64;
  const { fields } = decodeLayout("ESR", v);
  const ec = fieldNamed(fields, "EC")!;
  const classes = membersOf("ExceptionClass", ec.value);
  const sysreg = classes[0]?.name === "SYS64" ? sys64Register(fields) : undefined;
  const head = classes.length === 0 ? `EC 0x${ec.value.toString(16)}: unallocated exception class` : `${memberLabel(classes)}: ${memberMeaning(classes)}`;
  const detail = summaryDetail(fields, sysreg);
  return { register, value: v, fields, summary: detail === undefined ? head : `${head}, ${detail}`, ...(sysreg !== undefined ? { sysreg } : {}) };
}

/**
 * The register a trapped MSR/MRS accesses: enum SystemRegister of dsl/arch holds each encoding as
 * op0:op1:CRn:CRm:op2; an encoding it does not name is spelt as GNU as accepts any, S3_0_C1_C0_0.
 */
function sys64Register(fields: readonly DecodedField[]): string {
  const [op0, op1, crn, crm, op2] = ["Op0", "Op1", "CRn", "CRm", "Op2"].map((n) => fieldNamed(fields, n)?.value ?? 0n);
  const encoding = (op0 << 14n) | (op1 << 11n) | (crn << 7n) | (crm << 3n) | op2;
  const named = membersOf("SystemRegister", encoding);
  return named.length > 0 ? named.map((m) => m.name).join(" or ") : `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
}

/** What follows the class in the one-line summary: the fault, the immediate, the access. */
function summaryDetail(fields: readonly DecodedField[], sysreg: string | undefined): string | undefined {
  // SError with IDS set: the rest of the ISS is IMPLEMENTATION DEFINED.
  const ids = fieldNamed(fields, "IDS");
  if (ids?.value === 1n) return ids.meaning;
  const fsc = fieldNamed(fields, "DFSC") ?? fieldNamed(fields, "IFSC");
  if (fsc !== undefined) {
    const named = fsc.reserved ? undefined : fsc.meaning?.replace(/^[^:]*: /, "");
    const what = named ?? `reserved fault status 0x${fsc.value.toString(16)}`;
    const wnr = fieldNamed(fields, "WnR");
    const s1ptw = fieldNamed(fields, "S1PTW");
    // AET says what state an asynchronous SError left the PE in (valid for that DFSC only).
    const aet = fieldNamed(fields, "AET");
    const state = aet !== undefined && fsc.value === BigInt(memberValue("SErrorStatus", "ASYNC_SERROR")) ? aet.meaning?.replace(/^[^:]*: /, "") : undefined;
    return [what.replace(/, level /, " level "), state, s1ptw?.value === 1n ? "on a stage-1 table walk" : undefined, wnr === undefined ? undefined : wnr.value === 1n ? "write" : "read"]
      .filter((x) => x !== undefined)
      .join(", ");
  }
  if (sysreg !== undefined) {
    const dir = fieldNamed(fields, "Direction")?.value === 1n ? "read of" : "write to";
    return `${dir} ${sysreg} (x${fieldNamed(fields, "Rt")?.value ?? 0n})`;
  }
  const imm = fieldNamed(fields, "imm16") ?? fieldNamed(fields, "Comment");
  if (imm !== undefined) return `${imm.name} 0x${imm.value.toString(16)}`;
  const ti = fieldNamed(fields, "TI");
  if (ti !== undefined) return ti.meaning?.replace(/^[^:]*: /, "");
  return undefined;
}
