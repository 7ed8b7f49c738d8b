// Front-end benchmarks: parse+check of each bundled rule file (with its imports) and of all of
// them in one workspace; on the generated 1 MB rule file, parse+check, parse only (lexer, parser
// and AST builder: parseText; also with chevrotain's grammar reading every declaration) and lex
// only, side by side, with throughput in MB/s (10^6 bytes per second); parse+check of
// generated files of 100 KB, 3 MB and 10 MB, to show how time grows
// with size; and, for each size, a fresh process that checks the file from disk once, as
// `faultc check` does, with its time and its peak memory in bytes per byte of input.
//
// Files are read from disk once, up front, and served from memory, so that the figures are the
// front end's time and not the file system's. Each run uses a fresh WorkspaceLoader, so a file's
// imports are read, parsed and checked again on every run, as they are when `faultc check` starts.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseText } from "../src/parser/parse.ts";
import { ruleLexer } from "../src/parser/tokens.ts";
import { WorkspaceLoader, type ReadBytes, type Workspace } from "../src/parser/workspace.ts";
import { generateRuleFile, GENERATED_PATH } from "./generate-rules.ts";
import { median, round, timeSideBySide, type Benchmark, type Figure, type Subject } from "./types.ts";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const NAME = "parse-check";

/** Bundled rule files, repo-relative with `/`: dsl/*.fault, then dsl/arch/*.fault. */
export function bundledRuleFiles(): string[] {
  const list = (dir: string) =>
    readdirSync(path.join(repoRoot, dir))
      .filter((f) => f.endsWith(".fault"))
      .sort()
      .map((f) => `${dir}/${f}`);
  return [...list("dsl"), ...list("dsl/arch")];
}

/** Reads every .fault file under dsl/ once and serves the bytes from memory. */
function memoryReader(files: readonly string[]): ReadBytes {
  const bytes = new Map<string, Uint8Array>();
  for (const f of files) bytes.set(path.join(repoRoot, f), readFileSync(path.join(repoRoot, f)));
  return (file) => bytes.get(path.resolve(file));
}

