// The trap oracle's walk-fault kinds (issue 14, "Translation"): set-ups in which the guest's walk
// meets a descriptor fetch outside memory (at stage 1, on the stage-2 walk of a stage-1 table, on
// the stage-2 walk of the access's own IPA), a stage-2 hole above level 3 under a stage-1 table,
// a stage-1 table in stage-2 Device memory with and without HCR_EL2.PTW, and a read-only table
// page. Each is stated through the trap builder's input (walk-faults.ts), so QEMU runs the very
// tables the model predicts from. The data VA's stage-1 tables are the TTBR1 tree's, used by no
// other walk, and its IPA lies above the image's and the table pool's 1G region.
import type { TrapKindContext } from "./trap-kind-context.ts";

export const WALK_TRAP_KINDS = ["s1-walk-abort", "s1ptw-walk-abort", "s2-walk-abort", "s1ptw-hole-level", "ptw-device", "read-only-table"] as const;
export type WalkTrapKind = (typeof WALK_TRAP_KINDS)[number];

const PAGE = 0x1000n;

export function isWalkTrapKind(kind: string): kind is WalkTrapKind {
  return (WALK_TRAP_KINDS as readonly string[]).includes(kind);
}

/** Adds the kind's mappings and walk faults to the context; returns the case's description. */
export function walkFaultCase(kind: WalkTrapKind, c: TrapKindContext): string {
  const { round, vaPage, ipaPage, paPage } = c;
  c.stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
  c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
  const level = round % 4;
  const upper = Math.floor(round / 4) % 2;
  switch (kind) {
    case "s1-walk-abort":
      c.extra.tableFaults = [{ va: vaPage, level, fault: "external-abort" }];
      return `stage-1 level-${level} table's stage-2 output outside memory`;
    case "s1ptw-walk-abort": {
      const s2Level = 2 + upper;
      c.extra.tableFaults = [{ va: vaPage, level, fault: "walk-external-abort", s2Level }];
      return `stage-2 walk of the level-${level} table fetches its level-${s2Level} descriptor outside memory`;
    }
    case "s2-walk-abort": {
      const s2Level = 2 + (round % 2);
      c.extra.stage2WalkAborts = [{ ipa: ipaPage, level: s2Level }];
      return `stage-2 walk of the access's IPA fetches its level-${s2Level} descriptor outside memory`;
    }
    case "s1ptw-hole-level": {
      const s2Level = 1 + upper;
      c.extra.tableFaults = [{ va: vaPage, level, fault: "translation", s2Level }];
      return `stage-2 hole at level ${s2Level} under the level-${level} table`;
    }
    case "ptw-device": {
      const ptw = upper === 0;
      c.extra.tableFaults = [{ va: vaPage, level, fault: "device" }];
      c.extra.hcrPtw = ptw;
      return `level-${level} table in stage-2 Device memory, HCR_EL2.PTW=${ptw ? 1 : 0}`;
    }
    case "read-only-table":
      c.extra.tableFaults = [{ va: vaPage, level, fault: "read-only" }];
      return `level-${level} table page read-only at stage 2`;
  }
}
