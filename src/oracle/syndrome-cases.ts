// The trap oracle's instruction kinds (issue 14, "The syndrome of a data abort"): set-ups in which
// the guest executes a real instruction of each class the instruction syndrome and the access
// kinds depend on, against a stage-2 (or, for LDTR/STTR, a stage-1) fault, so that QEMU's ESR is
// held against the model's whole prediction:
//  - single general-purpose register loads and stores of every size, signed and unsigned, W and X,
//    XZR, immediate offsets (ISV=1 with SAS, SSE, SRT, SF);
//  - their writeback forms, pairs, SIMD/FP registers, exclusives (ISV=0);
//  - load-acquire / store-release (ISV=1, AR=1);
//  - LDTR/STTR at EL1 (EL0's stage-1 permissions; a stage-1 fault is EL1's DABT_CUR);
//  - PRFM (no fault), DC ZVA (a write of its block), DC CIVAC/CVAC/CVAU/IVAC and IC IVAU.
// Each instruction's effective address is the case's VA; the harness puts the base register's value
// that gives it (guest-stubs.ts).
import { AP, S2AP } from "../runtime/mmu/descriptor-encoding.ts";
import { parseGuestInstruction } from "../runtime/scenario/guest-instruction.ts";
import { DEFAULT_DCZVA_BYTES } from "../runtime/scenario/instruction-access.ts";
import type { TrapKindContext } from "./trap-kind-context.ts";

export const SYNDROME_TRAP_KINDS = [
  "iss-load-store",
  "iss-writeback",
  "iss-pair",
  "iss-simd-fp",
  "iss-acquire-release",
  "iss-exclusive",
  "unprivileged",
  "prefetch",
  "dc-zva",
  "cache-maintenance",
] as const;
export type SyndromeTrapKind = (typeof SYNDROME_TRAP_KINDS)[number];

export function isSyndromeTrapKind(kind: string): kind is SyndromeTrapKind {
  return (SYNDROME_TRAP_KINDS as readonly string[]).includes(kind);
}

/** The instructions of each kind, taken in turn by the kind's round. */
export const SYNDROME_INSTRUCTIONS: Record<SyndromeTrapKind, readonly string[]> = {
  "iss-load-store": [
    "ldrsh w5, [x2]", "ldrsb x7, [x3]", "ldrsw x3, [x0]", "ldrh w9, [x0]", "ldr w4, [x1, #8]", "str x6, [x0]",
    "strh w8, [x4]", "str xzr, [x0]", "ldur x10, [x0, #-8]", "ldrb w30, [x5]", "sturh w1, [x0, #3]", "ldrsh x12, [x0, #2]",
  ],
  "iss-writeback": ["ldr x1, [x0, #8]!", "ldr w2, [x3], #4", "str x4, [x0, #-16]!", "strb w5, [x0], #1", "ldrsh x6, [x1, #2]!"],
  "iss-pair": ["ldp x1, x2, [x0]", "stp w3, w4, [x0, #8]", "ldpsw x5, x6, [x0]", "ldnp x7, x8, [x0]", "ldp x9, x10, [x0, #16]!", "stp x1, x2, [x3], #16"],
  "iss-simd-fp": ["ldr q0, [x0]", "str d1, [x0]", "ldr s2, [x0, #4]", "ldr b3, [x0]", "str h4, [x1]", "ldp q5, q6, [x0]", "stur d7, [x0, #-8]"],
  "iss-acquire-release": ["ldar w1, [x0]", "stlr x1, [x0]", "ldarb w3, [x0]", "stlrh w4, [x2]", "ldar x5, [x6]", "stlrb w7, [x0]"],
  "iss-exclusive": ["ldxr x1, [x0]", "ldaxr w2, [x0]", "stxr w3, x1, [x0]", "stlxr w4, w5, [x0]", "ldxrb w6, [x0]", "stxrh w7, w8, [x0]", "ldxp x1, x2, [x0]"],
  unprivileged: ["ldtr x3, [x0]", "sttr w4, [x0]", "ldtrb w5, [x1]", "ldtrsh x6, [x0, #2]", "sttrh w7, [x0]", "ldtrsw x8, [x0]"],
  prefetch: ["prfm pldl1keep, [x0]", "prfm pstl1keep, [x0]", "prfm pldl2strm, [x1, #64]", "prfum plil1keep, [x0, #-3]"],
  "dc-zva": ["dc zva, x0", "dc zva, x5"],
  "cache-maintenance": ["dc civac, x0", "dc cvac, x0", "dc cvau, x0", "dc ivac, x0", "ic ivau, x0"],
};

