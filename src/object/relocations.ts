// The AArch64 static relocations (ELF for the Arm 64-bit Architecture, AAELF64, section 5.7) that
// code and its alternative and exception tables use, computed and checked as a static linker
// does: X = the value the operation defines (S + A, S + A - P, Page(S + A) - Page(P), ...), an
// overflow check where the ABI has one, and the bits written into the place. A type outside this
// set is an error naming it and the place, never a silent skip.

export const R_AARCH64_NONE = 0;
export const R_AARCH64_NONE_COMPAT = 256;
export const R_AARCH64_ABS64 = 257;
export const R_AARCH64_ABS32 = 258;
export const R_AARCH64_ABS16 = 259;
export const R_AARCH64_PREL64 = 260;
export const R_AARCH64_PREL32 = 261;
export const R_AARCH64_PREL16 = 262;
export const R_AARCH64_LD_PREL_LO19 = 273;
export const R_AARCH64_ADR_PREL_LO21 = 274;
export const R_AARCH64_ADR_PREL_PG_HI21 = 275;
export const R_AARCH64_ADR_PREL_PG_HI21_NC = 276;
export const R_AARCH64_ADD_ABS_LO12_NC = 277;
export const R_AARCH64_LDST8_ABS_LO12_NC = 278;
export const R_AARCH64_TSTBR14 = 279;
export const R_AARCH64_CONDBR19 = 280;
export const R_AARCH64_JUMP26 = 282;
export const R_AARCH64_CALL26 = 283;
export const R_AARCH64_LDST16_ABS_LO12_NC = 284;
export const R_AARCH64_LDST32_ABS_LO12_NC = 285;
export const R_AARCH64_LDST64_ABS_LO12_NC = 286;
export const R_AARCH64_LDST128_ABS_LO12_NC = 299;
export const R_AARCH64_PLT32 = 314;

const NAMES: Record<number, string> = {
  0: "R_AARCH64_NONE", 256: "R_AARCH64_NONE", 257: "R_AARCH64_ABS64", 258: "R_AARCH64_ABS32", 259: "R_AARCH64_ABS16",
  260: "R_AARCH64_PREL64", 261: "R_AARCH64_PREL32", 262: "R_AARCH64_PREL16",
  263: "R_AARCH64_MOVW_UABS_G0", 264: "R_AARCH64_MOVW_UABS_G0_NC", 265: "R_AARCH64_MOVW_UABS_G1", 266: "R_AARCH64_MOVW_UABS_G1_NC",
  267: "R_AARCH64_MOVW_UABS_G2", 268: "R_AARCH64_MOVW_UABS_G2_NC", 269: "R_AARCH64_MOVW_UABS_G3",
  273: "R_AARCH64_LD_PREL_LO19", 274: "R_AARCH64_ADR_PREL_LO21", 275: "R_AARCH64_ADR_PREL_PG_HI21",
  276: "R_AARCH64_ADR_PREL_PG_HI21_NC", 277: "R_AARCH64_ADD_ABS_LO12_NC", 278: "R_AARCH64_LDST8_ABS_LO12_NC",
  279: "R_AARCH64_TSTBR14", 280: "R_AARCH64_CONDBR19", 282: "R_AARCH64_JUMP26", 283: "R_AARCH64_CALL26",
  284: "R_AARCH64_LDST16_ABS_LO12_NC", 285: "R_AARCH64_LDST32_ABS_LO12_NC", 286: "R_AARCH64_LDST64_ABS_LO12_NC",
  299: "R_AARCH64_LDST128_ABS_LO12_NC", 311: "R_AARCH64_ADR_GOT_PAGE", 312: "R_AARCH64_LD64_GOT_LO12_NC", 314: "R_AARCH64_PLT32",
};

export function relocationName(type: number): string {
  return NAMES[type] ?? `relocation type ${type}`;
}

/** Where a relocation writes and what it writes with. */
export interface RelocationSite {
  /** The type (R_AARCH64_*). */
  readonly type: number;
  /** S: the symbol's address. */
  readonly s: bigint;
  /** A: the addend. */
  readonly a: bigint;
  /** P: the place's address. */
  readonly p: bigint;
}

/** A relocation that cannot be applied: the reason, without the place (the caller names it). */
export class RelocationProblem extends Error {}

const MASK64 = (1n << 64n) - 1n;

function page(x: bigint): bigint {
  return x & ~0xfffn & MASK64;
}

/** Reads the signed 64-bit difference of two 64-bit addresses (they are within the model's address space). */
function signed64(x: bigint): bigint {
  const v = x & MASK64;
  return v >= 1n << 63n ? v - (1n << 64n) : v;
}

function checkRange(x: bigint, lo: bigint, hiExclusive: bigint, what: string): void {
  if (x < lo || x >= hiExclusive) throw new RelocationProblem(`${what} 0x${(x < 0n ? -x : x).toString(16)}${x < 0n ? " (negative)" : ""} overflows the field (allowed ${lo} <= X < ${hiExclusive})`);
}

function checkAligned(x: bigint, bytes: bigint, what: string): void {
  if (x % bytes !== 0n) throw new RelocationProblem(`${what} 0x${(x & MASK64).toString(16)} is not a multiple of ${bytes}`);
}

