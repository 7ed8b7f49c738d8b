// `npm run bench` (bin/faultc-bench.js): runs every benchmark module, or the one named by
// `--only NAME` (`--quick`: fewer repetitions where a module offers it), and prints one JSON
// line per figure on stdout:
//   {"bench":"parse-check","subject":"dsl/kvm-2016.fault","metric":"ms_per_run","value":1.23,"runs":200}
// Figures are medians of timed repetitions after a warm-up; nothing here asserts a time.
//
// To add a benchmark: write a module under bench/ that exports a `Benchmark`
// ({ name, description, run(): Promise<Figure[]> }) and add it to `benchmarks` below.
import { codegenBenchmark } from "./codegen.ts";
import { diffBenchmark } from "./diff.ts";
import { equivBenchmark } from "./equiv.ts";
import { equivObjectsBenchmark } from "./equiv-objects.ts";
import { mmuWalksBenchmark } from "./mmu-walks.ts";
import { objectBenchmark } from "./object.ts";
import { oracleBenchmark } from "./oracle.ts";
import { parseCheckBenchmark } from "./parse-check.ts";
import { runtimeBenchmark } from "./runtime.ts";
import { sweepBenchmark } from "./sweep.ts";
import { tableBenchmark } from "./table.ts";
import type { Benchmark, Figure } from "./types.ts";

export type { Benchmark, Figure } from "./types.ts";

export const benchmarks: readonly Benchmark[] = [parseCheckBenchmark, mmuWalksBenchmark, runtimeBenchmark, objectBenchmark, codegenBenchmark, equivBenchmark, equivObjectsBenchmark, sweepBenchmark, oracleBenchmark, tableBenchmark, diffBenchmark];

export interface BenchIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processIo: BenchIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

type Parsed = { ok: true; only: Set<string> | undefined; quick: boolean } | { ok: false; error: string };

function parseArgs(argv: readonly string[], known: readonly Benchmark[]): Parsed {
  const names = known.map((b) => b.name);
  let only: Set<string> | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let value: string | undefined;
    if (a === "--quick") {
      quick = true;
      continue;
    } else if (a === "--only") {
      value = argv[++i];
      if (value === undefined) return { ok: false, error: `--only needs a benchmark name (one of: ${names.join(", ")})` };
    } else if (a.startsWith("--only=")) {
      value = a.slice("--only=".length);
    } else {
      return { ok: false, error: `unknown argument '${a}' (usage: npm run bench [-- [--quick] [--only NAME]], NAME one of: ${names.join(", ")})` };
    }
    if (!names.includes(value)) return { ok: false, error: `unknown benchmark '${value}' (one of: ${names.join(", ")})` };
    (only ??= new Set()).add(value);
  }
  return { ok: true, only, quick };
}

/** Runs the benchmarks and prints their figures. Exit code: 0, or 2 for bad arguments. */
export async function runBenchmarks(argv: string[], io: BenchIo = processIo, registry: readonly Benchmark[] = benchmarks): Promise<number> {
  const parsed = parseArgs(argv, registry);
  if (!parsed.ok) {
    io.err(`faultc-bench: ${parsed.error}`);
    return 2;
  }
  for (const b of registry) {
    if (parsed.only !== undefined && !parsed.only.has(b.name)) continue;
    const figures: Figure[] = await b.run({ quick: parsed.quick });
    for (const f of figures) io.out(JSON.stringify({ bench: f.bench, subject: f.subject, metric: f.metric, value: f.value, runs: f.runs, ...f.extra }));
  }
  return 0;
}
