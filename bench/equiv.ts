// Equivalence: proof time per pair (z3's WebAssembly initialisation measured apart) on each solver
// back end (z3-solver in WebAssembly, native z3 and cvc5 when on PATH; solver calls beside it),
// with the yardstick of a whole process (node, z3 init and one 64-bit query) measured in the same
// run; sweep scenarios per second for each pair (both sides run per scenario), and the ratio of
// proof time to sweep time for the same pair. Medians over repetitions, pairs side by side.
import { spawnSync } from "node:child_process";
import { onPath, type SolverChoice } from "../src/equiv/smt/backend.ts";
import { openSide } from "../src/sides/open.ts";
import { prove, releaseProof } from "../src/equiv/prove.ts";
import { sweep } from "../src/equiv/sweep.ts";
import { warmSolver } from "../src/equiv/smt/backend.ts";
import type { Benchmark, Figure } from "./types.ts";

const PAIRS: { a: string; b: string; strict: boolean }[] = [
  { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016.fault#c", strict: false },
  { a: "ref:kvm-2016-after", b: "dsl/kvm-2016.fault#c", strict: true },
  { a: "dsl/kvm-2016.fault#asm", b: "dsl/kvm-2016.fault#c", strict: true },
  { a: "dsl/kvm-2016-el1-sync.fault#asm", b: "dsl/kvm-2016-el1-sync.fault#c", strict: true },
  { a: "dsl/linux-6.15.fault#asm", b: "dsl/linux-6.15.fault#c", strict: true },
  { a: "dsl/xen.fault#asm", b: "dsl/xen.fault#c", strict: true },
];
const RUNS = 2;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const equivBenchmark: Benchmark = {
  name: "equiv",
  description: "proof time per pair, sweep scenarios/s, proof/sweep ratio",
  async run(): Promise<Figure[]> {
    const t0 = performance.now();
    await warmSolver();
    const figures: Figure[] = [{ bench: "equiv", subject: "solver start (once per process; the embedded z3-solver initialised only when it answers)", metric: "ms", value: Math.round(performance.now() - t0), runs: 1 }];
    const yard: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const t = performance.now();
      spawnSync(process.execPath, ["bench/z3-one-query.mjs"], { stdio: "ignore" });
      yard.push(performance.now() - t);
    }
    figures.push({ bench: "equiv-yardstick", subject: "node + z3 init + one 64-bit query (bench/z3-one-query.mjs), whole process", metric: "ms", value: Math.round(median(yard)), runs: RUNS });
    const backends: SolverChoice[] = ["wasm", ...(["z3", "cvc5"] as const).filter((n) => onPath(n) !== undefined)];
    for (const backend of backends) {
      const ms = new Map<string, number[]>();
      const calls = new Map<string, number>();
      for (let run = 0; run < RUNS; run++) {
        for (const p of PAIRS) {
          const key = `${p.a} ~ ${p.b}${p.strict ? " --strict" : ""}`;
          const a = await openSide(p.a);
          const b = await openSide(p.b);
          const t = performance.now();
          const proof = await prove(a, b, { strict: p.strict, solver: backend });
          ms.set(key, [...(ms.get(key) ?? []), performance.now() - t]);
          calls.set(key, proof.solverCalls);
          releaseProof(proof);
        }
      }
      for (const [key, xs] of ms) {
        figures.push({ bench: "equiv-proof-backend", subject: `${key} [${backend}]`, metric: "ms", value: Math.round(median(xs)), runs: RUNS, extra: { backend, solver_calls: calls.get(key), goal: "<= 200 ms" } });
      }
    }
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
        releaseProof(proof);
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
