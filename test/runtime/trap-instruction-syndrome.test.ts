// The trap builder given the guest instruction: the access it makes and the syndrome of its abort.
// Expected ESR values are worked out by hand from the Arm ARM's ESR_ELx ISS encoding for a Data
// Abort (FACTS.md: ISV 24, SAS [23:22], SSE 21, SRT [20:16], SF 15, AR 14, CM 8, S1PTW 7, WnR 6,
// FSC [5:0]) and its ISV rule (ISV=1 only in ESR_EL2, for a stage-2 abort not on a stage-1 walk,
// of a load or store of a single general-purpose register without writeback, not exclusive):
//   DABT_LOW: 0x24 << 26 | IL = 0x92000000; DABT_CUR: 0x25 << 26 | IL = 0x96000000;
//   ISV = 0x01000000; SAS 1/2/3 = 0x00400000/0x00800000/0x00c00000; SSE = 0x00200000;
//   SRT n = n << 16; SF = 0x8000; AR = 0x4000; CM = 0x100; S1PTW = 0x80; WnR = 0x40.
import { describe, expect, it } from "vitest";
import { AP, S2AP } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { parseGuestInstruction } from "../../src/runtime/scenario/guest-instruction.ts";
import { ScenarioError, trapFromGuestAccess, type GuestAccessTrapInput, type TrapOutcome } from "../../src/runtime/scenario/index.ts";

const VA = 0x4000_1238n;
const IPA_PAGE = 0x8000_1000n;

/** VA page 0x40001000 -> IPA 0x80001000; stage 2 maps that IPA only when `s2ap` is given. */
function guest(instruction: string, extra: Partial<GuestAccessTrapInput> & { s2ap?: number; ap?: number } = {}): GuestAccessTrapInput {
  const { s2ap, ap, ...rest } = extra;
  return {
    va: VA,
    instruction,
    stage1: [{ va: 0x4000_1000n, ipa: IPA_PAGE, ...(ap !== undefined ? { ap } : {}) }],
    stage2: s2ap === undefined ? [] : [{ ipa: IPA_PAGE, pa: 0x9000_1000n, s2ap }],
    seed: 3,
    ...rest,
  };
}

function esrOf(o: TrapOutcome): string {
  if (o.taken === "el2") return `el2 0x${o.scenario.esr.toString(16)}`;
  if (o.taken === "el1") return `el1 0x${o.esr.toString(16)}`;
  return "none";
}

const esr = (instruction: string, extra: Parameters<typeof guest>[1] = {}) => esrOf(trapFromGuestAccess(guest(instruction, extra)));

describe("instruction syndrome of a stage-2 data abort (ISV=1: a single general-purpose register, no writeback)", () => {
  // Stage-2 translation fault at level 1 (nothing near the IPA at stage 2): FSC 0x05.
  it.each([
    ["ldrb w2, [x0]", "el2 0x93020005"], // ISV, SAS 0, SRT 2
    ["ldrsh w5, [x2]", "el2 0x93650005"], // ISV, SAS 1, SSE, SRT 5, SF 0 (W)
    ["ldrsh x12, [x0]", "el2 0x936c8005"], // ISV, SAS 1, SSE, SRT 12, SF 1 (X)
    ["ldrsb x7, [x3]", "el2 0x93278005"], // ISV, SAS 0, SSE, SRT 7, SF
    ["ldrsw x3, [x0]", "el2 0x93a38005"], // ISV, SAS 2, SSE, SRT 3, SF
    ["ldrh w9, [x0]", "el2 0x93490005"], // ISV, SAS 1, SRT 9
    ["ldr w4, [x1]", "el2 0x93840005"], // ISV, SAS 2, SRT 4
    ["ldr x30, [x1]", "el2 0x93de8005"], // ISV, SAS 3, SRT 30, SF
    ["str x6, [x0]", "el2 0x93c68045"], // ISV, SAS 3, SRT 6, SF, WnR
    ["strh w8, [x4]", "el2 0x93480045"], // ISV, SAS 1, SRT 8, WnR
    ["str xzr, [x0]", "el2 0x93df8045"], // SRT 31 for XZR
    ["ldur x10, [x0, #-8]", "el2 0x93ca8005"], // unscaled offset: still ISV
  ])("%s -> %s", (instruction, expected) => {
    expect(esr(instruction)).toBe(expected);
  });

  it("load-acquire and store-release: ISV with AR=1", () => {
    expect(esr("ldar w1, [x0]")).toBe("el2 0x93814005"); // ISV, SAS 2, SRT 1, AR
    expect(esr("stlr x1, [x0]")).toBe("el2 0x93c1c045"); // ISV, SAS 3, SRT 1, SF, AR, WnR
    expect(esr("ldarb w3, [x0]")).toBe("el2 0x93034005"); // ISV, SAS 0, SRT 3, AR
  });

  it("a stage-2 permission fault carries it too (store to a read-only IPA: FSC 0x0f)", () => {
    expect(esr("strh w8, [x4]", { s2ap: S2AP.READ_ONLY })).toBe("el2 0x9348004f");
  });
});

