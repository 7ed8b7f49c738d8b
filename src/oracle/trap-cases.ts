// Seeded guest-trap set-ups for the QEMU oracle (issue 6, section 2): a guest access at EL1 with its
// MMU on, through stage-1 and stage-2 tables built exactly as the trap builder (trapFromGuestAccess)
// builds them, so that the model's prediction and QEMU's run see the same tables. The kinds cover
// the list: stage-2 translation faults at levels 1-3, access flag, permission (read-only,
// no access, write-only), faults on a stage-1 table walk (S1PTW: translation, access flag,
// permission at every stage-1 level), instruction fetches from unmapped or XN IPAs, 8-byte loads
// across a page boundary, and, as checks of the plumbing, a stage-1 fault (taken to EL1) and an
// access that completes.
import { AP, S2AP } from "../runtime/mmu/descriptor-encoding.ts";
import { REGISTER_NAMES, type TranslationRegisters } from "../runtime/mmu/registers.ts";
import { buildTrapTables } from "../runtime/scenario/trap.ts";
import { arbitraryValue, SCENARIO_LAYOUT, type GuestAccessTrapInput, type Stage1MappingSpec, type Stage2MappingSpec } from "../runtime/scenario/index.ts";
import { addressRegisterValue, parseGuestInstruction } from "../runtime/scenario/guest-instruction.ts";
import { guestStubTexts } from "./guest-stubs.ts";
import { ORACLE_AREA_BASE, ORACLE_AREA_END } from "./layout.ts";
import { pushMemoryImage, RecordingMemory, wordsToBytes, type MemoryImage } from "./recording-memory.ts";
import { Rng } from "./rng.ts";
import { SCENARIO_MEMORY_MAP } from "../runtime/scenario/machine-memory.ts";
import { isWalkTrapKind, walkFaultCase, WALK_TRAP_KINDS } from "./walk-fault-cases.ts";
import { addressSizeCase, ADDRESS_SIZE_TRAP_KINDS, isAddressSizeTrapKind } from "./address-size-cases.ts";
import { isSyndromeTrapKind, syndromeCase, SYNDROME_TRAP_KINDS } from "./syndrome-cases.ts";
import { resolveGuestAccess } from "../runtime/scenario/instruction-access.ts";

export const TRAP_MAGIC = 0x6661756c74635452n; // "faultcTR"

/** The harness image (qemu/link.ld), identity-mapped by both stages so that the guest can run. */
export const IMAGE_WINDOW = { base: 0x4000_0000n, size: 0x20_0000n } as const;

export const TRAP_KINDS = [
  "s2-translation",
  "s2-access-flag",
  "s2-permission",
  "s1ptw",
  "ifetch-unmapped",
  "ifetch-xn",
  "crossing-load",
  "stage1-fault",
  "no-fault",
  ...WALK_TRAP_KINDS,
  ...ADDRESS_SIZE_TRAP_KINDS,
  ...SYNDROME_TRAP_KINDS,
] as const;
export type TrapKind = (typeof TRAP_KINDS)[number];

/** The harness's default guest instructions (A64 text; src/oracle/guest-stubs.ts makes them stubs). */
export const GUEST_LOAD_BYTE = "ldrb w2, [x0]";
export const GUEST_STORE_BYTE = "strb w2, [x0]";
export const GUEST_LOAD_DOUBLEWORD = "ldr x2, [x0]";
export const GUEST_FETCH = "br x0";

export interface TrapCase {
  readonly index: number;
  readonly kind: TrapKind;
  readonly summary: string;
  /** The trap builder's input (the image mappings included). */
  readonly input: GuestAccessTrapInput;
  /**
   * The A64 instruction the guest executes at EL1 (GNU as text, e.g. "ldrb w2, [x0]", "br x0"):
   * the harness runs it from a generated stub (src/oracle/guest-stubs.ts) with its address
   * register holding the value that makes its effective address input.va. For a data access the
   * input carries the same text (input.instruction), so the model predicts its syndrome.
   */
  readonly instruction: string;
  readonly registers: TranslationRegisters;
  readonly image: MemoryImage;
  /** The guest's PAR_EL1 before the trap. */
  readonly guestPar: bigint;
}

