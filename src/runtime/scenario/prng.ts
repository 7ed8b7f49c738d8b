// The source of the values the architecture leaves arbitrary (UNKNOWN registers, the guest's
// general-purpose registers, stack garbage): SplitMix64 keyed by (seed, name). Each value depends
// only on the seed and the name it is drawn for, never on the order of the draws, so any component
// (machineForScenario, the trap builder, a test) can recompute "the value of HPFAR_EL2 under seed 7".
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
  return splitmix64(seedHash(seed) ^ fnv1a64(name));
}

/** `size` arbitrary bytes for `name` under `seed`: block i of 8 bytes is splitmix64(value(name) + i). */
export function arbitraryBytes(seed: number | bigint, name: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  fillArbitraryBytes(out, seed, name);
  return out;
}

/** Fills `out` as arbitraryBytes(seed, name, out.length) would make it (8 bytes a step). */
export function fillArbitraryBytes(out: Uint8Array, seed: number | bigint, name: string): void {
  const size = out.length;
  const base = arbitraryValue(seed, name);
  const whole = size & ~7;
  const view = new DataView(out.buffer, out.byteOffset, size);
  for (let i = 0; i < whole; i += 8) view.setBigUint64(i, splitmix64(BigInt.asUintN(64, base + BigInt(i >> 3))), true);
  if (whole < size) {
    let v = splitmix64(BigInt.asUintN(64, base + BigInt(whole >> 3)));
    for (let j = whole; j < size; j++) {
      out[j] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
}
