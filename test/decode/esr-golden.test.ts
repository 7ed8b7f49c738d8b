// ESR_ELx decoding: golden summaries for real syndromes, and every EC and every FSC value
// decoded and cross-checked field by field against dsl/arch's definitions (read through the
// checker, not through generated/arch-facts.ts), so that the decoder and the arch files cannot
// disagree unnoticed.
import { describe, expect, it } from "vitest";
import { decodeEsr } from "../../src/decode/index.ts";
import type { DecodedField } from "../../src/decode/types.ts";
import { archTruth, bits, membersWithValue } from "./arch-truth.ts";

const IL = 1n << 25n;

/** Every field the decoder names is the arch file's: same bits, same value, same named value. */
function crossCheck(esr: bigint, fields: DecodedField[]): void {
  const t = archTruth();
  const esrLayout = t.layouts.get("ESR")!;
  const ec = bits(esr, 31, 26);
  const ecMember = membersWithValue(t.enums.get("ExceptionClass")!, ec)[0]?.[0];
  const issLayout = ecMember === undefined ? undefined : t.variants.get("ESR.ISS")?.get(ecMember);
  const iss2Layout = ecMember === undefined ? undefined : t.variants.get("ESR.ISS2")?.get(ecMember);
  for (const f of fields) {
    expect(bits(esr, f.msb, f.lsb), `${f.name} holds its bits`).toBe(f.value);
    if (f.name === "RES0") {
      expect(f.reserved).toBe(true);
      continue;
    }
    const inIss2 = f.lsb >= 32 && f.msb <= 55 && iss2Layout !== undefined;
    const inIss = f.msb <= 24 && issLayout !== undefined;
    const layout = t.layouts.get(inIss2 ? iss2Layout! : inIss ? issLayout! : "ESR")!;
    const offset = inIss2 ? 32 : 0;
    const def = layout.fields.get(f.name);
    expect(def, `${f.name} is a field of ${layout.name}`).toBeDefined();
    expect([def!.hi + offset, def!.lo + offset], `${layout.name}.${f.name}`).toEqual([f.msb, f.lsb]);
    if (def!.values !== undefined) {
      const named = membersWithValue(def!.values, f.value);
      expect(f.reserved ?? false, `${f.name}=${f.value} reserved`).toBe(named.length === 0);
      for (const [name, level] of named) {
        expect(f.meaning).toContain(level === null ? name : `${name} level ${level}`);
        const meaning = t.meanings.get(`${def!.values.name}.${name}`);
        if (meaning !== undefined) expect(f.meaning).toContain(meaning);
      }
    }
  }
  // The fields cover every set bit of the value, each bit once.
  let rebuilt = 0n;
  for (const f of fields) {
    const mask = ((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb);
    expect(rebuilt & mask, `${f.name} overlaps another field`).toBe(0n);
    rebuilt |= f.value << BigInt(f.lsb);
  }
  expect(rebuilt).toBe(esr);
  void esrLayout;
}

// Real and worked syndromes (FACTS.md, kernel logs, QEMU), with the summary they decode to.
const GOLDEN: [bigint, string, string?][] = [
  [0x93c58005n, "DABT_LOW: data abort from a lower EL, translation fault level 1, read"],
  [0x96000045n, "DABT_CUR: data abort taken without a change of EL, translation fault level 1, write"],
  [0x92000007n, "DABT_LOW: data abort from a lower EL, translation fault level 3, read"],
  [0x9200004fn, "DABT_LOW: data abort from a lower EL, permission fault level 3, write"],
  [0x92000086n, "DABT_LOW: data abort from a lower EL, translation fault level 2, on a stage-1 table walk, read"],
  [0x82000007n, "IABT_LOW: instruction abort from a lower EL, translation fault level 3"],
  [0x8600000fn, "IABT_CUR: instruction abort taken without a change of EL, permission fault level 3"],
  [0x96000021n, "DABT_CUR: data abort taken without a change of EL, alignment fault, read"],
  [0x92000410n, "DABT_LOW: data abort from a lower EL, synchronous external abort, not on a walk, read"],
  [0x96000011n, "DABT_CUR: data abort taken without a change of EL, synchronous tag check fault (FEAT_MTE2), read"],
  [0x92000030n, "DABT_LOW: data abort from a lower EL, TLB conflict abort, read"],
  [0x92000029n, "DABT_LOW: data abort from a lower EL, address size fault level -1, read"],
  [0x92000025n, "DABT_LOW: data abort from a lower EL, reserved fault status 0x25, read"],
  [0x5a000000n, "HVC64: HVC executed in AArch64, imm16 0x0"],
  [0x5a000052n, "HVC64: HVC executed in AArch64, imm16 0x52"],
  [0x5e000000n, "SMC64: SMC executed in AArch64, imm16 0x0"],
  [0x56000080n, "SVC64: SVC executed in AArch64, imm16 0x80"],
  [0x4a000001n, "HVC32: HVC executed in AArch32, imm16 0x1"],
  [0x4e000000n, "SMC32: SMC executed in AArch32"],
  [0x62300401n, "SYS64: trapped MSR, MRS or System instruction (AArch64), read of SCTLR_EL1 (x0)", "SCTLR_EL1"],
  [0x6232f804n, "SYS64: trapped MSR, MRS or System instruction (AArch64), write to CNTP_CTL_EL0 (x0)", "CNTP_CTL_EL0"],
  [0x62318061n, "SYS64: trapped MSR, MRS or System instruction (AArch64), read of S3_6_C0_C0_0 (x3)", "S3_6_C0_C0_0"],
  [0x06000000n, "WFx: trapped WFI, WFE, WFIT or WFET, WFI"],
  [0x06000001n, "WFx: trapped WFI, WFE, WFIT or WFET, WFE"],
  [0x06000066n, "WFx: trapped WFI, WFE, WFIT or WFET, WFIT"],
  [0xf2000800n, "BRK64: BRK executed in AArch64, Comment 0x800"],
  [0xe2000001n, "BKPT32: BKPT executed in AArch32, Comment 0x1"],
  [0xbe000000n, "SERROR: SError exception, uncategorized error"],
  [0xbe000411n, "SERROR: SError exception, asynchronous SError interrupt, unrecoverable state (UEU)"],
  [0xbf000000n, "SERROR: SError exception, IMPLEMENTATION DEFINED syndrome"],
  [0xc2000022n, "BREAKPT_LOW: breakpoint from a lower EL, debug exception"],
  [0xca000022n, "SOFTSTP_LOW: software step from a lower EL, debug exception"],
  [0xd2000062n, "WATCHPT_LOW: watchpoint from a lower EL, debug exception, write"],
  [0x1fe00000n, "FP_ASIMD: access to SME, SVE, Advanced SIMD or floating point trapped by CPACR_EL1, CPTR_EL2 or CPTR_EL3"],
  [0x66000000n, "SVE: access to SVE trapped by CPACR_EL1.ZEN, CPTR_EL2.ZEN or TZ, or CPTR_EL3.EZ"],
  [0x76000002n, "SME: access to SME trapped (FEAT_SME)"],
  [0x9e000000n, "MOPS: memory operation exception (FEAT_MOPS)"],
  [0xb6000000n, "GCS: Guarded Control Stack exception (FEAT_GCS)"],
  [0x2a000002n, "OTHER: trapped instruction no other class covers (LD64B, ST64B, ST64BV, ST64BV0, ...)"],
  [0x26000000n, "PAC: trapped pointer authentication instruction (HCR_EL2.API or SCR_EL3.API is 0)"],
  [0x72000001n, "FPAC: pointer authentication failure (FEAT_FPAC)"],
  [0x36000002n, "BTI: branch target exception"],
  [0x6a000002n, "ERET: trapped ERET, ERETAA or ERETAB"],
  [0x0e000000n, "CP15_32: trapped MCR or MRC access with coproc 0b1111 (AArch32)"],
  [0x02000000n, "UNKNOWN: unknown reason"],
  [0x0a000000n, "EC 0x2: unallocated exception class"],
  [0xfe000000n, "EC 0x3f: unallocated exception class"],
  [0x1_9200_0007n, "DABT_LOW: data abort from a lower EL, translation fault level 3, read"],
  [0xff00_0000_9200_0007n, "DABT_LOW: data abort from a lower EL, translation fault level 3, read"],
];

describe("decodeEsr: golden syndromes", () => {
  it.each(GOLDEN.map(([v, s, r]) => [`0x${v.toString(16)}`, v, s, r] as const))("%s", (_hex, value, summary, sysreg) => {
    const d = decodeEsr(value);
    expect(d.summary).toBe(summary);
    expect(d.sysreg).toBe(sysreg);
    expect(d.register).toBe("ESR_EL2");
    crossCheck(value, d.fields);
  });

  it("names each field as the Arm ARM does, with its meaning: 0x93c58005 (ISV, SAS doubleword into x5)", () => {
    const d = decodeEsr(0x93c58005n);
    const by = new Map(d.fields.map((f) => [f.name, f]));
    expect([...by.keys()]).toEqual(["HDBSSF", "TnD", "TagAccess", "GCS", "AssuredOnly", "Overlay", "DirtyBit", "Xs", "EC", "IL", "ISV", "SAS", "SSE", "SRT", "SF", "AR", "VNCR", "SET", "FnV", "EA", "CM", "S1PTW", "WnR", "DFSC"]);
    expect(by.get("SAS")).toMatchObject({ msb: 23, lsb: 22, value: 3n, meaning: "DOUBLEWORD: doubleword" });
    expect(by.get("SRT")).toMatchObject({ value: 5n });
    expect(by.get("DFSC")).toMatchObject({ msb: 5, lsb: 0, value: 5n, meaning: "TRANS level 1: translation fault, level 1" });
    expect(by.get("EC")?.meaning).toBe("DABT_LOW: data abort from a lower EL");
    expect(by.get("IL")?.meaning).toBe("IL32: 32-bit instruction trapped");
  });

  it("bits no field defines are RES0 and reserved: ESR[63:56] and the unused ISS bits of SError", () => {
    const d = decodeEsr(0xff00_0000_be00_8000n);
    expect(d.fields.filter((f) => f.name === "RES0").map((f) => [f.msb, f.lsb, f.reserved])).toEqual([
      [63, 56, true],
      [15, 15, true],
    ]);
  });
});

describe("decodeEsr: every exception class of dsl/arch", () => {
  const t = archTruth();
  const classes = [...t.enums.get("ExceptionClass")!.members].map(([name, levels]) => [name, levels.get(null)!] as const);
  it("covers the 48 classes the Arm ARM allocates", () => expect(classes.length).toBe(48));
  it.each(classes)("%s", (name, ec) => {
    for (const iss of [0n, 0x1ffffffn, 0x0a5a5a5n]) {
      const value = (ec << 26n) | IL | iss;
      const d = decodeEsr(value);
      expect(d.summary.startsWith(`${name}: ${t.meanings.get(`ExceptionClass.${name}`)}`)).toBe(true);
      crossCheck(value, d.fields);
      const layout = t.variants.get("ESR.ISS")?.get(name);
      if (layout === undefined) expect(d.fields.map((f) => f.name)).toContain("ISS");
      else for (const f of t.layouts.get(layout)!.fields.keys()) expect(d.fields.map((x) => x.name), `${name}: ${layout}.${f}`).toContain(f);
    }
  });
  it("names every unallocated class as such", () => {
    const allocated = new Set(classes.map(([, v]) => v));
    for (let ec = 0n; ec < 64n; ec++) {
      if (allocated.has(ec)) continue;
      const d = decodeEsr(ec << 26n);
      expect(d.summary).toBe(`EC 0x${ec.toString(16)}: unallocated exception class`);
      expect(d.fields.find((f) => f.name === "EC")?.reserved).toBe(true);
    }
  });
});

describe("decodeEsr: every fault status code", () => {
  const t = archTruth();
  const fsc = t.enums.get("FaultStatus")!;
  const codes = Array.from({ length: 64 }, (_, i) => BigInt(i));
  it.each(codes.map((c) => [`0x${c.toString(16)}`, c] as const))("DFSC and IFSC %s", (_hex, code) => {
    const named = membersWithValue(fsc, code);
    for (const [ec, name] of [[0x24n, "DFSC"], [0x20n, "IFSC"]] as const) {
      const value = (ec << 26n) | IL | code;
      const d = decodeEsr(value);
      const f = d.fields.find((x) => x.name === name)!;
      expect(f.reserved ?? false).toBe(named.length === 0);
      if (named.length > 0) {
        const [member, level] = named[0];
        const meaning = t.meanings.get(`FaultStatus.${member}`)!;
        expect(d.summary).toContain(level === null ? meaning : `${meaning} level ${level}`);
      } else expect(d.summary).toContain(`reserved fault status 0x${code.toString(16)}`);
      crossCheck(value, d.fields);
    }
  });
});