/** The bytes a place holds, read and written little-endian. */
export interface Place {
  read32(): number;
  write32(v: number): void;
  write(bytes: 2 | 4 | 8, v: bigint): void;
}

/** Applies one relocation to its place, or throws RelocationProblem. */
export function applyRelocation(site: RelocationSite, place: Place): void {
  const { type, s, a, p } = site;
  const sa = (s + a) & MASK64;
  const prel = signed64(sa - p);
  const insn = (update: (word: number) => number) => place.write32(update(place.read32()) >>> 0);
  switch (type) {
    case R_AARCH64_NONE:
    case R_AARCH64_NONE_COMPAT:
      return;
    case R_AARCH64_ABS64:
      return place.write(8, sa);
    case R_AARCH64_ABS32: {
      checkRange(signed64(sa), -(1n << 31n), 1n << 32n, "S+A");
      return place.write(4, sa & 0xffffffffn);
    }
    case R_AARCH64_ABS16: {
      checkRange(signed64(sa), -(1n << 15n), 1n << 16n, "S+A");
      return place.write(2, sa & 0xffffn);
    }
    case R_AARCH64_PREL64:
      return place.write(8, prel & MASK64);
    case R_AARCH64_PREL32:
    case R_AARCH64_PLT32: {
      checkRange(prel, -(1n << 31n), 1n << (type === R_AARCH64_PLT32 ? 31n : 32n), "S+A-P");
      return place.write(4, prel & 0xffffffffn);
    }
    case R_AARCH64_PREL16: {
      checkRange(prel, -(1n << 15n), 1n << 16n, "S+A-P");
      return place.write(2, prel & 0xffffn);
    }
    case R_AARCH64_JUMP26:
    case R_AARCH64_CALL26: {
      checkAligned(prel, 4n, "the branch offset S+A-P");
      checkRange(prel, -(1n << 27n), 1n << 27n, "the branch offset S+A-P");
      const imm26 = Number((prel >> 2n) & 0x3ffffffn);
      return insn((w) => (w & ~0x3ffffff) | imm26);
    }
    case R_AARCH64_CONDBR19:
    case R_AARCH64_LD_PREL_LO19: {
      checkAligned(prel, 4n, "the offset S+A-P");
      checkRange(prel, -(1n << 20n), 1n << 20n, "the offset S+A-P");
      const imm19 = Number((prel >> 2n) & 0x7ffffn);
      return insn((w) => (w & ~(0x7ffff << 5)) | (imm19 << 5));
    }
    case R_AARCH64_TSTBR14: {
      checkAligned(prel, 4n, "the branch offset S+A-P");
      checkRange(prel, -(1n << 15n), 1n << 15n, "the branch offset S+A-P");
      const imm14 = Number((prel >> 2n) & 0x3fffn);
      return insn((w) => (w & ~(0x3fff << 5)) | (imm14 << 5));
    }
    case R_AARCH64_ADR_PREL_LO21: {
      checkRange(prel, -(1n << 20n), 1n << 20n, "S+A-P");
      return insn((w) => setAdrImmediate(w, Number(prel & 0x1fffffn)));
    }
    case R_AARCH64_ADR_PREL_PG_HI21:
    case R_AARCH64_ADR_PREL_PG_HI21_NC: {
      const x = signed64(page(sa) - page(p));
      if (type === R_AARCH64_ADR_PREL_PG_HI21) checkRange(x, -(1n << 32n), 1n << 32n, "Page(S+A)-Page(P)");
      return insn((w) => setAdrImmediate(w, Number((x >> 12n) & 0x1fffffn)));
    }
    case R_AARCH64_ADD_ABS_LO12_NC:
      return insn((w) => (w & ~(0xfff << 10)) | (Number(sa & 0xfffn) << 10));
    case R_AARCH64_LDST8_ABS_LO12_NC:
    case R_AARCH64_LDST16_ABS_LO12_NC:
    case R_AARCH64_LDST32_ABS_LO12_NC:
    case R_AARCH64_LDST64_ABS_LO12_NC:
    case R_AARCH64_LDST128_ABS_LO12_NC: {
      const scale = { [R_AARCH64_LDST8_ABS_LO12_NC]: 0n, [R_AARCH64_LDST16_ABS_LO12_NC]: 1n, [R_AARCH64_LDST32_ABS_LO12_NC]: 2n, [R_AARCH64_LDST64_ABS_LO12_NC]: 3n, [R_AARCH64_LDST128_ABS_LO12_NC]: 4n }[type]!;
      const lo12 = sa & 0xfffn;
      checkAligned(lo12, 1n << scale, "the low 12 bits of S+A");
      return insn((w) => (w & ~(0xfff << 10)) | (Number(lo12 >> scale) << 10));
    }
    default:
      throw new RelocationProblem(`${relocationName(type)} is not supported`);
  }
}

/** ADR/ADRP: immlo = imm<1:0> at bits 30:29, immhi = imm<20:2> at bits 23:5. */
export function setAdrImmediate(word: number, imm21: number): number {
  const immlo = imm21 & 3;
  const immhi = (imm21 >>> 2) & 0x7ffff;
  return ((word & ~((3 << 29) | (0x7ffff << 5))) | (immlo << 29) | (immhi << 5)) >>> 0;
}