export interface SyndromeCase {
  readonly instruction: string;
  readonly va: bigint;
  readonly detail: string;
}

const PAGE = 0x1000n;

/** Where in the page an access of `insn` goes: aligned to its size, clear of the page's end (no crossing here). */
function placeInPage(text: string, offset: bigint): bigint {
  const insn = parseGuestInstruction(text);
  const bytes = BigInt(insn.operation === "dc-zva" ? DEFAULT_DCZVA_BYTES : Math.max(insn.bytes, 1));
  const align = insn.operation === "dc-zva" || insn.operation === "cache-maintenance" || insn.operation === "prefetch" ? 1n : bytes;
  const room = PAGE - 2n * bytes;
  return ((offset % room) / align) * align;
}

/** Adds the kind's mappings to the context; returns the instruction, its VA and a description. */
export function syndromeCase(kind: SyndromeTrapKind, c: TrapKindContext): SyndromeCase {
  const { round, vaPage, ipaPage, paPage } = c;
  const list = SYNDROME_INSTRUCTIONS[kind];
  const instruction = list[round % list.length];
  // The stage-2 fault varies with the rounds that have gone through the list: an unmapped IPA,
  // then (where the class can meet one) a permission fault.
  const variant = Math.floor(round / list.length) % 2;
  const va = vaPage + placeInPage(instruction, c.offset);
  const insn = parseGuestInstruction(instruction);
  const s1 = (ap?: number) => c.stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false, ...(ap !== undefined ? { ap } : {}) });
  switch (kind) {
    case "unprivileged": {
      // Even rounds: EL1-only at stage 1, so EL0's permissions fault there (ESR_EL1, DABT_CUR);
      // odd: EL0 may access it, and stage 2 leaves the IPA unmapped.
      if (variant === 0) {
        s1(insn.access === "write" && round % 2 === 0 ? AP.RO_ALL : AP.RW_EL1);
        c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
        return { instruction, va, detail: "stage 1 denies EL0" };
      }
      s1(AP.RW_ALL);
      return { instruction, va, detail: "EL0 may access it at stage 1; IPA unmapped at stage 2" };
    }
    case "prefetch": {
      s1();
      if (variant === 1) c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3, s2ap: S2AP.NONE });
      return { instruction, va, detail: variant === 1 ? "S2AP none" : "IPA unmapped at stage 2" };
    }
    case "cache-maintenance": {
      s1();
      if (variant === 1) c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3, s2ap: S2AP.NONE });
      return { instruction, va, detail: variant === 1 ? "S2AP none" : "IPA unmapped at stage 2" };
    }
    case "iss-exclusive":
      // A store-exclusive needs its load-exclusive (the stub's) to succeed: a read-only page.
      if (insn.operation === "store") {
        s1();
        c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3, s2ap: S2AP.READ_ONLY });
        return { instruction, va, detail: "S2AP read-only" };
      }
      s1();
      return { instruction, va, detail: "IPA unmapped at stage 2" };
    default: {
      s1();
      if (variant === 1) {
        const s2ap = insn.access === "write" ? S2AP.READ_ONLY : S2AP.WRITE_ONLY;
        c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3, s2ap });
        return { instruction, va, detail: `S2AP ${insn.access === "write" ? "read-only" : "write-only"}` };
      }
      return { instruction, va, detail: "IPA unmapped at stage 2" };
    }
  }
}