const PAGE = 0x1000n;
/** Where guest data lives: the top of the 48-bit TTBR1 range. */
export const DATA_VA_BASE = 0xffff_ff80_0000_0000n;

// The guest tables are built exactly as trapFromGuestAccess builds them: one function, shared.
export { buildTrapTables };

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** Trap set-up `index` of stream `seed`; kinds (default all) rotate so that every batch covers each. */
export function generateTrapCase(seed: number, index: number, kinds: readonly TrapKind[] = TRAP_KINDS): TrapCase {
  const rng = new Rng(seed, `trap:${index}`);
  const kind = kinds[index % kinds.length];
  // The round picks sub-variants in turn, so that a short batch still covers each of them.
  const round = Math.floor(index / kinds.length);
  // Guest data VA in the TTBR1 range (its own stage-1 tables at every level, so that a stage-2
  // fault under one of them never hits the walks of the guest's code, which TTBR0 maps), IPA above
  // 2G (clear of the image and the table pool), PA in RAM.
  const vaPage = DATA_VA_BASE + rng.below(0x8_0000n) * PAGE;
  const ipaPage = 0x8000_0000n + rng.below(((1n << 40n) - 0x8000_0000n - 0x40_0000n) / PAGE) * PAGE;
  const paPage = 0x6000_0000n + rng.below(0x1000n) * PAGE;
  const offset = rng.below(PAGE);
  const stage1: Stage1MappingSpec[] = [{ va: IMAGE_WINDOW.base, ipa: IMAGE_WINDOW.base, size: IMAGE_WINDOW.size, level: 2, pxn: false, uxn: false }];
  const stage2: Stage2MappingSpec[] = [{ ipa: IMAGE_WINDOW.base, pa: IMAGE_WINDOW.base, size: IMAGE_WINDOW.size, level: 2 }];
  let va = vaPage + offset;
  let access: "read" | "write" = rng.chance(0.5) ? "read" : "write";
  let instruction: string = access === "read" ? GUEST_LOAD_BYTE : GUEST_STORE_BYTE;
  let size = 1;
  let dataKind: "data" | "instruction" = "data";
  const extra: Partial<GuestAccessTrapInput> = {};
  let detail = "";

  switch (kind) {
    case "s2-translation": {
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
      // Neighbours decide the stage-2 level of the hole: the next page (level 3), the next 2M (level 2), none (level 1).
      const near = round % 3;
      if (near === 0) stage2.push({ ipa: ipaPage ^ PAGE, pa: paPage, size: PAGE, level: 3 });
      if (near === 1) stage2.push({ ipa: ipaPage ^ 0x20_0000n, pa: paPage, size: PAGE, level: 3 });
      detail = ["next page mapped", "next 2M mapped", "nothing near"][near];
      break;
    }
    case "s2-access-flag": {
      const block = rng.chance(0.4);
      const ipaBase = block ? ipaPage & ~0x1f_ffffn : ipaPage;
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
      stage2.push({ ipa: ipaBase, pa: block ? 0x6000_0000n : paPage, size: block ? 0x20_0000n : PAGE, level: block ? 2 : 3, af: false });
      detail = block ? "2M block AF=0" : "page AF=0";
      break;
    }
    case "s2-permission": {
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
      const which = round % 3;
      const s2ap = [S2AP.READ_ONLY, S2AP.NONE, S2AP.WRITE_ONLY][which];
      if (which === 0) access = "write";
      if (which === 2) access = "read";
      instruction = access === "read" ? GUEST_LOAD_BYTE : GUEST_STORE_BYTE;
      stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3, s2ap });
      detail = `S2AP ${["read-only", "none", "write-only"][which]}`;
      break;
    }
    case "s1ptw": {
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
      stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
      const level = round % 4;
      const fault = (["translation", "permission", "access-flag"] as const)[round % 3];
      extra.tableFaults = [{ va: vaPage, level, fault }];
      detail = `stage-1 level-${level} table: stage-2 ${fault} fault`;
      break;
    }
    case "ifetch-unmapped":
    case "ifetch-xn": {
      va = vaPage + (offset & ~3n);
      access = "read";
      instruction = GUEST_FETCH;
      dataKind = "instruction";
      size = 4;
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
      if (kind === "ifetch-xn") stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3, xn: true });
      detail = kind === "ifetch-xn" ? "stage-2 XN" : "IPA unmapped at stage 2";
      break;
    }
    case "crossing-load": {
      va = vaPage + PAGE - BigInt(1 + rng.int(7));
      access = "read";
      instruction = GUEST_LOAD_DOUBLEWORD;
      size = 8;
      stage1.push({ va: vaPage, ipa: ipaPage, size: 2n * PAGE, level: 3, pxn: false, uxn: false });
      const secondFaults = rng.chance(0.7);
      stage2.push({ ipa: secondFaults ? ipaPage : ipaPage + PAGE, pa: paPage, size: PAGE, level: 3 });
      detail = secondFaults ? "second page unmapped at stage 2" : "first page unmapped at stage 2";
      break;
    }
    case "stage1-fault": {
      access = "write";
      instruction = GUEST_STORE_BYTE;
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, ap: AP.RO_EL1, pxn: false, uxn: false });
      stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
      detail = "stage-1 read-only, store";
      break;
    }
    case "no-fault": {
      stage1.push({ va: vaPage, ipa: ipaPage, size: PAGE, level: 3, pxn: false, uxn: false });
      stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
      detail = "both stages map it";
      break;
    }
    default:
      if (isAddressSizeTrapKind(kind)) {
        detail = addressSizeCase(kind, { round, vaPage, ipaPage, paPage, offset, stage1, stage2, extra });
        break;
      }
      if (isSyndromeTrapKind(kind)) {
        // The instruction decides the access (the input states it as the instruction gives it).
        const sc = syndromeCase(kind, { round, vaPage, ipaPage, paPage, offset, stage1, stage2, extra });
        const r = resolveGuestAccess({ va: sc.va, instruction: sc.instruction });
        ({ va, instruction, detail } = sc);
        access = r.access;
        dataKind = r.kind;
        size = r.size;
        break;
      }
      if (!isWalkTrapKind(kind)) throw new Error(`internal: trap kind ${kind} has no set-up`);
      detail = walkFaultCase(kind, { round, vaPage, ipaPage, paPage, offset, stage1, stage2, extra });
  }

  const input: GuestAccessTrapInput = { va, access, kind: dataKind, size, instruction, stage1, stage2, seed: index, erratum834220: "architectural", ...extra };
  const memory = new RecordingMemory(SCENARIO_MEMORY_MAP);
  const b = buildTrapTables(input, memory);
  const registers = b.registers();
  // The guest's PAR_EL1: an arbitrary value in the bits QEMU keeps (a failed-translation format).
  const guestPar = (arbitraryValue(index, "oracle PAR_EL1") & 0x37en) | 0x801n;
  const summary = `trap ${index} (seed ${seed}): ${kind}, '${instruction}' at ${hex(va)} (IPA page ${hex(ipaPage)}; ${detail})`;
  return { index, kind, summary, input, instruction, registers, image: memory.image(ORACLE_AREA_BASE, ORACLE_AREA_END), guestPar };
}

export function generateTrapCases(seed: number, count: number, kinds: readonly TrapKind[] = TRAP_KINDS): TrapCase[] {
  return Array.from({ length: count }, (_, i) => generateTrapCase(seed, i, kinds));
}

/** The harness input; the guest stubs it indexes are guestStubsSource(guestStubTexts(the cases' instructions)). */
export function serialiseTrapCases(cases: readonly TrapCase[]): Uint8Array {
  const words: bigint[] = [TRAP_MAGIC, BigInt(cases.length)];
  const stubs = guestStubTexts(cases.map((c) => c.instruction));
  for (const c of cases) {
    for (const name of REGISTER_NAMES) words.push(c.registers[name]);
    const insn = parseGuestInstruction(c.instruction);
    words.push(addressRegisterValue(insn, c.input.va), BigInt(stubs.indexOf(c.instruction.trim())), c.guestPar);
    pushMemoryImage(words, c.image);
  }
  return wordsToBytes(words);
}
