// The kernel's alternatives (arch/arm64/kernel/alternative.c) applied to an object's code for one
// set of present capabilities, as __apply_alternatives does at boot:
//  - each entry of .altinstructions is a struct alt_instr { s32 orig_offset; s32 alt_offset;
//    u16 cpucap; u8 orig_len; u8 alt_len; } (12 bytes), the offsets relative to their own field
//    (resolved here through the object's R_AARCH64_PREL32 relocations, by reading the relocated
//    image);
//  - an entry whose capability (cpucap without ARM64_CB_BIT) is present is applied; others leave
//    the original instructions;
//  - a replacement entry (alt_len == orig_len) copies the replacement words over the original,
//    fixing each as get_alt_insn does: an immediate branch (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ)
//    whose target lies outside the replacement sequence is re-aimed at the same target from its
//    new place; an ADRP is re-based from the replacement's 4 KiB page to the original's; any other
//    PC-relative literal instruction (LDR/LDRSW/PRFM literal, ADR) makes the kernel BUG(), and is
//    an error here;
//  - a callback entry (ARM64_CB_BIT set, alt_len == 0) calls the function at alt_offset on the
//    original words: alt_cb_patch_nops (every word becomes NOP) is implemented; any other
//    callback is an error naming it.
// The kernel applies boot capabilities in one pass and the rest in a second; the two orders only
// differ where two present entries patch the same word, which is reported instead of guessed.
import { ObjectError, hex } from "./errors.ts";
import type { CapabilityNames } from "./cpucaps.ts";
import type { ObjectImage } from "./image.ts";
import { setAdrImmediate } from "./relocations.ts";
import { has, signExtend } from "./bits.ts";

/** Bit 15 of alt_instr.cpucap marks a callback alternative (asm/alternative-macros.h). */
export const ARM64_CB_BIT = 1 << 15;
export const ALT_INSTR_SIZE = 12;
export const A64_NOP = 0xd503201f;
export const ALT_CB_PATCH_NOPS = "alt_cb_patch_nops";

export interface AlternativeEntry {
  /** Index in .altinstructions. */
  readonly index: number;
  /** ALT_ORIG_PTR: the first original instruction. */
  readonly origin: bigint;
  /** ALT_REPL_PTR: the first replacement instruction, or the callback function. */
  readonly replacement: bigint;
  /** alt_instr.cpucap as stored (ARM64_CB_BIT included). */
  readonly cpucap: number;
  /** ALT_CAP, named from the build tree. */
  readonly capability: string;
  /** For a callback entry: the callback's symbol. */
  readonly callback?: string;
  readonly origLen: number;
  readonly altLen: number;
}

/**
 * Capabilities every system that runs hyp code has: the kernel sets ARM64_ALWAYS_BOOT and
 * ARM64_ALWAYS_SYSTEM unconditionally (their match function is cpucap_always), and hyp code runs
 * only after capabilities are finalized. A caller may enumerate them anyway; these are the
 * defaults a report shows when no rule names them.
 */
export const CAPABILITY_DEFAULTS: ReadonlyMap<string, { readonly present: boolean; readonly reason: string }> = new Map([
  ["ARM64_ALWAYS_BOOT", { present: true, reason: "set on every CPU at boot (cpucap_always)" }],
  ["ARM64_ALWAYS_SYSTEM", { present: true, reason: "set on every system once capabilities are finalized (cpucap_always), before any hyp code runs" }],
]);

/** An alt_instr as stored: ALT_ORIG_PTR, ALT_REPL_PTR and the raw fields. */
export interface RawAlternative {
  readonly index: number;
  readonly origin: bigint;
  readonly replacement: bigint;
  readonly cpucap: number;
  readonly origLen: number;
  readonly altLen: number;
}