describe("ISV=0 where the Arm ARM says so", () => {
  it.each([
    ["ldr x1, [x0, #8]!", "pre-index writeback"],
    ["ldr w2, [x3], #4", "post-index writeback"],
    ["ldp x1, x2, [x0]", "a pair"],
    ["ldpsw x5, x6, [x0]", "a signed pair"],
    ["ldr q0, [x0]", "a SIMD/FP register"],
    ["str d1, [x0]", "a SIMD/FP register"],
    ["ldxr x1, [x0]", "a load-exclusive"],
    ["ldaxr w2, [x0]", "an acquire load-exclusive"],
  ])("%s (%s): DABT_LOW, IL and the FSC only", (instruction) => {
    const insn = parseGuestInstruction(instruction);
    expect(esr(instruction)).toBe(`el2 0x${(0x9200_0005n | (insn.access === "write" ? 0x40n : 0n)).toString(16)}`);
  });

  it("a store-exclusive to a read-only IPA: permission fault, WnR, ISV=0", () => {
    expect(esr("stxr w3, x1, [x0]", { s2ap: S2AP.READ_ONLY })).toBe("el2 0x9200004f");
  });

  it("a fault on a stage-1 table walk (S1PTW) has ISV=0 even for a single register", () => {
    const o = trapFromGuestAccess(guest("ldr x2, [x0]", { s2ap: S2AP.READ_WRITE, tableFaults: [{ va: VA, level: 3, fault: "translation" }] }));
    expect(o.taken).toBe("el2");
    if (o.taken !== "el2") return;
    expect(o.meta.s1ptw).toBe(true);
    expect(o.scenario.esr & 0x01ff_c000n).toBe(0n); // ISV..AR clear
    expect(o.scenario.esr & 0x80n).toBe(0x80n);
  });

  it("a stage-1 fault reported in ESR_EL1 has ISV=0", () => {
    // Stage 1 read-only at EL1, a store: permission fault taken to EL1 (DABT_CUR), level 3.
    expect(esr("str x6, [x0]", { ap: AP.RO_EL1, s2ap: S2AP.READ_WRITE })).toBe("el1 0x9600004f");
  });
});

