// Logical-immediate bitmasks: the Arm ARM's DecodeBitMasks, and its inverse, the encodability test
// the assembler applies to `and/orr/eor/tst/mov #imm`. Immediates are constants, so these work on
// bigint; the semantics turn the decoded masks into domain constants.

export interface BitmaskEncoding {
  readonly n: number; // 0 or 1
  readonly immr: number; // 0..63
  readonly imms: number; // 0..63
}

function ones(count: number): bigint {
  return (1n << BigInt(count)) - 1n;
}

function rorBits(x: bigint, shift: number, width: number): bigint {
  const s = shift % width;
  if (s === 0) return x;
  return ((x >> BigInt(s)) | (x << BigInt(width - s))) & ones(width);
}

function replicate(element: bigint, esize: number, width: number): bigint {
  let out = 0n;
  for (let i = 0; i < width; i += esize) out |= element << BigInt(i);
  return out;
}

function highestSetBit(x: number): number {
  for (let i = 31; i >= 0; i--) if ((x >>> i) & 1) return i;
  return -1;
}

/**
 * DecodeBitMasks(immN, imms, immr, immediate, M) from the Arm ARM (aarch64/instrs/integer/bitmasks).
 * Returns undefined for the reserved encodings (where the pseudocode says UNDEFINED).
 */
export function decodeBitMasks(
  immN: number,
  imms: number,
  immr: number,
  immediate: boolean,
  width: 32 | 64,
): { wmask: bigint; tmask: bigint } | undefined {
  // A function of its five small arguments, asked by every run of every bitfield and logical
  // immediate instruction: worked out once per encoding (null: reserved).
  const key = ((((immN & 1) * 64 + (imms & 63)) * 64 + (immr & 63)) * 2 + (immediate ? 1 : 0)) * 2 + (width === 64 ? 1 : 0);
  if (immN === (immN & 1) && imms === (imms & 63) && immr === (immr & 63)) {
    const known = decoded[key];
    if (known !== undefined) return known ?? undefined;
    const masks = decodeBitMasksOnce(immN, imms, immr, immediate, width);
    decoded[key] = masks === undefined ? null : Object.freeze(masks);
    return masks;
  }
  return decodeBitMasksOnce(immN, imms, immr, immediate, width);
}

/** decodeBitMasks's answers by encoding (see its key); null for a reserved one. */
const decoded: ({ readonly wmask: bigint; readonly tmask: bigint } | null | undefined)[] = new Array(2 * 64 * 64 * 2 * 2);

function decodeBitMasksOnce(
  immN: number,
  imms: number,
  immr: number,
  immediate: boolean,
  width: 32 | 64,
): { wmask: bigint; tmask: bigint } | undefined {
  // len = HighestSetBit(immN:NOT(imms))
  const len = highestSetBit((immN << 6) | (~imms & 0x3f));
  if (len < 1) return undefined;
  if (width < 1 << len) return undefined; // the element would be wider than the register
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return undefined; // all-ones element is reserved
  const s = imms & levels;
  const r = immr & levels;
  const diff = (s - r) & levels; // 6-bit subtraction, then the low `len` bits
  const esize = 1 << len;
  const d = diff & levels;
  const welem = ones(s + 1);
  const telem = ones(d + 1);
  return {
    wmask: replicate(rorBits(welem, r, esize), esize, width),
    tmask: replicate(telem, esize, width),
  };
}

/**
 * The encoder: the N:immr:imms that DecodeBitMasks(.., immediate=TRUE) maps to `value`, or undefined
 * if no encoding exists (zero, all ones, or not a replicated rotated run of ones).
 */
export function encodeBitmask(value: bigint, width: 32 | 64): BitmaskEncoding | undefined {
  const all = ones(width);
  if (value < 0n || value > all || value === 0n || value === all) return undefined;
  // Smallest element size whose replication gives the value.
  let esize = width as number;
  while (esize > 2) {
    const half = esize / 2;
    const low = value & ones(half);
    if (replicate(low, half, width) !== value) break;
    esize = half;
  }
  const element = value & ones(esize);
  const count = popcount(element);
  // The element is a run of `count` ones rotated right by r: find r with ROR(ones(count), r) == element.
  const run = ones(count);
  for (let r = 0; r < esize; r++) {
    if (rorBits(run, r, esize) === element) {
      // imms = NOT(esize*2 - 1)<5:0> | (count - 1), as the inverse of len = HighestSetBit(N:NOT(imms)).
      const n = esize === 64 ? 1 : 0;
      const imms = ((~(esize * 2 - 1) & 0x3f) | (count - 1)) & 0x3f;
      return { n, immr: r, imms };
    }
  }
  return undefined;
}

function popcount(x: bigint): number {
  let c = 0;
  for (let v = x; v !== 0n; v >>= 1n) if (v & 1n) c++;
  return c;
}
