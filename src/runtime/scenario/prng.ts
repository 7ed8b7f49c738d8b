// The source of the values the architecture leaves arbitrary (UNKNOWN registers, the guest's
// general-purpose registers, stack garbage): SplitMix64 keyed by (seed, name). Each value depends
// only on the seed and the name it is drawn for, never on the order of the draws, so any component
// (machineForScenario, the trap builder, a test) can recompute "the value of HPFAR_EL2 under seed 7".
import { BoundedCache } from "./bounded-cache.ts";

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64's output function (Steele, Lea, Flood 2014), on a 64-bit state. */
export function splitmix64(state: bigint): bigint {
  // BigInt.asUintN(64, x) is x mod 2^64, several times cheaper than & MASK64 on a BigInt.
  let z = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return z ^ (z >> 31n);
}

const nameHashes = new Map<string, bigint>();

/** FNV-1a, 64-bit, over the UTF-16 code units of `name` (names are ASCII register names); memoized. */
function fnv1a64(name: string): bigint {
  const known = nameHashes.get(name);
  if (known !== undefined) return known;
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < name.length; i++) {
    h ^= BigInt(name.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  if (nameHashes.size < 4096) nameHashes.set(name, h);
  return h;
}

/** splitmix64 of the last seed asked for: one scenario draws all its values under one seed. */
let lastSeed: bigint | undefined;
let lastSeedHash = 0n;

function seedHash(seed: number | bigint): bigint {
  const s = BigInt.asUintN(64, BigInt(seed));
  if (s !== lastSeed) {
    lastSeedHash = splitmix64(s);
    lastSeed = s;
  }
  return lastSeedHash;
}

/** The arbitrary 64-bit value drawn for `name` under `seed`. */
export function arbitraryValue(seed: number | bigint, name: string): bigint {
  if (typeof seed !== "number") return drawValue(seed, name);
  // Scenario seeds recur (an oracle batch's traps take 0-35, batch after batch), and each of their
  // machines draws the same registers: the values of the last SEEDS_KEPT Number seeds are kept.
  const drawn = drawnBySeed.get(seed, () => new Map());
  let value = drawn.get(name);
  if (value === undefined) {
    value = drawValue(seed, name);
    if (drawn.size < NAMES_KEPT) drawn.set(name, value);
  }
  return value;
}

function drawValue(seed: number | bigint, name: string): bigint {
  return splitmix64(seedHash(seed) ^ fnv1a64(name));
}

const SEEDS_KEPT = 64;
const drawnBySeed = new BoundedCache<Map<string, bigint>, number>(SEEDS_KEPT);
/** Names kept per seed: a machine's registers and X0-X30 are a few hundred. */
const NAMES_KEPT = 1024;

/** `size` arbitrary bytes for `name` under `seed`: block i of 8 bytes is splitmix64(value(name) + i). */
export function arbitraryBytes(seed: number | bigint, name: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  fillArbitraryBytes(out, seed, name);
  return out;
}

// splitmix64 on the two 32-bit halves of its state, as Numbers: the same function, word for word
// (test/runtime/prng.test.ts), without a BigInt per step. A scenario machine's stack is 128 blocks
// of it, drawn for every scenario whose handler touches its stack, and as BigInts they cost more
// than the handler's whole run.

/** Eight bytes for a block that does not fit whole (the end of an odd size, splitmix64ByWords). */
const scratch = new DataView(new ArrayBuffer(8));

/** The low 32 bits of (a*b) mod 2^64 plus (ah*b + a*bh) << 32's contribution: see mul64Hi. */
function mul64Lo(a: number, b: number): number {
  return (((((a & 0xffff) * (b >>> 16) + (a >>> 16) * (b & 0xffff)) & 0xffff) * 0x10000 + (a & 0xffff) * (b & 0xffff)) >>> 0);
}

/** The high 32 bits of (ah:a) * (bh:b) mod 2^64: the high half of a*b, plus ah*b and a*bh (mod 2^32). */
function mul64Hi(ah: number, a: number, bh: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const high = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  return (high + Math.imul(ah, b) + Math.imul(a, bh)) >>> 0;
}

/** splitmix64(hi:lo), stored little-endian at `offset` of `view`. */
function splitmix64Words(hi: number, lo: number, view: DataView, offset: number): void {
  // z = state + 0x9e3779b97f4a7c15
  const sum = lo + 0x7f4a7c15;
  let h = (hi + 0x9e3779b9 + (sum > 0xffffffff ? 1 : 0)) >>> 0;
  let l = sum >>> 0;
  // z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
  let xh = h ^ (h >>> 30);
  let xl = (l ^ ((l >>> 30) | (h << 2))) >>> 0;
  h = mul64Hi(xh, xl, 0xbf58476d, 0x1ce4e5b9);
  l = mul64Lo(xl, 0x1ce4e5b9);
  // z = (z ^ (z >> 27)) * 0x94d049bb133111eb
  xh = h ^ (h >>> 27);
  xl = (l ^ ((l >>> 27) | (h << 5))) >>> 0;
  h = mul64Hi(xh, xl, 0x94d049bb, 0x133111eb);
  l = mul64Lo(xl, 0x133111eb);
  // z ^ (z >> 31)
  view.setUint32(offset, (l ^ ((l >>> 31) | (h << 1))) >>> 0, true);
  view.setUint32(offset + 4, (h ^ (h >>> 31)) >>> 0, true);
}

/** splitmix64 computed on 32-bit halves (splitmix64Words), as a BigInt: what splitmix64 gives. */
export function splitmix64ByWords(state: bigint): bigint {
  const s = BigInt.asUintN(64, state);
  splitmix64Words(Number(s >> 32n), Number(s & 0xffffffffn), scratch, 0);
  return scratch.getBigUint64(0, true);
}

/** Fills `bytes` as arbitraryBytes(seed, name, bytes.length) would make it (8 bytes a step). */
export function fillArbitraryBytes(bytes: Uint8Array, seed: number | bigint, name: string): void {
  const size = bytes.length;
  const base = arbitraryValue(seed, name);
  const baseHi = Number(base >> 32n);
  const baseLo = Number(base & 0xffffffffn);
  const whole = size & ~7;
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  for (let i = 0; i < size; i += 8) {
    // block i >> 3: splitmix64(base + (i >> 3)), little-endian
    const lo = baseLo + (i >>> 3);
    const hi = (baseHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    if (i < whole) splitmix64Words(hi, lo >>> 0, view, i);
    else {
      splitmix64Words(hi, lo >>> 0, scratch, 0);
      for (let j = i; j < size; j++) bytes[j] = scratch.getUint8(j - i);
    }
  }
}