describe("access kinds", () => {
  it("LDTR/STTR at EL1 use EL0's stage-1 permissions and report EL1's class (DABT_CUR)", () => {
    // EL1-only page: EL0 has no access, so LDTR takes a stage-1 permission fault to EL1.
    expect(esr("ldtr x3, [x0]", { ap: AP.RW_EL1, s2ap: S2AP.READ_WRITE })).toBe("el1 0x9600000f");
    // An ordinary load of the same page succeeds.
    expect(esr("ldr x3, [x0]", { ap: AP.RW_EL1, s2ap: S2AP.READ_WRITE })).toBe("none");
    // EL0 read-only: STTR faults with WnR.
    expect(esr("sttr w4, [x0]", { ap: AP.RO_ALL, s2ap: S2AP.READ_WRITE })).toBe("el1 0x9600004f");
    // EL0 may access it: the stage-2 fault has the instruction syndrome (a single register).
    expect(esr("ldtr x3, [x0]", { ap: AP.RW_ALL })).toBe("el2 0x93c38005");
  });

  it("a prefetch reports no fault, and says what a load would have met", () => {
    expect(trapFromGuestAccess(guest("prfm pldl1keep, [x0]"))).toEqual({ taken: "none", prefetchFault: { wouldTake: "el2", faultType: "Translation", level: 1, s1ptw: false } });
    expect(trapFromGuestAccess(guest("prfm pstl1keep, [x0]", { s2ap: S2AP.NONE }))).toMatchObject({ taken: "none", prefetchFault: { faultType: "Permission", level: 3 } });
    expect(trapFromGuestAccess(guest("prfm pldl1keep, [x0]", { s2ap: S2AP.READ_WRITE }))).toEqual({ taken: "none", ipa: IPA_PAGE + 0x238n, pa: 0x9000_1238n });
  });

  it("DC ZVA writes its whole block: WnR=1, CM=0, ISV=0, FAR the register's address", () => {
    const o = trapFromGuestAccess(guest("dc zva, x0", { s2ap: S2AP.READ_ONLY }));
    expect(esrOf(o)).toBe("el2 0x9200004f");
    if (o.taken === "el2") expect(o.scenario.far).toBe(VA);
    // A 64-byte block at VA & ~63 stays in the page: no second part.
    expect(esr("dc zva, x0", { s2ap: S2AP.READ_WRITE })).toBe("none");
  });

  it("DC CIVAC/CVAC/CVAU: translation faults with CM=1, WnR=1; no stage-2 permission fault (AccType_DC reads)", () => {
    for (const op of ["civac", "cvac", "cvau"]) {
      expect(esr(`dc ${op}, x0`), op).toBe("el2 0x92000145"); // CM, WnR, FSC 0x05
      expect(esr(`dc ${op}, x0`, { s2ap: S2AP.NONE }), op).toBe("none");
    }
    // At EL1 stage 1 raises none either: a read-only EL1 mapping is no obstacle.
    expect(esr("dc civac, x0", { ap: AP.RO_EL1, s2ap: S2AP.READ_WRITE })).toBe("none");
  });

  it("DC IVAC is a write for its permission checks (ARMv8's DC_IVAC: iswrite), CM=1, WnR=1", () => {
    expect(esr("dc ivac, x0")).toBe("el2 0x92000145");
    expect(esr("dc ivac, x0", { s2ap: S2AP.READ_ONLY })).toBe("el2 0x9200014f");
    expect(esr("dc ivac, x0", { s2ap: S2AP.WRITE_ONLY })).toBe("none");
    expect(esr("dc ivac, x0", { ap: AP.RO_EL1, s2ap: S2AP.READ_WRITE })).toBe("el1 0x9600014f");
  });

  it("at EL0 a DC by VA needs read permission at both stages (AccType_DC_UNPRIV)", () => {
    expect(esr("dc civac, x0", { el: 0, ap: AP.RW_ALL, s2ap: S2AP.NONE })).toBe("el2 0x9200014f");
    expect(esr("dc civac, x0", { el: 0, ap: AP.RW_EL1, s2ap: S2AP.READ_WRITE })).toBe("el1 0x9200014f"); // DABT_LOW from EL0
  });

  it("IC IVAU: CM=1, WnR=1; needs stage-2 read permission", () => {
    expect(esr("ic ivau, x0")).toBe("el2 0x92000145");
    expect(esr("ic ivau, x0", { s2ap: S2AP.NONE })).toBe("el2 0x9200014f");
    expect(esr("ic ivau, x0", { s2ap: S2AP.READ_ONLY })).toBe("none");
  });

  it("cache maintenance on a stage-1 translation fault: ESR_EL1 with CM and WnR", () => {
    // 0x50000000: its level-2 entry is invalid (stage 1 maps one page of that 1G region): FSC 0x06.
    expect(esrOf(trapFromGuestAccess({ ...guest("dc civac, x0"), va: 0x5000_0000n }))).toBe("el1 0x96000146");
  });

  it("BR: an instruction fetch at the register's address", () => {
    expect(esrOf(trapFromGuestAccess({ ...guest("br x0"), va: 0x4000_1238n }))).toBe("el2 0x82000005");
  });

  it("a pair at a page's end crosses into the next page", () => {
    const o = trapFromGuestAccess({ ...guest("ldp x1, x2, [x0]", { s2ap: S2AP.READ_WRITE }), va: 0x4000_1ff8n });
    // Stage 1 maps only the first page: the second half faults at stage 1 (translation, level 3).
    expect(o).toMatchObject({ taken: "el1", far: 0x4000_2000n, faultType: "Translation" });
  });
});