/** Reads every entry of .altinstructions (none if the object has no such section). */
export function readAlternatives(image: ObjectImage): RawAlternative[] {
  const elf = image.elf;
  const section = elf.section(".altinstructions");
  if (section === undefined) return [];
  if (section.size % ALT_INSTR_SIZE !== 0) throw elf.error(`.altinstructions is ${hex(section.size)} bytes, not a whole number of ${ALT_INSTR_SIZE}-byte struct alt_instr entries`);
  const placed = image.placedSection(section);
  if (placed === undefined) throw elf.error(".altinstructions is not an allocated section");
  const view = new DataView(placed.bytes.buffer, placed.bytes.byteOffset, placed.bytes.byteLength);
  const out: RawAlternative[] = [];
  for (let i = 0; i * ALT_INSTR_SIZE < section.size; i++) {
    const at = i * ALT_INSTR_SIZE;
    const field = placed.address + BigInt(at);
    out.push({
      index: i,
      origin: field + BigInt(view.getInt32(at, true)),
      replacement: field + 4n + BigInt(view.getInt32(at + 4, true)),
      cpucap: view.getUint16(at + 8, true),
      origLen: view.getUint8(at + 10),
      altLen: view.getUint8(at + 11),
    });
  }
  return out;
}

/**
 * Names the entries' capabilities and callbacks, and checks them as __apply_alternatives does
 * (its BUG_ONs): an entry it would refuse is an error, naming the entry and what it patches.
 */
export function nameAlternatives(image: ObjectImage, raw: readonly RawAlternative[], names: CapabilityNames): AlternativeEntry[] {
  return raw.map((e) => {
    const where = `.altinstructions entry ${e.index} (patching ${image.describe(e.origin)})`;
    const number = e.cpucap & ~ARM64_CB_BIT;
    const capability = names.byNumber.get(number);
    if (capability === undefined) throw image.elf.error(`${where}: capability number ${number} is not defined in ${names.header}`);
    const isCallback = (e.cpucap & ARM64_CB_BIT) !== 0;
    if (e.origLen % 4 !== 0) throw image.elf.error(`${where}: orig_len ${e.origLen} is not a whole number of instructions`);
    if (isCallback && e.altLen !== 0) throw image.elf.error(`${where}: a callback alternative (${capability}) with alt_len ${e.altLen}; the kernel requires 0`);
    if (!isCallback && e.altLen !== e.origLen) throw image.elf.error(`${where}: alt_len ${e.altLen} differs from orig_len ${e.origLen} (${capability}); the kernel requires them equal`);
    return { ...e, capability, ...(isCallback ? { callback: image.describe(e.replacement) } : {}) };
  });
}

/** The entries that patch [start, end); an entry straddling the range's edge is an error. */
export function alternativesWithin<E extends RawAlternative>(image: ObjectImage, entries: readonly E[], start: bigint, end: bigint, what: string): E[] {
  const inside: E[] = [];
  for (const e of entries) {
    const eEnd = e.origin + BigInt(e.origLen);
    if (eEnd <= start || e.origin >= end || e.origLen === 0) continue;
    if (e.origin < start || eEnd > end) {
      throw image.elf.error(`.altinstructions entry ${e.index} patches ${image.describe(e.origin)}..+${hex(e.origLen)}, which crosses the edge of ${what}`);
    }
    if ((e.origin - start) % 4n !== 0n) throw image.elf.error(`.altinstructions entry ${e.index} patches ${image.describe(e.origin)}, which is not on an instruction boundary`);
    inside.push(e);
  }
  return inside;
}

/**
 * The words of [start, end) after applying `entries` (from alternativesWithin) for the
 * capabilities in `present`.
 */
