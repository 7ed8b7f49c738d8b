// Address sizes in the trap builder's input (issue 14, "Translation"): Address size faults at
// either stage, an IPA beyond VTCR_EL2.T0SZ, VTCR_EL2.SL0 as given, stage-1 tables at chosen IPAs.
// Expected values are worked out by hand from the Arm ARM's rules (ARMv8.0 TranslationTableWalk;
// AArch64.S1Walk/S2Walk, AArch64.OAOutOfRange), not from the model:
//  - an output address with a bit set in [47:outputsize] is an Address size fault at the level of
//    the descriptor holding it; a TTBR/VTTBR beyond the output size is one at level 0;
//  - stage 2: an IPA with a bit set in [63:64-T0SZ], and an SL0 that names no usable start level
//    (fewer than 2 or more than 16 pages of start-table entries), are level-0 Translation faults;
//  - 4K granule stage-2 start level = 2 - SL0.
// ESR = EC << 26 | IL (1 << 25) | S1PTW (1 << 7) | WnR (1 << 6) | FSC: DABT_LOW 0x92000000,
// DABT_CUR (stage-1 faults at EL1) 0x96000000. FSC: address size L0..L3 0x00-0x03, translation
// L0..L3 0x04-0x07. HPFAR_EL2 = IPA[47:12] << 4, valid for address-size and translation faults.
import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { ScenarioError } from "../../src/runtime/scenario/scenario.ts";
import { buildTrapTables, hpfarForIpa, trapFromGuestAccess, type GuestAccessTrapInput, type Stage2Trap, type TrapOutcome } from "../../src/runtime/scenario/trap.ts";

const VA = 0x4000_0234n;
const IPA = 0x8000_0000n;

/** VA 0x40000000 -> IPA 0x80000000 (one page) -> PA 0x60000000. */
function guest(extra: Partial<GuestAccessTrapInput> = {}): GuestAccessTrapInput {
  return {
    va: VA,
    access: "read",
    kind: "data",
    stage1: [{ va: 0x4000_0000n, ipa: IPA }],
    stage2: [{ ipa: IPA, pa: 0x6000_0000n }],
    seed: 3,
    ...extra,
  };
}

