// ESR_EL2 decoded into named fields for reports, from the architecture rule file itself
// (dsl/arch/aarch64.fault: layout ESR, enums ExceptionClass and FaultStatus), so that the
// names a counterexample prints are the ones the rule files use.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { EnumSymbol, LayoutSymbol } from "../parser/checker/types.ts";
import { checkFiles } from "../parser/workspace.ts";
import { archFacts, ESR } from "../../generated/arch-facts.ts";

const ARCH_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dsl", "arch", "aarch64.fault");

let arch: { esr: LayoutSymbol; ec: EnumSymbol; fsc: EnumSymbol } | undefined | null;

/** The ESR layout and the EC and FSC enums of dsl/arch/aarch64.fault (undefined if it does not check). */
export function architecture(): { esr: LayoutSymbol; ec: EnumSymbol; fsc: EnumSymbol } | undefined {
  if (arch === undefined) {
    const ws = checkFiles([path.relative(process.cwd(), ARCH_FILE) || ARCH_FILE]);
    const file = [...ws.files.values()][0];
    const esr = file?.exports.get("ESR");
    const ec = file?.exports.get("ExceptionClass");
    const fsc = file?.exports.get("FaultStatus");
    arch = esr?.kind === "layout" && ec?.kind === "enum" && fsc?.kind === "enum" ? { esr, ec, fsc } : null;
  }
  return arch ?? undefined;
}

/** "PERM level 3" for a value of an enum with levels, the member's name otherwise. */
export function memberName(e: EnumSymbol, value: bigint): string | undefined {
  for (const [name, levels] of e.members) {
    for (const [level, v] of levels) if (v === value) return level === null ? name : `${name} level ${level}`;
  }
  return undefined;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
/** The classes whose ISS is an abort's (dsl/arch: the variants of ESR.ISS on EC). */
const ABORT_CLASSES = archFacts.variants
  .filter((v) => v.layout === "ESR" && v.field === "ISS")
  .flatMap((v) => v.cases.filter((c) => c.target === "DataAbortISS" || c.target === "InstrAbortISS").map((c) => BigInt(c.value)));

/** "EC=DABT_LOW (0x24) IL=1 ... FSC=PERM level 3 (0xf)" for an abort; EC and ISS otherwise. */
export function decodeEsr(esr: bigint): string {
  const a = architecture();
  const field = (hi: number, lo: number) => (esr >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
  const of = (f: { msb: number; lsb: number }) => field(f.msb, f.lsb);
  const ec = of(ESR.EC);
  if (a === undefined) return `EC=${hex(ec)} ISS=${hex(of(ESR.ISS))}`;
  const parts = [`EC=${memberName(a.ec, ec) ?? "unallocated"} (${hex(ec)})`, `IL=${of(ESR.IL)}`];
  const isAbort = ABORT_CLASSES.includes(ec);
  if (isAbort) {
    for (const name of ["ISV", "EA", "FnV", "S1PTW", "WnR"]) {
      const f = a.esr.fields.get(name);
      if (f) parts.push(`${name}=${field(f.hi, f.lo)}`);
    }
    const fsc = of(ESR.FSC);
    parts.push(`FSC=${memberName(a.fsc, fsc) ?? "reserved"} (${hex(fsc)})`);
  } else {
    parts.push(`ISS=${hex(of(ESR.ISS))}`);
  }
  const high = esr >> 32n;
  if (high !== 0n) parts.push(`[63:32]=${hex(high)}`);
  return parts.join(" ");
}
