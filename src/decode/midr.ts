// MIDR_EL1 decoded: implementer, part (named by the implementer's part enum, the variant
// MIDR.PartNum on Implementer of dsl/arch), variant and revision, and each erratum dsl/arch
// declares with whether this part and revision lie in one of its ranges. A range matches as
// Linux's is_midr_in_range does: same implementer and part, architecture 0xF (MIDR_CPU_MODEL in
// asm/cputype.h sets it), and variant:revision between the bounds, inclusive.
import { archFacts } from "../../generated/arch-facts.ts";
import { decodeLayout, fieldNamed, memberLabel } from "./fields.ts";
import { membersOf, memberValue, tables } from "./tables.ts";
import type { DecodedMidr, ErratumMatch } from "./types.ts";

const MASK64 = (1n << 64n) - 1n;

export function decodeMidr(value: bigint, register = "MIDR_EL1"): DecodedMidr {
  const v = value & MASK64;
  const { fields } = decodeLayout("MIDR", v);
  const get = (n: string) => fieldNamed(fields, n)?.value ?? 0n;
  const implementers = membersOf("Implementer", get("Implementer"));
  const partEnum = tables().variants.get("MIDR.PartNum")?.cases.find((c) => BigInt(c.value) === get("Implementer"))?.target;
  const parts = partEnum === undefined ? [] : membersOf(partEnum, get("PartNum"));
  const variant = Number(get("Variant"));
  const revision = Number(get("Revision"));
  const rev = `r${variant}p${revision}`;
  const errata = archFacts.errata.map((e) => erratumMatch(e, get("Implementer"), get("Architecture"), get("PartNum"), variant, revision));
  const who = implementers.length > 0 ? implementers[0].meaning ?? implementers[0].name : `implementer 0x${get("Implementer").toString(16)}`;
  const what = parts.length > 0 ? parts.map((p) => p.meaning ?? p.name).join(" or ") : `part 0x${get("PartNum").toString(16)}`;
  const applying = errata.filter((e) => e.applies).map((e) => e.erratum);
  return {
    register,
    value: v,
    fields,
    summary: `${who} ${what} ${rev}${applying.length > 0 ? `, erratum ${applying.join(", ")}` : ""}`,
    implementer: implementers.length > 0 ? memberLabel(implementers) : undefined,
    part: parts.length > 0 ? memberLabel(parts) : undefined,
    variant,
    revision,
    rev,
    errata,
  };
}

type Erratum = (typeof archFacts.errata)[number];

/** The implementer code whose part enum is `partEnum`. */
function implementerOf(partEnum: string): bigint | undefined {
  const c = tables().variants.get("MIDR.PartNum")?.cases.find((x) => x.target === partEnum);
  return c === undefined ? undefined : BigInt(c.value);
}

function erratumMatch(e: Erratum, implementer: bigint, architecture: bigint, partNum: bigint, variant: number, revision: number): ErratumMatch {
  const here = variant * 16 + revision;
  const cpuid = BigInt(memberValue("MidrArchitecture", "ID_REGISTERS"));
  const applies = e.ranges.some(
    (r) =>
      implementerOf(r.partEnum) === implementer &&
      architecture === cpuid &&
      BigInt(r.partNum) === partNum &&
      here >= r.from.variant * 16 + r.from.revision &&
      here <= r.to.variant * 16 + r.to.revision,
  );
  return {
    erratum: e.erratum,
    capability: e.capability,
    applies,
    ranges: e.ranges.map((r) => `${r.partMeaning ?? r.part} r${r.from.variant}p${r.from.revision}..r${r.to.variant}p${r.to.revision}`),
    citation: e.citation ?? "dsl/arch",
  };
}
