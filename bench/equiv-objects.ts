// Proofs about compiled code: each real kernel object's function against its rule file (the whole
// `faultc equiv` process, and the proof alone with the solver started), next to the same rule file's
// asm-like against C-like proof in the same run, and the seed's compiled C against the seed's
// assembly. Objects that are not built (`npm run kernels`; the seed's C needs the cross gcc) are
// reported as skipped, with the reason, instead of measured.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSeedC } from "../scripts/seed-c.ts";
import { openSides } from "../src/equiv/equiv.ts";
import { prove } from "../src/equiv/prove.ts";
import { warmSolver } from "../src/equiv/smt/backend.ts";
import type { Benchmark, Figure } from "./types.ts";

const KERNELS = path.resolve(process.env.FAULTC_KERNELS_DIR ?? path.join(".cache", "kernels"));
const OBJECTS = ["arch/arm64/kvm/hyp/nvhe/switch.nvhe.o", "arch/arm64/kvm/hyp/vhe/switch.o"];

interface Pair {
  ruleFile: string;
  object: string;
  /** Compared under the rule file's contract, as `faultc equiv` does without --strict. */
  strict: false;
}

function kernelPairs(): { pairs: Pair[]; skipped: string[] } {
  const pairs: Pair[] = [];
  const skipped: string[] = [];
  for (const v of ["6.1", "6.12"]) {
    const tree = path.join(KERNELS, `linux-${v}`);
    for (const rel of OBJECTS) {
      const obj = path.join(tree, rel);
      if (existsSync(obj)) pairs.push({ ruleFile: `dsl/linux-${v}.fault`, object: `${path.relative(process.cwd(), obj)}:__get_fault_info`, strict: false });
      else skipped.push(`${obj}: not built (npm run kernels)`);
    }
  }
  return { pairs, skipped };
}

function wholeProcessMs(a: string, b: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["bin/faultc.js", "equiv", a, b, "--no-sweep"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`faultc equiv ${a} ${b} exited ${r.status}: ${r.stderr.split("\n")[0]}`);
  return performance.now() - t;
}

async function proofMs(a: string, b: string, strict: boolean): Promise<{ ms: number; calls: number; verdict: string }> {
  const [sa, sb] = await openSides(a, b);
  const t = performance.now();
  const p = await prove(sa, sb, { strict });
  return { ms: performance.now() - t, calls: p.solverCalls, verdict: p.verdict };
}

export const equivObjectsBenchmark: Benchmark = {
  name: "equiv-objects",
  description: "real objects against their rule files (whole process, proof alone) beside the rule file's asm-vs-c proof",
  async run(): Promise<Figure[]> {
    await warmSolver();
    const figures: Figure[] = [];
    const { pairs, skipped } = kernelPairs();
    for (const s of skipped) figures.push({ bench: "equiv-objects", subject: s, metric: "skipped", value: 0, runs: 0 });
    const seedPairs: { a: string; b: string }[] = [];
    try {
      const seed = buildSeedC(mkdtempSync(path.join(os.tmpdir(), "faultc-bench-seed-")));
      seedPairs.push({ a: "refs/kvm-2016-before.S", b: `${seed}:__populate_fault_info` });
    } catch (e) {
      figures.push({ bench: "equiv-objects", subject: `seed C: ${(e as Error).message.split("\n")[0]}`, metric: "skipped", value: 0, runs: 0 });
    }
    const asmVsC = new Map<string, number>();
    for (const p of pairs) {
      if (!asmVsC.has(p.ruleFile)) {
        const r = await proofMs(`${p.ruleFile}#asm`, `${p.ruleFile}#c`, true);
        asmVsC.set(p.ruleFile, r.ms);
        figures.push({ bench: "equiv-objects", subject: `${p.ruleFile}#asm ~ #c --strict: proof (${r.calls} solver calls, ${r.verdict})`, metric: "ms", value: Math.round(r.ms), runs: 1 });
      }
      const r = await proofMs(`${p.ruleFile}#c`, p.object, p.strict);
      figures.push({ bench: "equiv-objects", subject: `${p.ruleFile}#c ~ ${p.object}: proof (${r.calls} solver calls, ${r.verdict})`, metric: "ms", value: Math.round(r.ms), runs: 1 });
      figures.push({ bench: "equiv-objects", subject: `${p.ruleFile}#c ~ ${p.object}: proof / the rule file's asm-vs-c proof`, metric: "ratio", value: Math.round((r.ms / asmVsC.get(p.ruleFile)!) * 100) / 100, runs: 1 });
      figures.push({ bench: "equiv-objects", subject: `faultc equiv ${p.ruleFile}#c ${p.object} --no-sweep: whole process`, metric: "ms", value: Math.round(wholeProcessMs(`${p.ruleFile}#c`, p.object)), runs: 1 });
    }
    for (const p of seedPairs) {
      const r = await proofMs(p.a, p.b, false);
      figures.push({ bench: "equiv-objects", subject: `${p.a} ~ seed C (compiled) __populate_fault_info: proof (${r.calls} solver calls, ${r.verdict})`, metric: "ms", value: Math.round(r.ms), runs: 1 });
      figures.push({ bench: "equiv-objects", subject: `faultc equiv ${p.a} seed C --no-sweep: whole process`, metric: "ms", value: Math.round(wholeProcessMs(p.a, p.b)), runs: 1 });
    }
    return figures;
  },
};
