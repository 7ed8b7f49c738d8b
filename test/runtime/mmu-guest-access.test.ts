// Guest accesses through both stages (AArch64.FullTranslate), as the trap builder sees them: a
// stage-1 fault goes to EL1; a stage-2 fault goes to EL2 with FSC (stage-2 level), S1PTW, WnR and
// the faulting IPA, from which HPFAR_EL2.FIPA = IPA[47:12] at bit 4.

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { AP, S2AP } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { translateGuestAccess, type GuestAccessInput, type GuestAccessOutcome } from "../../src/runtime/mmu/guest-access.ts";

/** Stage 1 identity-maps guest RAM 0x40000000 (2M) and a page at 0x180000000 that stage 2 lacks. */
function guest(): { builder: TranslationTableBuilder; memory: PhysicalMemory } {
  const memory = new PhysicalMemory();
  const builder = new TranslationTableBuilder({
    memory,
    tablePool: { base: 0x7000_0000n, size: 0x40_0000n },
    stage2: { ipaBits: 40 },
  });
  builder.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2, uxn: false });
  builder.mapStage1(0x1_8000_0000n, 0x1_8000_0000n, 0x1000n);
  // Stage 2: guest RAM IPA 0x40000000 -> PA 0x90000000 by 4K pages (so level 3 is in play).
  builder.mapStage2(0x4000_0000n, 0x9000_0000n, 0x20_0000n);
  return { builder, memory };
}

function access(
  builder: TranslationTableBuilder,
  memory: PhysicalMemory,
  va: bigint,
  rest: Partial<Pick<GuestAccessInput, "access" | "kind" | "el">> = {},
): GuestAccessOutcome {
  return translateGuestAccess({ va, access: "read", kind: "data", sysreg: builder.sysreg(), memory, ...rest });
}

function hpfar(ipa: bigint): bigint {
  return (ipa >> 12n) << 4n;
}

