// The scenarios the variant-agreement tests run: every exception class, every fault status code
// for the abort classes with S1PTW clear and set, each with FAR mapped and unmapped, under every
// combination of the capabilities the handler mentions; other ESR bits and addresses random
// (seeded).
import { scenario, type Scenario } from "../../src/runtime/scenario/index.ts";

function* subsets<T>(items: readonly T[]): Generator<T[]> {
  for (let mask = 0; mask < 1 << items.length; mask++) yield items.filter((_, i) => mask & (1 << i));
}

/** A deterministic PRNG (mulberry32), so every run sees the same scenarios. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function agreementScenarios(capabilities: readonly string[], seed = 1): Scenario[] {
  const rand = prng(seed);
  const bits = (n: number) => BigInt(Math.floor(rand() * 2 ** Math.min(n, 30))) | (n > 30 ? BigInt(Math.floor(rand() * 2 ** (n - 30))) << 30n : 0n);
  const out: Scenario[] = [];
  // FAR from a few pages, any offset: the scenario machine caches the guest tables per page.
  const pages = Array.from({ length: 8 }, () => bits(35) << 12n);
  const far = () => pages[Math.floor(rand() * pages.length)] | bits(12);
  const ats = [undefined, "fault" as const, { ok: 0x8000_0000n + (bits(20) << 12n) }];
  for (const caps of subsets(capabilities)) {
    // Every EC with random ISS bits.
    for (let ec = 0n; ec < 64n; ec++) {
      const esr = (ec << 26n) | (1n << 25n) | bits(25);
      out.push(scenario({ esr, far: far(), hpfar: bits(36) << 4n, par: bits(48), at: ats[out.length % 3], caps, seed: out.length }));
    }
    // Every FSC of the abort classes, S1PTW clear and set, FAR mapped and not.
    for (const ec of [0x20n, 0x24n, 0x34n]) {
      for (let fsc = 0n; fsc < 64n; fsc++) {
        for (const s1ptw of [0n, 1n]) {
          for (const at of ats) {
            const iss = (bits(25) & ~0xbfn) | (s1ptw << 7n) | fsc;
            const esr = (ec << 26n) | (1n << 25n) | iss;
            out.push(scenario({ esr, far: far(), hpfar: bits(36) << 4n, par: bits(48), at, caps, seed: out.length }));
          }
        }
      }
    }
  }
  // ESRs with bits above 31 set (RES0 in ARMv8.0, ISS2 later).
  for (let i = 0; i < 64; i++) {
    const esr = (bits(24) << 32n) | (0x24n << 26n) | (1n << 25n) | bits(25);
    out.push(scenario({ esr, far: far(), hpfar: bits(36) << 4n, par: bits(48), at: ats[i % 3], caps: [], seed: out.length }));
  }
  return out;
}

export function resultKey(r: { outcome: string; exitCode?: bigint; fault: ReadonlyMap<string, bigint>; sysregs: ReadonlyMap<string, bigint>; parPreserved: boolean }): string {
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  return JSON.stringify({
    outcome: r.outcome,
    exitCode: r.exitCode === undefined ? null : hex(r.exitCode),
    fault: [...r.fault].map(([k, v]) => [k, hex(v)]),
    sysregs: [...r.sysregs].map(([k, v]) => [k, hex(v)]),
    parPreserved: r.parPreserved,
  });
}
