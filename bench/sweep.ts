// The sweep's cost: `faultc equiv X#asm X#c` as a whole process, by default (proof and sweep)
// and with --no-sweep, run side by side (each pair of runs back to back, the order alternating),
// and the ratio of the two, the median of the pairs' ratios; for each solver back end the sweep
// shares with the proof (--solver z3, the native one, and wasm, the embedded one), with the
// sweep's own figures from the default run's JSON: solver queries, classes found in the
// exploration's witnesses, path pairs and those pruned without a query, classes and scenarios.
// The first figures are issue 11's row (linux-6.15, native z3), which bench/table.ts takes.
// Each subject also gets the same ratio in CPU time (the process's and its solver's, where the
// system says: Linux's /proc), which a machine shared with other work disturbs less than wall time.
// `--quick`: that row only.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { median, round, type Benchmark, type BenchOptions, type Figure } from "./types.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const SUBJECTS: readonly { file: string; solver: "z3" | "wasm" }[] = ["dsl/linux-6.15.fault", "dsl/linux-6.12.fault", "dsl/kvm-2016.fault"].flatMap((file) => (["z3", "wasm"] as const).map((solver) => ({ file, solver })));
const RUNS = 3;

interface SweepFigures {
  scenarios: number;
  classes: number;
  queries: number;
  witnessed: number;
  pairs: number;
  pruned: number;
}

interface Run {
  ms: number;
  /** CPU time of the process and what it waited for (its solver), when the system says. */
  cpuMs?: number;
  sweep?: SweepFigures;
}

/** CPU time of this process's children waited for so far (/proc/self/stat's cutime and cstime, in clock ticks of 10 ms), or undefined off Linux. */
function childrenCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync("/proc/self/stat", "utf8");
  } catch {
    return undefined;
  }
  // After the command name (in parentheses, which may hold spaces): fields 3.. ; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function equiv(file: string, solver: string, sweep: boolean): Run {
  const args = ["bin/faultc.js", "equiv", "--json", "--solver", solver, ...(sweep ? [] : ["--no-sweep"]), `${file}#asm`, `${file}#c`];
  const t0 = performance.now();
  const c0 = childrenCpuMs();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  const c1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`faultc ${args.slice(1).join(" ")}: exit ${r.status}: ${r.stderr.slice(0, 500)}`);
  const json = JSON.parse(r.stdout) as { verdict: string; sweep?: SweepFigures & { disagreements: string[] } };
  if (json.verdict !== "equivalent") throw new Error(`faultc ${args.slice(1).join(" ")}: ${json.verdict}`);
  if ((json.sweep?.disagreements.length ?? 0) > 0) throw new Error(`faultc ${args.slice(1).join(" ")}: the sweep disagrees: ${json.sweep!.disagreements[0]}`);
  return { ms, ...(c0 !== undefined && c1 !== undefined ? { cpuMs: c1 - c0 } : {}), ...(json.sweep ? { sweep: json.sweep } : {}) };
}

export const sweepBenchmark: Benchmark = {
  name: "sweep",
  description: "faultc equiv with the sweep against --no-sweep, whole processes side by side, on the native and the embedded solver",
  async run(options: BenchOptions = {}): Promise<Figure[]> {
    const figures: Figure[] = [];
    for (const { file, solver } of options.quick ? SUBJECTS.slice(0, 1) : SUBJECTS) {
      const subject = `faultc equiv ${file}#asm ${file}#c --solver ${solver}`;
      const withSweep: Run[] = [];
      const withoutRuns: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternate which goes first, so that drift touches both alike.
        if (i % 2 === 0) {
          withSweep.push(equiv(file, solver, true));
          withoutRuns.push(equiv(file, solver, false));
        } else {
          withoutRuns.push(equiv(file, solver, false));
          withSweep.push(equiv(file, solver, true));
        }
      }
      const without = withoutRuns.map((r) => r.ms);
      const ratios = withSweep.map((r, i) => r.ms / without[i]);
      const s = withSweep[0].sweep;
      figures.push({ bench: "sweep", subject: `${subject} (default)`, metric: "ms", value: round(median(withSweep.map((r) => r.ms))), runs: RUNS });
      figures.push({ bench: "sweep", subject: `${subject} --no-sweep`, metric: "ms", value: round(median(without)), runs: RUNS });
      figures.push({ bench: "sweep", subject: `${subject}: default / --no-sweep (goal <= 1.2)`, metric: "ratio", value: round(median(ratios)), runs: RUNS });
      const cpu = withSweep.map((r, i) => [r.cpuMs, withoutRuns[i].cpuMs]);
      if (cpu.every(([x, y]) => x !== undefined && y !== undefined && y > 0)) {
        figures.push({ bench: "sweep", subject: `${subject} (default), CPU with the solver's`, metric: "cpu_ms", value: round(median(cpu.map(([x]) => x!))), runs: RUNS });
        figures.push({ bench: "sweep", subject: `${subject} --no-sweep, CPU with the solver's`, metric: "cpu_ms", value: round(median(cpu.map(([, y]) => y!))), runs: RUNS });
        figures.push({ bench: "sweep", subject: `${subject}: default / --no-sweep in CPU time`, metric: "ratio", value: round(median(cpu.map(([x, y]) => x! / y!))), runs: RUNS });
      }
      if (s !== undefined) {
        figures.push({ bench: "sweep", subject: `${subject}: the sweep's solver queries (${s.pairs} path pairs, ${s.pruned} pruned without one; ${s.classes} classes, ${s.witnessed} of them in the exploration's witnesses; ${s.scenarios} scenarios)`, metric: "queries", value: s.queries, runs: 1 });
      }
    }
    return figures;
  },
};
