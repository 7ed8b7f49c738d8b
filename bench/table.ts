// The table of issue 11 ("fast enough to run on every save"): one JSON line per row, faultc's
// figure beside its yardstick measured in the same run, their ratio and the goal:
//   {"bench":"table","subject":"faultc --help","metric":"ms","value":410,"runs":5,
//    "yardstick":"node -e 'import(\"chevrotain\")'","yardstick_value":520,"ratio":0.79,"goal":"<= 1.2x","meets":true,"code":"compiled"}
// Rows measured here run the command as a user does (a fresh `node bin/faultc.js` process, which
// runs dist/ when it is current, else the sources: `code` says which) paired with the yardstick,
// each repetition running both back to back, and the ratio is the median of the pairs' ratios (the
// machine is shared: a pair sees the same load). The rows whose code other modules own take
// those modules' figures as they measure them: bench/sweep.ts (default run vs --no-sweep),
// bench/runtime.ts (the C-like variant vs the emitted .c natively), bench/oracle.ts (the model vs
// QEMU per trap and per AT set-up). `--quick` runs fewer repetitions and one rule file's proof.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundledRuleFiles } from "../src/cli/bundled.ts";
import { prove } from "../src/equiv/prove.ts";
import { warmSolver } from "../src/equiv/smt/backend.ts";
import { WorkspaceLoader } from "../src/parser/workspace.ts";
import { openSide } from "../src/sides/open.ts";
import { generateRuleFile, GENERATED_PATH } from "./generate-rules.ts";
import { oracleBenchmark } from "./oracle.ts";
import { runtimeBenchmark } from "./runtime.ts";
import { sweepBenchmark } from "./sweep.ts";
import { median, round, type Benchmark, type BenchOptions, type Figure } from "./types.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const NAME = "table";

interface Row {
  measure: string;
  unit: string;
  value: number;
  runs: number;
  yardstick?: string;
  yardstickValue?: number;
  /** faultc / yardstick, or for "x faster" rows yardstick / faultc; undefined without a yardstick. */
  ratio?: number;
  goal: string;
  meets: boolean;
}

/** Which code `node bin/faultc.js` runs now: the compiled dist/ or the sources (bin/compiled.js). */
async function codeRun(): Promise<string> {
  const compiled = (await import(new URL("../bin/compiled.js", import.meta.url).href)) as { staleness(name: string): string | undefined };
  const why = compiled.staleness("faultc");
  return why === undefined ? "compiled" : `sources through tsx (${why})`;
}

function figure(r: Row, code: string): Figure {
  return {
    bench: NAME,
    subject: r.measure,
    metric: r.unit,
    value: round(r.value),
    runs: r.runs,
    extra: {
      ...(r.yardstick !== undefined ? { yardstick: r.yardstick, yardstick_value: round(r.yardstickValue ?? NaN) } : {}),
      ...(r.ratio !== undefined ? { ratio: round(r.ratio) } : {}),
      goal: r.goal,
      meets: r.meets,
      code,
    },
  };
}

/** One process: its wall time in ms. A non-zero exit is the bench's error (nothing measured wrong). */
function timed(argv: string[], okCodes: readonly number[] = [0]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`node ${argv.join(" ")}: exit ${r.status}: ${(r.stderr ?? "").split("\n")[0]}`);
  return ms;
}

/** Runs `a` and `b` back to back `runs` times (order alternating); medians and the median ratio a/b. */
function paired(a: () => number, b: () => number, runs: number): { a: number; b: number; ratio: number } {
  a();
  b(); // warm-up: the page cache, the build cache
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = a();
      y = b();
    } else {
      y = b();
      x = a();
    }
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const faultc = (...args: string[]) => ["bin/faultc.js", ...args];
const CHEVROTAIN = ["-e", 'import("chevrotain")'];

