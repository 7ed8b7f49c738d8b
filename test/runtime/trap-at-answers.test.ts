// The trap builder's scenario answers every AT operation on FAR as the guest's tables do
// (src/runtime/scenario/at-answers.ts). Expected PAR_EL1 values are worked out by hand from the
// Arm ARM's PAR_EL1 formats:
//   success: ATTR [63:56] | PA [47:12] | bit 11 (RES1) | NS (bit 9) | SH [8:7]
//   fault:   bit 11 (RES1) | S (bit 9: stage 2) | PTW (bit 8) | FST [6:1] | F (bit 0)
// A Permission fault at level 3 is FST 0x0f, a Translation fault at level 3 FST 0x07, at level 1
// FST 0x05: at stage 1 F | 0x0f << 1 | bit 11 = 0x81f; at stage 2 with S: 0xa1f, 0xa0f, 0xa0b.
import { describe, expect, it } from "vitest";
import { AP, S2AP, S2_MEMATTR } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { trapToJson } from "../../src/runtime/scenario/guest-setup.ts";
import { scenarioAtAnswers, scenarioAtAnswersWithoutMachine } from "../../src/runtime/scenario/at-answers.ts";
import { scenario } from "../../src/runtime/scenario/scenario.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, ARM64_KVM_HVHE } from "../../src/runtime/machine/cpu-features.ts";
import { trapFromGuestAccess, type GuestAccessTrapInput } from "../../src/runtime/scenario/index.ts";
import { AT_KINDS } from "../../src/runtime/semantics/at-operations.ts";
import { el2, trapGuest as guest } from "../support/trap-guest.ts";

/** Stage 1 Normal Write-Back (MAIR 0xff), Inner Shareable (SH 0b11), NS, bit 11. */
const S1_WB_PAR = (pa: bigint) => (0xffn << 56n) | pa | 0x800n | 0x200n | 0x180n;

