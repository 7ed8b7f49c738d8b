// Equivalence: proof time per pair (z3's WebAssembly initialisation measured apart), sweep
// scenarios per second for each pair (both sides run per scenario), and the ratio of proof time
// to sweep time for the same pair. Medians over repetitions, pairs measured side by side.
import { openSide } from "../src/sides/open.ts";
import { prove } from "../src/equiv/prove.ts";
import { sweep } from "../src/equiv/sweep.ts";
import { z3Context } from "../src/equiv/z3.ts";
import type { Benchmark, Figure } from "./types.ts";

const PAIRS: { a: string; b: string; strict: boolean }[] = [
  { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016.fault#c", strict: false },
  { a: "ref:kvm-2016-after", b: "dsl/kvm-2016.fault#c", strict: true },
  { a: "dsl/kvm-2016.fault#asm", b: "dsl/kvm-2016.fault#c", strict: true },
  { a: "dsl/kvm-2016-el1-sync.fault#asm", b: "dsl/kvm-2016-el1-sync.fault#c", strict: true },
  { a: "dsl/linux-6.15.fault#asm", b: "dsl/linux-6.15.fault#c", strict: true },
  { a: "dsl/xen.fault#asm", b: "dsl/xen.fault#c", strict: true },
];
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const equivBenchmark: Benchmark = {
  name: "equiv",
  description: "proof time per pair, sweep scenarios/s, proof/sweep ratio",
  async run(): Promise<Figure[]> {
    const t0 = performance.now();
    await z3Context();
    const figures: Figure[] = [{ bench: "equiv", subject: "z3 initialisation (once per process)", metric: "ms", value: Math.round(performance.now() - t0), runs: 1 }];
    const proofMs = new Map<string, number[]>();
    const sweepMs = new Map<string, number[]>();
    const sweepN = new Map<string, number>();
    for (let run = 0; run < RUNS; run++) {
      for (const p of PAIRS) {
        const key = `${p.a} ~ ${p.b}${p.strict ? " --strict" : ""}`;
        const a = await openSide(p.a);
        const b = await openSide(p.b);
        let t = performance.now();
        const proof = await prove(a, b, { strict: p.strict });
        proofMs.set(key, [...(proofMs.get(key) ?? []), performance.now() - t]);
        t = performance.now();
        const s = await sweep(a, b, proof, { fills: 2, strict: p.strict });
        sweepMs.set(key, [...(sweepMs.get(key) ?? []), performance.now() - t]);
        sweepN.set(key, s.scenarios);
      }
    }
    for (const [key, ms] of proofMs) {
      const proof = median(ms);
      const sw = median(sweepMs.get(key)!);
      const n = sweepN.get(key)!;
      figures.push({ bench: "equiv-proof", subject: key, metric: "ms", value: Math.round(proof), runs: RUNS });
      figures.push({ bench: "equiv-sweep", subject: `${key} (${n} scenarios, both sides each)`, metric: "scenarios_per_s", value: Math.round((n / sw) * 1000 * 10) / 10, runs: RUNS });
      figures.push({ bench: "equiv-ratio", subject: key, metric: "proof_ms_per_sweep_ms", value: Math.round((proof / sw) * 100) / 100, runs: RUNS });
    }
    return figures;
  },
};