function startupRows(runs: number): Row[] {
  const files = bundledRuleFiles(path.join(ROOT, "dsl")).map((f) => path.relative(ROOT, f));
  const help = paired(() => timed(faultc("--help")), () => timed(CHEVROTAIN), runs);
  const check = paired(() => timed(faultc("check", ...files)), () => timed(CHEVROTAIN), runs);
  const out = mkdtempSync(path.join(tmpdir(), "faultc-bench-table-"));
  let build;
  try {
    timed(faultc("build", "--out", out)); // the first build writes everything; the timed ones find nothing changed
    build = paired(() => timed(faultc("build", "--out", out)), () => timed(faultc("check", ...files)), runs);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const yard = "node -e 'import(\"chevrotain\")'";
  return [
    { measure: `faultc check of the bundled files (${files.length})`, unit: "ms", value: check.a, runs, yardstick: yard, yardstickValue: check.b, ratio: check.ratio, goal: "<= 1.5x", meets: check.ratio <= 1.5 },
    { measure: "faultc --help", unit: "ms", value: help.a, runs, yardstick: yard, yardstickValue: help.b, ratio: help.ratio, goal: "<= 1.2x", meets: help.ratio <= 1.2 },
    { measure: "faultc build, nothing changed (bundled files, an output folder of its own)", unit: "ms", value: build.a, runs, yardstick: "faultc check of the bundled files", yardstickValue: build.b, ratio: build.ratio, goal: "<= 1.2x", meets: build.ratio <= 1.2 },
  ];
}

function equivProcessRows(files: readonly string[]): Row[] {
  return files.map((file) => {
    const r = paired(() => timed(faultc("equiv", `${file}#asm`, `${file}#c`, "--strict")), () => timed(["bench/z3-one-query.mjs"]), 1);
    return { measure: `faultc equiv ${file}#asm ${file}#c --strict, whole process`, unit: "ms", value: r.a, runs: 1, yardstick: "node + z3 init + one 64-bit query (bench/z3-one-query.mjs)", yardstickValue: r.b, ratio: r.ratio, goal: "<= 2x", meets: r.ratio <= 2 };
  });
}

async function proofRows(files: readonly string[], runs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const file of files) {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      await warmSolver(); // the solver started apart, as the row says: its process up and its first check done
      const a = await openSide(`${file}#asm`);
      const b = await openSide(`${file}#c`);
      const t0 = performance.now();
      await prove(a, b, { strict: true });
      ms.push(performance.now() - t0);
    }
    const m = median(ms);
    rows.push({ measure: `proof alone (solver started apart), ${file}#asm ~ #c --strict`, unit: "ms", value: m, runs, goal: "<= 200 ms", meets: m <= 200 });
  }
  return rows;
}

function parseRows(quick: boolean): Row[] {
  const arch = ["dsl/arch/aarch64.fault", "dsl/arch/linux-kvm.fault"];
  const bytes = new Map(arch.map((f) => [path.join(ROOT, f), readFileSync(path.join(ROOT, f))]));
  const read = (f: string) => bytes.get(path.resolve(f));
  const time = (targetBytes: number, runs: number): { ms: number; size: number } => {
    const text = generateRuleFile({ targetBytes });
    const ms: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const ws = new WorkspaceLoader(read).loadText(GENERATED_PATH, text);
      if (i > 0) ms.push(performance.now() - t0);
      if (ws.diagnostics.some((d) => d.severity === "error")) throw new Error(`the generated ${targetBytes}-byte rule file does not check clean`);
    }
    return { ms: median(ms), size: Buffer.byteLength(text) };
  };
  const small = time(100_000, quick ? 3 : 7);
  const mb = time(1_000_000, quick ? 2 : 5);
  const rows: Row[] = [
    { measure: `parse+check, generated 1 MB rule file (${mb.size} bytes)`, unit: "ms", value: mb.ms, runs: quick ? 2 : 5, yardstick: `parse+check, generated 100 KB (${small.size} bytes)`, yardstickValue: small.ms, ratio: mb.ms / small.ms, goal: "<= 500 ms, linear", meets: mb.ms <= 500 },
  ];
  if (!quick) {
    const big = time(10_000_000, 1);
    const perByte = big.ms / big.size / (mb.ms / mb.size);
    rows.push({ measure: `parse+check, generated 10 MB rule file (${big.size} bytes)`, unit: "ms", value: big.ms, runs: 1, yardstick: "parse+check, generated 1 MB, per byte", yardstickValue: mb.ms, ratio: perByte, goal: "linear to 10 MB (time per byte <= 1.2x 1 MB's)", meets: perByte <= 1.2 });
  }
  return rows;
}