describe("the scenario's AT answers (at-answers.ts)", () => {
  it("a store to a read-only stage-2 page of Non-cacheable memory: AT S12E1R gives the PA with the combined attributes, S12E1W the stage-2 Permission fault", () => {
    const t = el2(trapFromGuestAccess(guest({ va: 0x4000_0010n, access: "write", stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n, s2ap: S2AP.READ_ONLY, memAttr: S2_MEMATTR.NORMAL_NC }] })));
    // Stage 1 Normal WB combined with stage 2 Normal Non-cacheable is Normal Non-cacheable (ATTR
    // 0x44), whose shareability PAR_EL1 reports as Outer Shareable (SH 0b10): 0x44.. | 0xb00.
    const s12 = (0x44n << 56n) | 0x9000_0000n | 0x800n | 0x200n | 0x100n;
    expect(t.meta.atPars).toEqual({
      s1e1r: S1_WB_PAR(0x8000_0000n),
      s1e1w: S1_WB_PAR(0x8000_0000n),
      s1e1a: S1_WB_PAR(0x8000_0000n),
      s1e0r: 0x81fn, // the page is EL1-only (AP 0b00): EL0 has no access
      s1e0w: 0x81fn,
      s12e1r: s12,
      s12e1w: 0xa1fn,
      s12e0r: 0x81fn, // stage 1 faults before stage 2 is looked up
      s12e0w: 0x81fn,
    });
    expect(t.scenario.at).toEqual({ par: S1_WB_PAR(0x8000_0000n), ops: { s1e0r: 0x81fn, s1e0w: 0x81fn, s12e1r: s12, s12e1w: 0xa1fn, s12e0r: 0x81fn, s12e0w: 0x81fn } });
  });

  it("stage-2 Device memory: AT S12E1R gives Device-nGnRE (ATTR 0x04), reported Outer Shareable", () => {
    const t = el2(trapFromGuestAccess(guest({ va: 0x4000_0010n, access: "write", stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n, s2ap: S2AP.READ_ONLY, memAttr: S2_MEMATTR.DEVICE_nGnRE }] })));
    expect(t.meta.atPars.s12e1r).toBe((0x04n << 56n) | 0x9000_0000n | 0xb00n);
  });

  it("a read-only stage-1 page: AT S1E1W meets a stage-1 Permission fault where S1E1R and S1E1A succeed", () => {
    const t = el2(trapFromGuestAccess(guest({ stage1: [{ va: 0x4000_1000n, ipa: 0x8000_1000n, ap: AP.RO_EL1 }] })));
    expect(t.meta.atPars).toEqual({
      s1e1r: S1_WB_PAR(0x8000_1000n),
      s1e1w: 0x81fn,
      s1e1a: S1_WB_PAR(0x8000_1000n), // checks no permission
      s1e0r: 0x81fn,
      s1e0w: 0x81fn,
      s12e1r: 0xa0fn, // IPA 0x80001000 is a hole in the level-3 table of stage 2
      s12e1w: 0x81fn, // stage 1's Permission fault comes first
      s12e0r: 0x81fn,
      s12e0w: 0x81fn,
    });
  });

  it("an EL0-accessible page: AT S1E0R/W succeed, S12E0R/W reach stage 2", () => {
    const t = el2(trapFromGuestAccess(guest({ el: 0, stage1: [{ va: 0x4000_1000n, ipa: 0x8000_1000n, ap: AP.RW_ALL }] })));
    const ok = S1_WB_PAR(0x8000_1000n);
    expect(t.meta.atPars).toEqual({ s1e1r: ok, s1e1w: ok, s1e1a: ok, s1e0r: ok, s1e0w: ok, s12e1r: 0xa0fn, s12e1w: 0xa0fn, s12e0r: 0xa0fn, s12e0w: 0xa0fn });
  });

  it("keeps the {\"ok\"} form when the scenario machine already answers every operation so (stage 2 empty: a level-1 hole on both)", () => {
    const t = el2(trapFromGuestAccess(guest({ stage2: [] })));
    expect(t.scenario.at).toEqual({ ok: 0x8000_1000n });
    expect(t.meta.atPars.s12e1r).toBe(0xa0bn);
  });

  it("keeps the {\"s2fault\"} form of a fault on the walk that every operation meets alike", () => {
    const t = el2(trapFromGuestAccess(guest({ stage2: [], tableFaults: [{ va: 0x4000_1234n, level: 3, fault: "translation" }] })));
    expect(t.scenario.at).toEqual({ s2fault: { level: 3, fault: "translation" } });
    // F, FST 0x07, PTW, S, bit 11, for every operation: the walk fails before any permission check.
    expect(new Set(Object.values(t.meta.atPars))).toEqual(new Set([0xb0fn]));
  });

  it("a fault on the walk of a TTBR1 VA, which the {\"s2fault\"} form cannot map to itself, is stated in the {\"par\"} form", () => {
    const va = 0xffff_0000_4000_1234n;
    const t = el2(trapFromGuestAccess(guest({ va, stage1: [{ va: 0xffff_0000_4000_0000n, ipa: 0x8000_0000n, size: 0x1_0000n }], tableFaults: [{ va, level: 3, fault: "translation" }] })));
    expect(t.scenario.at).toEqual({ par: 0xb0fn });
    expect(scenarioAtAnswers(t.scenario)).toEqual(t.meta.atPars);
  });

  it("the scenario replays: its machine answers every operation as the guest's tables (atPars)", () => {
    const set_ups: Partial<GuestAccessTrapInput>[] = [
      {},
      { stage2: [] },
      { va: 0x4000_0010n, access: "write", stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n, s2ap: S2AP.READ_ONLY }] },
      { stage1: [{ va: 0x4000_1000n, ipa: 0x8000_1000n, ap: AP.RO_ALL }] },
      { tableFaults: [{ va: 0x4000_1234n, level: 2, fault: "permission" }] },
      { stage2WalkAborts: [{ ipa: 0x8000_1000n, level: 3 }] },
    ];
    for (const extra of set_ups) {
      const t = el2(trapFromGuestAccess(guest(extra)));
      expect(Object.keys(t.meta.atPars)).toEqual([...AT_KINDS]);
      expect(scenarioAtAnswers(t.scenario)).toEqual(t.meta.atPars);
    }
  });

  it("a form's answers are asked of its tables without a machine, as its machine gives them: every form, both halves, VHE, a FAR beyond both ranges", () => {
    const ats = [undefined, "fault", { ok: 0x8000_1000n }, { ok: 0xffff_ffff_f000n }, { par: 0x81fn }, { par: 0x80_0000n, ops: { s1e1a: 0x800n, s12e1r: 0xa0fn } }, { s2fault: { level: 1, fault: "permission" } }, { s2fault: { level: 3, fault: "translation" } }, { s2fault: { level: 2, fault: "access-flag" } }] as const;
    const fars = [0x1234n, 0x4000_1fffn, 0xffff_0000_1234_5678n, 0xffff_ff80_2b54_b988n, 0x8000_0000_0000_1000n];
    let compared = 0;
    for (const at of ats) {
      for (const far of fars) {
        for (const caps of [[], [ARM64_HAS_VIRT_HOST_EXTN], [ARM64_KVM_HVHE]]) {
          for (const midr of [undefined, 0x411fd072n]) {
            const s = scenario({ esr: 0x9200004fn, far, at, caps, ...(midr !== undefined ? { midr } : {}), seed: 3 });
            let machine: unknown;
            try {
              machine = scenarioAtAnswers(s);
            } catch (e) {
              machine = `throws ${(e as Error).message}`;
            }
            let direct: unknown;
            try {
              direct = scenarioAtAnswersWithoutMachine(s);
            } catch (e) {
              direct = `throws ${(e as Error).message}`;
            }
            expect(direct).toEqual(machine);
            if (typeof machine !== "string") compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(150);
  });

  it("the guest form's result lists atPars", () => {
    const t = el2(trapFromGuestAccess(guest()));
    const meta = trapToJson(t).meta as Record<string, unknown>;
    expect(meta.atPars).toEqual({ s1e1r: "0xff00000080001b80", s1e1w: "0xff00000080001b80", s1e1a: "0xff00000080001b80", s1e0r: "0x81f", s1e0w: "0x81f", s12e1r: "0xa0f", s12e1w: "0xa0f", s12e0r: "0x81f", s12e0w: "0x81f" });
  });
});