function show(o: TrapOutcome): string {
  return JSON.stringify(o, (_, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
}

function el2(o: TrapOutcome): Stage2Trap {
  if (o.taken !== "el2") throw new Error(`expected a trap to EL2, got ${show(o)}`);
  return o;
}

function registers(input: GuestAccessTrapInput) {
  return buildTrapTables(input, new PhysicalMemory()).registers();
}

describe("stage-2 Address size faults (VTCR_EL2.PS)", () => {
  it("a page whose PA has bit 41 set, PS 40 bits: level 3, HPFAR the IPA", () => {
    const t = el2(trapFromGuestAccess(guest({ translation: { paBits: 40 }, stage2: [{ ipa: IPA, pa: (1n << 41n) | 0x6000_0000n }] })));
    expect(t.scenario.esr).toBe(0x9200_0003n);
    expect(t.scenario.far).toBe(VA);
    expect(t.scenario.hpfar).toBe(hpfarForIpa(IPA));
    expect(t.scenario.hpfar).toBe(0x80_0000n);
    expect(t.meta).toMatchObject({ faultType: "AddressSize", level: 3, s1ptw: false, hpfarValid: true });
    // VTCR_EL2.PS = 0b010 (40 bits) at [18:16].
    expect((registers(guest({ translation: { paBits: 40 } })).VTCR_EL2 >> 16n) & 7n).toBe(2n);
  });

  it("the same PA is inside PS 44 and PS 48: the access completes", () => {
    for (const paBits of [44, 48]) {
      const o = trapFromGuestAccess(guest({ translation: { paBits }, stage2: [{ ipa: IPA, pa: (1n << 41n) | 0x6000_0000n }] }));
      expect(o.taken, show(o)).toBe("none");
    }
  });

  it("a 2M block beyond PS 36: level 2; a store reports WnR", () => {
    const t = el2(trapFromGuestAccess(guest({ access: "write", translation: { paBits: 36 }, stage2: [{ ipa: IPA, pa: 1n << 39n, size: 0x20_0000n, level: 2 }] })));
    expect(t.scenario.esr).toBe(0x9200_0042n);
  });

  it("stage-2 table addresses beyond PS: the level-2 table (in the level-1 descriptor) at level 1, the level-3 table at level 2", () => {
    const at = (level: number) => el2(trapFromGuestAccess(guest({ translation: { paBits: 40 }, beyondOutputSize: [{ address: "s2-table", at: IPA, level, bit: 42 }] })));
    expect(at(2).scenario.esr).toBe(0x9200_0001n);
    expect(at(3).scenario.esr).toBe(0x9200_0002n);
    expect(at(3).scenario.hpfar).toBe(hpfarForIpa(IPA));
  });

  it("VTTBR_EL2 beyond PS: level 0 on the first stage-1 table fetch (S1PTW), HPFAR the TTBR0 table's IPA, AT reports it in PAR", () => {
    const input = guest({ translation: { paBits: 40 }, beyondOutputSize: [{ address: "s2-table", at: IPA, level: 1, bit: 41 }] });
    const regs = registers(input);
    expect((regs.VTTBR_EL2 >> 41n) & 1n).toBe(1n);
    const t = el2(trapFromGuestAccess(input));
    expect(t.scenario.esr).toBe(0x9200_0080n);
    // The walk starts at TTBR0's table (48-bit VA: level 0); its IPA is its PA (no stage1TableIpa).
    const root = regs.TTBR0_EL1 & ((1n << 48n) - 1n);
    expect(t.meta.ipa).toBe(root);
    expect(t.scenario.hpfar).toBe(hpfarForIpa(root));
    // PAR_EL1 of AT S1E1R: F | FST 0 (address size, level 0) << 1 | PTW (8) | S (9) | RES1 (11) = 0xb01.
    expect(t.meta.atPar).toBe(0xb01n);
    expect(t.scenario.at).toEqual({ par: 0xb01n });
  });

  it("the stage-2 page that maps a stage-1 table, beyond PS: S1PTW, level 3, HPFAR the table's IPA", () => {
    for (const level of [0, 1, 2, 3]) {
      const input = guest({ translation: { paBits: 40 }, beyondOutputSize: [{ address: "s1-table-page", at: 0x4000_0000n, level, bit: 43 }] });
      const t = el2(trapFromGuestAccess(input));
      expect(t.scenario.esr).toBe(0x9200_0083n);
      const tableIpa = buildTrapTables(input, new PhysicalMemory()).stage1TableIpa(0x4000_0000n, level);
      expect(t.scenario.hpfar).toBe(hpfarForIpa(tableIpa));
    }
  });
});

describe("stage-1 Address size faults (TCR_EL1.IPS): taken to EL1", () => {
  it("a page whose IPA has bit 33 set, IPS 32 bits: level 3", () => {
    const o = trapFromGuestAccess(guest({ translation: { ipsBits: 32 }, stage1: [{ va: 0x4000_0000n, ipa: 1n << 33n }] }));
    expect(o).toMatchObject({ taken: "el1", esr: 0x9600_0003n, far: VA, faultType: "AddressSize", level: 3 });
    // TCR_EL1.IPS = 0 (32 bits) at [34:32].
    expect((registers(guest({ translation: { ipsBits: 32 } })).TCR_EL1 >> 32n) & 7n).toBe(0n);
  });

  it("a table descriptor beyond IPS faults at its own level; a TTBR beyond IPS at level 0", () => {
    const fault = (level: number, vaBits?: number) =>
      trapFromGuestAccess(guest({ translation: { ipsBits: 40, ...(vaBits !== undefined ? { vaBits } : {}) }, beyondOutputSize: [{ address: "s1-table", at: VA, level, bit: 44 }] }));
    // 48-bit VA: the walk starts at level 0 (TTBR0).
    expect(fault(0)).toMatchObject({ taken: "el1", esr: 0x9600_0000n, level: 0 });
    expect(fault(1)).toMatchObject({ taken: "el1", esr: 0x9600_0000n, level: 0 });
    expect(fault(2)).toMatchObject({ taken: "el1", esr: 0x9600_0001n, level: 1 });
    expect(fault(3)).toMatchObject({ taken: "el1", esr: 0x9600_0002n, level: 2 });
    // 39-bit VA (T0SZ 25): the walk starts at level 1, so TTBR0 names the level-1 table: level 0.
    expect(fault(1, 39)).toMatchObject({ taken: "el1", esr: 0x9600_0000n, level: 0 });
    expect(fault(2, 39)).toMatchObject({ taken: "el1", esr: 0x9600_0001n, level: 1 });
    expect(registers(guest({ translation: { vaBits: 39 } })).TCR_EL1 & 0x3fn).toBe(25n);
  });
});

describe("an IPA beyond VTCR_EL2.T0SZ is a stage-2 level-0 Translation fault", () => {
  it("IPA 2^36 with a 36-bit IPA space: FSC 0x04, HPFAR the IPA", () => {
    const ipa = 1n << 36n;
    const t = el2(trapFromGuestAccess(guest({ translation: { ipaBits: 36 }, stage1: [{ va: 0x4000_0000n, ipa }], stage2: [] })));
    expect(t.scenario.esr).toBe(0x9200_0004n);
    expect(t.scenario.hpfar).toBe(0x1000_0000n);
    expect(t.meta).toMatchObject({ faultType: "Translation", level: 0, ipa: ipa + 0x234n });
    expect(registers(guest({ translation: { ipaBits: 36 } })).VTCR_EL2 & 0x3fn).toBe(28n);
  });

  it("the same IPA inside a 40-bit IPA space, unmapped, is a level-1 Translation fault instead", () => {
    const t = el2(trapFromGuestAccess(guest({ stage1: [{ va: 0x4000_0000n, ipa: 1n << 36n }], stage2: [] })));
    expect(t.scenario.esr).toBe(0x9200_0005n);
  });
});

describe("a stage-1 table at an IPA beyond VTCR_EL2.T0SZ (inside IPS)", () => {
  it("the fetch is a stage-2 level-0 Translation fault on the walk (S1PTW), HPFAR that IPA", () => {
    // 40-bit IPA space, IPS 48: the level-1 descriptor names the level-2 table at IPA bit 41.
    const input = guest({ beyondOutputSize: [{ address: "s1-table", at: VA, level: 2, bit: 41 }] });
    const t = el2(trapFromGuestAccess(input));
    expect(t.scenario.esr).toBe(0x9200_0084n);
    const table = buildTrapTables(guest(), new PhysicalMemory()).stage1TableIpa(0x4000_0000n, 2);
    expect(t.meta.ipa >> 12n).toBe(((1n << 41n) | table) >> 12n);
    expect(t.scenario.hpfar).toBe(hpfarForIpa((1n << 41n) | table));
  });
});

describe("VTCR_EL2.SL0", () => {
  it("a usable SL0 builds the stage-2 tables at its start level, concatenated where the IPA size needs it", () => {
    // 40-bit IPA, 4K: SL0=1 starts at level 1 with 2^(40-30) entries = 2 concatenated pages (8K, 8K-aligned);
    // SL0=2 starts at level 0 with 2^(40-39) = 2 entries.
    for (const [sl0, align] of [[1, 0x2000n], [2, 0x10n]] as const) {
      const input = guest({ translation: { sl0 } });
      const regs = registers(input);
      expect((regs.VTCR_EL2 >> 6n) & 3n).toBe(BigInt(sl0));
      expect((regs.VTTBR_EL2 & ((1n << 48n) - 1n)) % align).toBe(0n);
      expect(trapFromGuestAccess(input)).toMatchObject({ taken: "none", ipa: IPA + 0x234n, pa: 0x6000_0234n });
    }
    // 32-bit IPA: SL0=0 starts at level 2 with 2^(32-21) = 2^11 entries, 4 concatenated pages.
    const small = guest({ translation: { ipaBits: 32, sl0: 0 }, stage1: [{ va: 0x4000_0000n, ipa: 0x8000_0000n }] });
    expect((registers(small).VTCR_EL2 >> 6n) & 3n).toBe(0n);
    expect((registers(small).VTTBR_EL2 & ((1n << 48n) - 1n)) % 0x4000n).toBe(0n);
    expect(trapFromGuestAccess(small).taken).toBe("none");
  });

  it("an SL0 with no usable start level is written as given, and every stage-2 walk is a level-0 Translation fault", () => {
    // 40-bit IPA at level 2 (SL0=0) would need 2^19 entries; SL0=3 (4K) names level -1.
    for (const sl0 of [0, 3]) {
      const input = guest({ translation: { sl0 } });
      expect((registers(input).VTCR_EL2 >> 6n) & 3n).toBe(BigInt(sl0));
      const t = el2(trapFromGuestAccess(input));
      // The first stage-2 walk is the one for the stage-1 walk's first table fetch: S1PTW.
      expect(t.scenario.esr).toBe(0x9200_0084n);
      expect(t.meta.atPar).toBe(0xb09n);
    }
  });
});

describe("stage-1 tables at chosen IPAs (stage1TableIpa)", () => {
  it("HPFAR of an S1PTW fault names the table's IPA in the window, not its PA", () => {
    const base = 0x1_0000_0000n;
    const input = guest({ stage1TableIpa: base, tableFaults: [{ va: 0x4000_0000n, level: 1, fault: "translation" }] });
    const b = buildTrapTables(input, new PhysicalMemory());
    // TTBR0's level-0 table is allocated first (base), the level-1 table next (base + 0x1000).
    expect(b.registers().TTBR0_EL1).toBe(base);
    expect(b.stage1TableIpa(0x4000_0000n, 1)).toBe(base + 0x1000n);
    const t = el2(trapFromGuestAccess(input));
    expect(t.scenario.esr).toBe(0x9200_0087n);
    expect(t.scenario.hpfar).toBe(0x100_0010n);
    expect(t.meta.ipa >> 12n).toBe((base + 0x1000n) >> 12n);
    // The same set-up with tables at IPA = PA names a pool address.
    const plain = el2(trapFromGuestAccess(guest({ tableFaults: [{ va: 0x4000_0000n, level: 1, fault: "translation" }] })));
    expect(plain.scenario.hpfar).not.toBe(t.scenario.hpfar);
    expect(plain.meta.ipa >> 28n).toBe(0x7n);
  });

  it("the access itself still completes through tables at chosen IPAs", () => {
    expect(trapFromGuestAccess(guest({ stage1TableIpa: 0x1_0000_0000n }))).toMatchObject({ taken: "none", pa: 0x6000_0234n });
  });

  it("a window beyond TCR_EL1.IPS puts TTBR0 beyond it: a stage-1 level-0 Address size fault", () => {
    const o = trapFromGuestAccess(guest({ translation: { ipsBits: 32 }, stage1TableIpa: 0x1_0000_0000n }));
    expect(o).toMatchObject({ taken: "el1", esr: 0x9600_0000n, level: 0 });
  });
});

describe("inconsistent requests are refused with the reason", () => {
  const refused = (extra: Partial<GuestAccessTrapInput>, message: RegExp) => {
    expect(() => trapFromGuestAccess(guest(extra))).toThrow(ScenarioError);
    expect(() => trapFromGuestAccess(guest(extra))).toThrow(message);
  };
  it("sizes no register field holds", () => {
    refused({ translation: { vaBits: 20 } }, /^trap: translation\.vaBits 20 is not an input size this PE supports \(25\.\.48 bits: TCR_EL1\.T0SZ 16\.\.39\)$/);
    refused({ translation: { ipaBits: 49 } }, /translation\.ipaBits 49 .*VTCR_EL2\.T0SZ/);
    refused({ translation: { ipsBits: 41 } }, /^trap: translation\.ipsBits 41 has no TCR_EL1\.IPS encoding \(32, 36, 40, 42, 44, 48 bits\)$/);
    refused({ translation: { paBits: 52 } }, /translation\.paBits 52 has no VTCR_EL2\.PS encoding/);
    refused({ translation: { sl0: 4 } }, /^trap: translation\.sl0 4 is not a VTCR_EL2\.SL0 value \(0\.\.3\)$/);
  });
  it("mappings outside the sizes", () => {
    refused({ translation: { vaBits: 30 } }, /stage-1 mapping at 0x40000000 lies outside the LOWER VA range/);
    refused({ translation: { ipaBits: 30 } }, /^trap: a 30-bit IPA space cannot hold the stage-1 table pages at IPA = PA \[0x70000000, 0x70100000\); place them inside it with stage1TableIpa$/);
    refused({ translation: { ipaBits: 31 } }, /stage-2 mapping 0x80000000\+0x1000 exceeds the 31-bit IPA space/);
  });
  it("a table window that is unaligned, outside the IPA space, or under a stage-2 mapping", () => {
    refused({ stage1TableIpa: 0x1_0000_0800n }, /^trap: stage1TableIpa 0x100000800 is not a 4K-aligned IPA$/);
    refused({ stage1TableIpa: 1n << 40n }, /stage1TableIpa 0x10000000000 lies beyond the 40-bit IPA space/);
    refused({ stage1TableIpa: IPA - 0x2000n }, /the stage-2 mapping at IPA 0x80000000 overlaps the IPAs \[0x7fffe000, 0x80002000\) where the stage-1 table pages are placed/);
  });
  it("a beyondOutputSize bit inside the output size, or a table the walk does not read", () => {
    refused({ beyondOutputSize: [{ address: "s1-table", at: VA, level: 1, bit: 39 }] }, /^trap: beyondOutputSize\[0\]\.bit 39 lies inside the 48-bit TCR_EL1\.IPS output size or the 40-bit IPA space: the walk would read memory there/);
    refused({ translation: { paBits: 40 }, beyondOutputSize: [{ address: "s2-table", at: IPA, level: 2, bit: 39 }] }, /bit 39 lies inside the 40-bit VTCR_EL2\.PS/);
    refused({ translation: { ipsBits: 40 }, beyondOutputSize: [{ address: "s1-table", at: VA, level: 4, bit: 44 }] }, /beyondOutputSize\[0\]: stage-1 tables of 0x40000234 are read at levels 0\.\.3, not 4/);
    refused({ translation: { paBits: 40 }, beyondOutputSize: [{ address: "s2-table", at: IPA, level: 0, bit: 44 }] }, /stage-2 tables of 0x80000000 are read at levels 1\.\.3, not 0/);
    refused({ translation: { paBits: 40 }, beyondOutputSize: [{ address: "nowhere" as "s2-table", at: IPA, level: 2, bit: 44 }] }, /address "nowhere" is not/);
  });
});