export function applyAlternatives(image: ObjectImage, entries: readonly AlternativeEntry[], start: bigint, end: bigint, present: ReadonlySet<string>): Uint32Array {
  const elf = image.elf;
  const count = Number((end - start) / 4n);
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const w = image.word(start + BigInt(i) * 4n);
    if (w === undefined) throw elf.error(`${image.describe(start + BigInt(i) * 4n)} is outside every loaded section`);
    words[i] = w;
  }
  const patchedBy = new Map<number, AlternativeEntry>();
  for (const e of entries) {
    if (!present.has(e.capability)) continue;
    const first = Number((e.origin - start) / 4n);
    const n = e.origLen / 4;
    for (let i = first; i < first + n; i++) {
      const earlier = patchedBy.get(i);
      if (earlier !== undefined) {
        throw elf.error(`.altinstructions entries ${earlier.index} (${earlier.capability}) and ${e.index} (${e.capability}) both patch ${image.describe(start + BigInt(i) * 4n)}: the result would depend on the kernel's pass order`);
      }
      patchedBy.set(i, e);
    }
    if (e.callback !== undefined) {
      if (e.callback !== ALT_CB_PATCH_NOPS) {
        throw elf.error(`.altinstructions entry ${e.index} at ${image.describe(e.origin)} (${e.capability}) is a callback alternative calling ${e.callback}; faultc implements only ${ALT_CB_PATCH_NOPS}`);
      }
      for (let i = first; i < first + n; i++) words[i] = A64_NOP;
      continue;
    }
    for (let i = 0; i < n; i++) {
      const from = e.replacement + BigInt(i) * 4n;
      const to = e.origin + BigInt(i) * 4n;
      const w = image.word(from);
      if (w === undefined) throw elf.error(`.altinstructions entry ${e.index}: its replacement ${image.describe(from)} is outside every loaded section`);
      words[first + i] = alternativeInstruction(image, e, w, to, from);
    }
  }
  return words;
}

// The kernel's instruction classes (asm/insn.h __AARCH64_INSN_FUNCS masks and values).
const is = has;
const isB = (w: number) => is(w, 0xfc000000, 0x14000000) || is(w, 0xfc000000, 0x94000000);
const isCompareBranch = (w: number) => is(w, 0x7e000000, 0x34000000);
const isTestBranch = (w: number) => is(w, 0x7e000000, 0x36000000);
const isBcond = (w: number) => is(w, 0xff000000, 0x54000000);
const isAdrp = (w: number) => is(w, 0x9f000000, 0x90000000);
const usesLiteral = (w: number) =>
  is(w, 0xbf000000, 0x18000000) || is(w, 0xff000000, 0x98000000) || is(w, 0x1f000000, 0x10000000) || is(w, 0xff000000, 0xd8000000);

/** The immediate-branch field of a word: bit position, width (in words). */
function branchField(w: number): { lo: number; bits: number } {
  if (isB(w)) return { lo: 0, bits: 26 };
  if (isTestBranch(w)) return { lo: 5, bits: 14 };
  return { lo: 5, bits: 19 };
}

/** get_alt_insn(alt, insnptr = to, altinsnptr = from) for one replacement word. */
function alternativeInstruction(image: ObjectImage, e: AlternativeEntry, w: number, to: bigint, from: bigint): number {
  const where = `.altinstructions entry ${e.index} (${e.capability}), replacement ${image.describe(from)} for ${image.describe(to)}`;
  if (isB(w) || isCompareBranch(w) || isTestBranch(w) || isBcond(w)) {
    const { lo, bits } = branchField(w);
    const fieldMask = (2 ** bits - 1) * 2 ** lo;
    const offset = signExtend(Math.floor(((w >>> 0) & fieldMask) / 2 ** lo), bits) * 4n;
    const target = from + offset;
    // branch_insn_requires_update: a target inside [replptr, replptr + alt_len] stays as it is.
    if (target >= e.replacement && target <= e.replacement + BigInt(e.altLen)) return w;
    const moved = target - to;
    const limit = 1n << BigInt(bits + 1);
    if (moved < -limit || moved >= limit) throw image.elf.error(`${where}: the branch to ${image.describe(target)} does not reach from its new place`);
    const imm = Number((moved >> 2n) & BigInt(2 ** bits - 1));
    return (((w >>> 0) & ~fieldMask) | (imm * 2 ** lo)) >>> 0;
  }
  if (isAdrp(w)) {
    const imm21 = ((w >>> 3) & 0x1ffffc) | ((w >>> 29) & 3);
    const origOffset = signExtend(imm21, 21) << 12n;
    const target = (from & ~0xfffn) + origOffset;
    const moved = target - (to & ~0xfffn);
    if (moved < -(1n << 32n) || moved >= 1n << 32n) throw image.elf.error(`${where}: the ADRP page does not reach from its new place`);
    return setAdrImmediate(w, Number((moved >> 12n) & 0x1fffffn));
  }
  if (usesLiteral(w)) throw image.elf.error(`${where}: ${hex(w)} is a PC-relative literal instruction, which the kernel refuses to patch (BUG())`);
  return w;
}