function expectClean(ws: Workspace, what: string): Workspace {
  const errors = ws.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${what} does not check clean: ${errors[0].file}:${errors[0].range.start.line}: ${errors[0].message}`);
  return ws;
}

function msFigures(bench: string, times: Map<string, number[]>, subjects: readonly Subject[]): Figure[] {
  return subjects.map((s) => {
    const t = times.get(s.name) ?? [];
    return { bench, subject: s.name, metric: "ms_per_run", value: round(median(t)), runs: t.length };
  });
}

function bundledFigures(): Figure[] {
  const files = bundledRuleFiles();
  const read = memoryReader(files);
  const abs = (f: string) => path.join(repoRoot, f);
  const subjects: Subject[] = [
    ...files.map((f) => ({ name: f, run: () => expectClean(new WorkspaceLoader(read).load([abs(f)]), f) })),
    { name: `all ${files.length} bundled files together`, run: () => expectClean(new WorkspaceLoader(read).load(files.map(abs)), "the bundled files") },
  ];
  return msFigures(NAME, timeSideBySide(subjects, { warmup: 20, runs: 200 }), subjects);
}

const ARCH_FILES = ["dsl/arch/aarch64.fault", "dsl/arch/linux-kvm.fault"];

function sizeName(bytes: number): string {
  return `generated ${(bytes / 1e6).toFixed(2)} MB (bench/generate-rules.ts)`;
}

function parseCheckSubject(text: string, subject: string): Subject {
  const read = memoryReader(ARCH_FILES);
  return { name: "parse+check", run: () => expectClean(new WorkspaceLoader(read).loadText(GENERATED_PATH, text), subject) };
}

function throughput(bench: string, subject: string, bytes: number, t: readonly number[]): Figure[] {
  const ms = median(t);
  return [
    { bench, subject, metric: "ms_per_run", value: round(ms), runs: t.length },
    { bench, subject, metric: "mb_per_s", value: round(bytes / 1e6 / (ms / 1000)), runs: t.length },
  ];
}

/** The 1 MB file: parse+check, parse only and lex only, side by side. */
function generatedFigures(): Figure[] {
  const text = generateRuleFile();
  const bytes = Buffer.byteLength(text, "utf8");
  const subject = sizeName(bytes);
  const phases: { bench: string; subject: Subject }[] = [
    { bench: "parse-check", subject: parseCheckSubject(text, subject) },
    {
      bench: "parse-only",
      subject: {
        name: "parse only",
        run: () => {
          const r = parseText(GENERATED_PATH, text);
          if (r.ast === undefined) throw new Error(`${subject} does not parse`);
          return r;
        },
      },
    },
    { bench: "lex-only", subject: { name: "lex only", run: () => ruleLexer.tokenize(text).tokens.length } },
  ];
  const times = timeSideBySide(
    phases.map((p) => p.subject),
    { warmup: 1, runs: 5 },
  );
  return phases.flatMap(({ bench, subject: s }) => throughput(bench, subject, bytes, times.get(s.name) ?? []));
}

/** Other sizes, parse+check only: fewer runs as files grow. */
const OTHER_SIZES = [
  { targetBytes: 100_000, runs: 20 },
  { targetBytes: 3_000_000, runs: 3 },
  { targetBytes: 10_000_000, runs: 2 },
];

function sizeFigures(): Figure[] {
  return OTHER_SIZES.flatMap(({ targetBytes, runs }) => {
    const text = generateRuleFile({ targetBytes });
    const bytes = Buffer.byteLength(text, "utf8");
    const subject = parseCheckSubject(text, sizeName(bytes));
    return throughput(NAME, sizeName(bytes), bytes, timeSideBySide([subject], { warmup: 1, runs }).get(subject.name) ?? []);
  });
}

interface CheckOnce {
  bytes: number;
  ms: number;
  rssBefore: number;
  peakRss: number;
  errors: number;
}

/**
 * Each size checked once in a fresh process, from disk, with the rule files it imports beside it:
 * wall time (start-up excluded), peak resident memory, and the peak's growth over the process
 * before it read the file, per byte of input (the figure issue 9 bounds: under 100 at 10 MB).
 */
function freshProcessFigures(): Figure[] {
  const dir = mkdtempSync(path.join(tmpdir(), "faultc-bench-"));
  try {
    mkdirSync(path.join(dir, "arch"));
    for (const f of ARCH_FILES) copyFileSync(path.join(repoRoot, f), path.join(dir, "arch", path.basename(f)));
    return [100_000, 1_050_000, 3_000_000, 10_000_000].flatMap((targetBytes) => {
      const file = path.join(dir, `generated-${targetBytes}.fault`);
      writeFileSync(file, generateRuleFile({ targetBytes }));
      const child = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "bench", "check-once.ts"), file], { cwd: repoRoot, encoding: "utf8" });
      if (child.status !== 0) throw new Error(`bench/check-once.ts failed on ${targetBytes} bytes: ${child.stderr.split("\n")[0]}`);
      const r = JSON.parse(child.stdout) as CheckOnce;
      if (r.errors > 0) throw new Error(`the generated ${targetBytes}-byte file does not check clean`);
      const bench = "check-fresh-process";
      const subject = sizeName(r.bytes);
      return [
        { bench, subject, metric: "ms", value: round(r.ms), runs: 1 },
        { bench, subject, metric: "peak_rss_mb", value: round(r.peakRss / 1e6), runs: 1 },
        { bench, subject, metric: "peak_growth_bytes_per_input_byte", value: round((r.peakRss - r.rssBefore) / r.bytes), runs: 1 },
      ];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const parseCheckBenchmark: Benchmark = {
  name: NAME,
  description:
    "front end: parse+check of each bundled rule file and of all of them; parse+check, parse only and lex only of a generated 1 MB file; parse+check at 100 KB, 3 MB and 10 MB; a fresh process per size with its peak memory",
  run: async () => [...bundledFigures(), ...generatedFigures(), ...sizeFigures(), ...freshProcessFigures()],
};
