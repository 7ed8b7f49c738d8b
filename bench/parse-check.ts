// Front-end benchmarks: parse+check of each bundled rule file (with its imports) and of all of
// them in one workspace; and, on the generated 1 MB rule file, parse+check, parse only (lexer,
// parser and AST builder: parseText) and lex only, side by side, with throughput in MB/s
// (10^6 bytes per second).
//
// Files are read from disk once, up front, and served from memory, so that the figures are the
// front end's time and not the file system's. Each run uses a fresh WorkspaceLoader, so a file's
// imports are read, parsed and checked again on every run, as they are when `faultc check` starts.
import { readdirSync, readFileSync } from "node:fs";
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

function generatedFigures(): Figure[] {
  const text = generateRuleFile();
  const bytes = Buffer.byteLength(text, "utf8");
  const subject = `generated ${(bytes / 1e6).toFixed(2)} MB (bench/generate-rules.ts)`;
  const read = memoryReader(["dsl/arch/aarch64.fault", "dsl/arch/linux-kvm.fault"]);
  const phases: { bench: string; subject: Subject }[] = [
    { bench: "parse-check", subject: { name: "parse+check", run: () => expectClean(new WorkspaceLoader(read).loadText(GENERATED_PATH, text), subject) } },
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
  return phases.flatMap(({ bench, subject: s }) => {
    const t = times.get(s.name) ?? [];
    const ms = median(t);
    return [
      { bench, subject, metric: "ms_per_run", value: round(ms), runs: t.length },
      { bench, subject, metric: "mb_per_s", value: round(bytes / 1e6 / (ms / 1000)), runs: t.length },
    ];
  });
}

export const parseCheckBenchmark: Benchmark = {
  name: NAME,
  description: "front end: parse+check of each bundled rule file and of all of them; parse+check, parse only and lex only of a generated 1 MB file",
  run: async () => [...bundledFigures(), ...generatedFigures()],
};