describe("guest accesses through stage 1 and stage 2", () => {
  it("succeeds with the IPA and the PA", () => {
    const { builder, memory } = guest();
    expect(access(builder, memory, 0x4000_1234n, { access: "write" })).toEqual({
      outcome: "success",
      va: 0x4000_1234n,
      ipa: 0x4000_1234n,
      pa: 0x9000_1234n,
    });
  });

  it("reproduces the QEMU trap: load from an IPA stage 2 does not map", () => {
    const { builder, memory } = guest();
    // FACTS.md: ESR_EL2=0x93c18005 (DABT_LOW, FSC 0x05: translation, level 1, WnR=0),
    // FAR_EL2=0x180000040, HPFAR_EL2=0x1800000. With a 40-bit IPA the stage-2 walk starts at level 1,
    // whose entry for IPA 0x180000040 (index 6) is empty.
    const outcome = access(builder, memory, 0x1_8000_0040n);
    expect(outcome).toEqual({
      outcome: "stage2-fault",
      va: 0x1_8000_0040n,
      faultType: "Translation",
      level: 1,
      fsc: 0x05,
      wnr: false,
      s1ptw: false,
      ipa: 0x1_8000_0040n,
    });
    if (outcome.outcome !== "stage2-fault") throw new Error("unreachable");
    expect(hpfar(outcome.ipa)).toBe(0x180_0000n);
  });

  it("stage-2 translation fault on the final IPA at level 3, store", () => {
    const { builder, memory } = guest();
    builder.unmapStage2(0x4000_5000n, 3);
    const outcome = access(builder, memory, 0x4000_5008n, { access: "write" });
    // FSC 0x07 (translation L3), WnR=1 for the store, IPA 0x40005008 -> HPFAR 0x400050.
    expect(outcome).toMatchObject({ outcome: "stage2-fault", fsc: 0x07, level: 3, s1ptw: false, wnr: true, ipa: 0x4000_5008n });
  });

  it("stage-1 faults go to EL1 and win over stage 2", () => {
    const { builder, memory } = guest();
    // 0x40200000: stage-1 level-2 hole -> FSC 0x06.
    expect(access(builder, memory, 0x4020_0000n)).toEqual({
      outcome: "stage1-fault",
      va: 0x4020_0000n,
      faultType: "Translation",
      level: 2,
      fsc: 0x06,
      wnr: false,
    });
    expect(access(builder, memory, 0x4020_0000n, { access: "write" })).toMatchObject({ outcome: "stage1-fault", wnr: true });
    // Read-only at stage 1 and unmapped at stage 2: the stage-1 permission fault (0x0e, block at L2) is taken.
    builder.updateStage1Leaf(0x4000_0000n, { ap: AP.RO_EL1 });
    builder.unmapStage2(0x4000_0000n, 3);
    expect(access(builder, memory, 0x4000_0000n, { access: "write" })).toMatchObject({ outcome: "stage1-fault", fsc: 0x0e, wnr: true });
  });

  it("S1PTW translation fault: the IPA is the descriptor's, WnR follows the access", () => {
    const { builder, memory } = guest();
    const l2Table = builder.stage1TableIpa(0x4000_0000n, 2);
    builder.unmapStage2(l2Table, 3);
    // Index of VA 0x40001000 in its level-2 table: VA[29:21] = 0 -> descriptor IPA = table + 0.
    const read = access(builder, memory, 0x4000_1000n);
    expect(read).toMatchObject({ outcome: "stage2-fault", s1ptw: true, fsc: 0x07, level: 3, ipa: l2Table, wnr: false });
    // ARMv8.0 AArch64.SecondStageWalk passes the access's iswrite: a store reports WnR=1.
    const write = access(builder, memory, 0x4000_1000n, { access: "write" });
    expect(write).toMatchObject({ outcome: "stage2-fault", s1ptw: true, fsc: 0x07, wnr: true });
    if (write.outcome !== "stage2-fault") throw new Error("unreachable");
    expect(hpfar(write.ipa)).toBe(hpfar(l2Table));
  });

  it("S1PTW permission fault: checked as a read, reported with WnR=0", () => {
    const { builder, memory } = guest();
    const l3Ipa = builder.stage1TableIpa(0x1_8000_0000n, 3);
    builder.updateStage2Leaf(l3Ipa, { s2ap: S2AP.NONE });
    // Descriptor of VA 0x180000000 at level 3: index VA[20:12] = 0.
    const outcome = access(builder, memory, 0x1_8000_0000n, { access: "write" });
    // Permission at stage-2 level 3: FSC 0x0f; ARMv8.0 CheckS2Permission sets failedread for the
    // walk, so WnR=0 even for a store (QEMU 7.2 reports the store's WnR=1).
    expect(outcome).toMatchObject({ outcome: "stage2-fault", faultType: "Permission", fsc: 0x0f, s1ptw: true, wnr: false, ipa: l3Ipa });
  });

  it("stage-2 permission fault on a write to a read-only IPA", () => {
    const { builder, memory } = guest();
    builder.updateStage2Leaf(0x4000_3000n, { s2ap: S2AP.READ_ONLY });
    expect(access(builder, memory, 0x4000_3abcn)).toMatchObject({ outcome: "success", pa: 0x9000_3abcn });
    expect(access(builder, memory, 0x4000_3abcn, { access: "write" })).toEqual({
      outcome: "stage2-fault",
      va: 0x4000_3abcn,
      faultType: "Permission",
      level: 3,
      fsc: 0x0f,
      wnr: true,
      s1ptw: false,
      ipa: 0x4000_3abcn,
    });
  });

  it("stage-2 access flag fault on the final IPA", () => {
    const { builder, memory } = guest();
    builder.updateStage2Leaf(0x4000_4000n, { af: false });
    expect(access(builder, memory, 0x4000_4000n)).toMatchObject({ outcome: "stage2-fault", fsc: 0x0b, s1ptw: false });
  });

  it("instruction fetches: stage-2 XN, stage-1 PXN, and EL0-writable memory at EL1", () => {
    const { builder, memory } = guest();
    expect(access(builder, memory, 0x4000_0000n, { kind: "instruction" })).toMatchObject({ outcome: "success" });
    // Stage-2 XN on the page: stage-2 permission fault, instruction aborts carry no WnR.
    builder.updateStage2Leaf(0x4000_0000n, { xn: true });
    expect(access(builder, memory, 0x4000_0000n, { kind: "instruction" })).toMatchObject({
      outcome: "stage2-fault",
      fsc: 0x0f,
      wnr: false,
    });
    // Stage-1 PXN on the 2M block: stage-1 permission fault at level 2.
    builder.updateStage2Leaf(0x4000_0000n, { xn: false });
    builder.updateStage1Leaf(0x4000_0000n, { pxn: true });
    expect(access(builder, memory, 0x4000_0000n, { kind: "instruction" })).toMatchObject({ outcome: "stage1-fault", fsc: 0x0e });
    // AP=01 (EL0 read/write): EL1 may not execute it even with PXN clear.
    builder.updateStage1Leaf(0x4000_0000n, { pxn: false, ap: AP.RW_ALL });
    expect(access(builder, memory, 0x4000_0000n, { kind: "instruction" })).toMatchObject({ outcome: "stage1-fault", fsc: 0x0e });
    // EL0 may execute it (UXN clear).
    expect(access(builder, memory, 0x4000_0000n, { kind: "instruction", el: 0 })).toMatchObject({ outcome: "success" });
  });

  it("EL0 permissions: AP[1] grants EL0 access, APTable[0] takes it away", () => {
    const { builder, memory } = guest();
    expect(access(builder, memory, 0x4000_0000n, { el: 0 })).toMatchObject({ outcome: "stage1-fault", fsc: 0x0e });
    builder.updateStage1Leaf(0x4000_0000n, { ap: AP.RO_ALL });
    expect(access(builder, memory, 0x4000_0000n, { el: 0 })).toMatchObject({ outcome: "success" });
    expect(access(builder, memory, 0x4000_0000n, { el: 0, access: "write" })).toMatchObject({ outcome: "stage1-fault", wnr: true });
    builder.setStage1TableAttributes(0x4000_0000n, 1, { apTable: 0b01, pxnTable: false, uxnTable: false });
    expect(access(builder, memory, 0x4000_0000n, { el: 0 })).toMatchObject({ outcome: "stage1-fault", fsc: 0x0e });
  });

  it("rejects an instruction fetch that writes", () => {
    const { builder, memory } = guest();
    expect(() => access(builder, memory, 0x4000_0000n, { kind: "instruction", access: "write" })).toThrow();
  });
});
