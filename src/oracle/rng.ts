// A seeded stream of numbers for the set-up generators: SplitMix64 over a counter, so that a
// (seed, index) pair always gives the same set-up.
import { splitmix64 } from "../runtime/scenario/prng.ts";

const MASK64 = (1n << 64n) - 1n;

export class Rng {
  private counter = 0n;
  private readonly base: bigint;

  constructor(seed: number | bigint, stream: string | number = 0) {
    let h = splitmix64(BigInt(seed) & MASK64);
    for (const c of String(stream)) h = splitmix64(h ^ BigInt(c.charCodeAt(0)));
    this.base = h;
  }

  /** 64 uniformly distributed bits. */
  next64(): bigint {
    this.counter += 1n;
    return splitmix64((this.base + this.counter) & MASK64);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int(${n})`);
    return Number(this.next64() % BigInt(n));
  }

  /** A bigint in [0, n). */
  below(n: bigint): bigint {
    if (n <= 0n) throw new RangeError(`Rng.below(${n})`);
    return this.next64() % n;
  }

  chance(p: number): boolean {
    return Number(this.next64() >> 11n) / 2 ** 53 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}