describe("the instruction and the generic fields", () => {
  it("given both, they must agree: the error names both", () => {
    const err = (extra: Partial<GuestAccessTrapInput>) => {
      try {
        trapFromGuestAccess({ ...guest("ldrb w2, [x0]"), ...extra });
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err({ access: "write" })).toBe(`trap: 'access' "write" disagrees with instruction 'ldrb w2, [x0]', which makes a read`);
    expect(err({ size: 4 })).toBe("trap: 'size' 4 disagrees with instruction 'ldrb w2, [x0]', which makes a 1-byte access");
    expect(err({ kind: "instruction" })).toBe(`trap: 'kind' "instruction" disagrees with instruction 'ldrb w2, [x0]', which makes a data access`);
    expect(err({ access: "read", size: 1, kind: "data" })).toBe("no error");
  });

  it("bad instructions are refused with the reason", () => {
    const msg = (instruction: string, va = VA) => {
      try {
        trapFromGuestAccess({ ...guest(instruction), va });
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(msg("ldrb x1, [x0]")).toBe("instruction 'ldrb x1, [x0]': column 6: 'ldrb' transfers a W register");
    expect(msg("ldxr x1, [x0, #8]")).toBe("instruction 'ldxr x1, [x0, #8]': column 10: 'ldxr' takes only a base register address [xn]");
    expect(msg("frob x1, [x0]")).toMatch(/'frob' is not a load, store/);
    expect(msg("dc cisw, x0")).toMatch(/'dc cisw' is not a cache operation by VA/);
    expect(msg("ldar x1, [x0]", VA + 4n)).toMatch(/must be aligned to 8 bytes/);
    expect(msg("ldr x1, [x0, x2]")).toMatch(/register offsets are not supported/);
    expect(() => trapFromGuestAccess({ ...guest("dc ivac, x0"), el: 0 })).toThrow(/UNDEFINED at EL0/);
    expect(() => trapFromGuestAccess({ ...guest("ldr x1, [x0]"), dczvaBytes: 64 })).toThrow(/'dczvaBytes' is for DC ZVA/);
  });

  it("without an instruction the access is generic: ISV=0 (today's behaviour)", () => {
    const { instruction: _, ...generic } = guest("ldrb w2, [x0]");
    expect(esrOf(trapFromGuestAccess({ ...generic, access: "read", kind: "data" }))).toBe("el2 0x92000005");
    expect(() => trapFromGuestAccess(generic)).toThrow(/needs 'access' and 'kind'/);
  });
});

describe("parseGuestInstruction", () => {
  it("reads the syndrome-relevant properties", () => {
    expect(parseGuestInstruction("ldp x1, x2, [x0, #16]!")).toMatchObject({ operation: "load", registerCount: 2, elementBytes: 8, bytes: 16, rt: 1, rt2: 2, sf: true, writeback: "pre", addressRegister: 0, offset: 16n });
    expect(parseGuestInstruction("stxr w3, x1, [x5]")).toMatchObject({ operation: "store", exclusive: true, rs: 3, rt: 1, addressRegister: 5, gprs: [3, 1, 5] });
    expect(parseGuestInstruction("ldtrsh x6, [x0, #2]")).toMatchObject({ unprivileged: true, signExtend: true, sf: true, elementBytes: 2, offset: 2n });
    expect(parseGuestInstruction("str q7, [sp, #32]")).toMatchObject({ simdFp: true, elementBytes: 16, rt: 7, addressRegister: "sp" });
    expect(parseGuestInstruction("ldr x1, [x0], #8")).toMatchObject({ writeback: "post", offset: 0n });
    expect(parseGuestInstruction("dc zva, x4")).toMatchObject({ operation: "dc-zva", access: "write", addressRegister: 4 });
    expect(parseGuestInstruction("ic ivau, x9")).toMatchObject({ operation: "cache-maintenance", cacheOperation: "ivau", addressRegister: 9 });
    expect(parseGuestInstruction("prfum plil1keep, [x0, #-3]")).toMatchObject({ operation: "prefetch", offset: -3n });
  });
});
