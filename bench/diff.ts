// The cost of `faultc diff`: for each committed pair of docs/HISTORY.md (src/diff/history.ts,
// the same options), the whole process's wall time and the solver calls its JSON report counts.
// One run per pair: a diff of two kernel versions takes minutes.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { HISTORY, type HistoryPair } from "../src/diff/history.ts";
import { round, type Benchmark, type Figure } from "./types.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

function args(p: HistoryPair): string[] {
  return ["bin/faultc.js", "diff", "--json", ...(p.map ?? []).flatMap((m) => ["--map", m]), ...(p.mapping ?? []).flatMap((m) => ["--map-outcome", m]), p.a, p.b];
}

export const diffBenchmark: Benchmark = {
  name: "diff",
  description: "faultc diff of each committed pair of docs/HISTORY.md: wall time and solver calls",
  async run(): Promise<Figure[]> {
    const figures: Figure[] = [];
    for (const p of HISTORY) {
      const argv = args(p);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20 });
      const ms = performance.now() - t0;
      // 0 nothing differs, 1 rows, 3 undecided (still a figure, said in the line).
      if (r.status !== 0 && r.status !== 1 && r.status !== 3) throw new Error(`faultc ${argv.slice(1).join(" ")}: exit ${r.status}: ${r.stderr.slice(0, 500)}`);
      const json = JSON.parse(r.stdout) as { verdict: string; rows: unknown[]; solverCalls: number };
      const subject = `faultc ${argv.slice(1).join(" ")} (${json.verdict}, ${json.rows.length} rows)`;
      figures.push({ bench: "diff", subject, metric: "ms", value: round(ms), runs: 1 });
      figures.push({ bench: "diff", subject, metric: "solver_calls", value: json.solverCalls, runs: 1 });
    }
    return figures;
  },
};