/** A figure another module printed, by subject prefix and metric; undefined if it did not. */
function pick(figures: readonly Figure[], test: (f: Figure) => boolean): Figure | undefined {
  return figures.find(test);
}

async function othersRows(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  if (!quick) {
    const sweep = await sweepBenchmark.run();
    const ratio = pick(sweep, (f) => f.metric.includes("ratio"));
    const def = pick(sweep, (f) => f.metric === "ms" && !f.subject.includes("--no-sweep"));
    const no = pick(sweep, (f) => f.metric === "ms" && f.subject.includes("--no-sweep"));
    if (ratio !== undefined) rows.push({ measure: `default run vs --no-sweep (bench/sweep.ts: ${ratio.subject})`, unit: "ms", value: def?.value ?? NaN, runs: ratio.runs, yardstick: "the same with --no-sweep", yardstickValue: no?.value ?? NaN, ratio: ratio.value, goal: "<= 1.2x", meets: ratio.value <= 1.2 });
  }
  const runtime = await runtimeBenchmark.run();
  const model = pick(runtime, (f) => f.subject.includes("C-like variant on the model (") && f.metric === "scenarios_per_s");
  const native = pick(runtime, (f) => f.subject.includes("native (yardstick"));
  if (model !== undefined) {
    rows.push({ measure: `C-like variant through the model (bench/runtime.ts: ${model.subject})`, unit: "scenarios_per_s", value: model.value, runs: model.runs, ...(native ? { yardstick: native.subject, yardstickValue: native.value, ratio: native.value / model.value } : {}), goal: ">= 100,000/s", meets: model.value >= 100_000 });
  }
  if (!quick) {
    const oracle = await oracleBenchmark.run();
    for (const [what, batch, goal] of [
      ["traps through dsl/kvm-2016.fault", "36 per boot", 20],
      ["AT: 100 set-ups", "100", 30],
    ] as const) {
      const of = (metric: string) => pick(oracle, (f) => f.subject.startsWith(what) && f.subject.includes(batch) && f.metric === metric);
      const m = of("model_ms_per_scenario");
      const q = of("qemu_ms_per_scenario");
      const r = of("qemu_to_model_ratio");
      if (m !== undefined && q !== undefined && r !== undefined) {
        rows.push({ measure: `model, per ${what.startsWith("AT") ? "AT set-up" : "trap"} (bench/oracle.ts: ${m.subject})`, unit: "ms", value: m.value, runs: m.runs, yardstick: "QEMU, per scenario in the same batch", yardstickValue: q.value, ratio: r.value, goal: `model >= ${goal}x faster`, meets: r.value >= goal });
      }
    }
  }
  return rows;
}

function npmStartRow(): Row {
  const ms = timed(faultc("main"), [0, 1]);
  return { measure: "npm start (faultc main), whole process", unit: "ms", value: ms, runs: 1, goal: "-", meets: true };
}

export const tableBenchmark: Benchmark = {
  name: NAME,
  description: "issue 11's table: each row's faultc figure, its yardstick measured in the same run, the ratio and the goal; npm start; --quick for fewer repetitions",
  async run(options: BenchOptions = {}): Promise<Figure[]> {
    const quick = options.quick === true;
    const code = await codeRun();
    const proofFiles = quick ? ["dsl/kvm-2016.fault"] : bundledRuleFiles(path.join(ROOT, "dsl")).map((f) => path.relative(ROOT, f));
    const rows: Row[] = [
      ...equivProcessRows(proofFiles),
      ...(await proofRows(proofFiles, quick ? 1 : 3)),
      ...startupRows(quick ? 3 : 5),
      ...(await othersRows(quick)),
      ...parseRows(quick),
      ...(quick ? [] : [npmStartRow()]),
    ];
    return rows.map((r) => figure(r, code));
  },
};
