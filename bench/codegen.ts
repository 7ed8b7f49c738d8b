// Code generation and the generated variants:
//  - `faultc build` of the bundled rule files (in process, through the CLI's main), cold (a fresh
//    output folder: every file written) and with nothing changed (the same folder again: every
//    file generated in memory, compared, none written), side by side;
//  - per-backend emission time for one rule file (.c.ts, .asm.ts, .S, .c), after checking and
//    lowering it once; and, for contrast, what one ts-morph type check of the emitted .c.ts would
//    cost. The TypeScript emitters build ts-morph structures, print once and format once with
//    prettier; they never ask ts-morph for a program, a type checker or diagnostics. This module
//    counts those calls while it times the emitters and fails if there is any;
//  - scenarios per second of each variant of each bundled rule file's handlers (asm-like on the
//    model's interpreter, C-like through HypApi), and of the seed's references
//    (refs/kvm-2016-before.S as an AssemblyTarget, refs/kvm-2016-after.ts as a FunctionTarget),
//    over one fixed mix of scenarios (test/codegen/scenarios.ts, every tenth).
// Medians over timed repetitions after a warm-up.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Project, SourceFile } from "ts-morph";
import * as after from "../refs/kvm-2016-after.ts";
import { main } from "../src/cli/main.ts";
import { bundledRuleFiles } from "../src/cli/bundled.ts";
import { emitAsmModule } from "../src/codegen/asm/asm-module.ts";
import { assembleModule } from "../src/codegen/asm/program.ts";
import "../src/codegen/backends.ts";
import { emitKernelAsm } from "../src/codegen/c/asm-file.ts";
import { emitKernelC } from "../src/codegen/c/emit.ts";
import { emitCVariant } from "../src/codegen/ts/c-variant.ts";
import { compileRuleFile } from "../src/codegen/compile.ts";
import { AssemblyTarget, FunctionTarget, type HandlerFunction } from "../src/runtime/run/index.ts";
import { asmVariantTarget, cVariantTarget, recordLayout } from "../src/sides/rule-file.ts";
import type { HandlerTarget } from "../src/runtime/run/types.ts";
import type { Scenario } from "../src/runtime/scenario/index.ts";
import { agreementScenarios } from "../test/codegen/scenarios.ts";
import { median, round, timeSideBySide, type Benchmark, type Figure } from "./types.ts";

const NAME = "codegen";
const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const BUILD_RUNS = 7;
const EMIT_RUNS = 15;
const SCENARIO_RUNS = 7;
/** The rule file whose per-backend emission is timed. */
const EMIT_FILE = "dsl/kvm-2016.fault";

const silent = { stdout: () => undefined, stderr: () => undefined };

/** Times async subjects side by side (as timeSideBySide does for sync ones); milliseconds per run. */
async function timeAsync(subjects: readonly { name: string; run: () => Promise<unknown> }[], warmup: number, runs: number): Promise<Map<string, number[]>> {
  for (let i = 0; i < warmup; i++) for (const s of subjects) await s.run();
  const times = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const s of subjects) {
      const t0 = performance.now();
      await s.run();
      times.get(s.name)?.push(performance.now() - t0);
    }
  }
  return times;
}

function ms(bench: string, subject: string, t: readonly number[]): Figure {
  return { bench, subject, metric: "ms_per_run", value: round(median(t)), runs: t.length };
}

async function buildFigures(): Promise<Figure[]> {
  const files = bundledRuleFiles(path.join(repoRoot, "dsl")).map((f) => path.relative(process.cwd(), f));
  const root = mkdtempSync(path.join(tmpdir(), "faultc-bench-build-"));
  let n = 0;
  let current = "";
  const build = async (out: string): Promise<void> => {
    const code = await main(["build", "--out", out, ...files], silent);
    if (code !== 0) throw new Error(`faultc build exited ${code}`);
  };
  try {
    // Each repetition: a cold build into a fresh folder, then the same build again (nothing changed).
    const times = await timeAsync(
      [
        {
          name: "cold",
          run: async () => {
            current = path.join(root, `out-${n++}`);
            await build(current);
          },
        },
        { name: "unchanged", run: async () => build(current) },
      ],
      1,
      BUILD_RUNS,
    );
    const what = `faultc build, ${files.length} bundled rule files (${files.length * 4} outputs)`;
    return [ms(`${NAME}-build`, `${what}, cold (fresh output folder)`, times.get("cold") ?? []), ms(`${NAME}-build`, `${what}, nothing changed (0 written)`, times.get("unchanged") ?? [])];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Counts the ts-morph calls that would mean a type check, while `fn` runs. */
async function countTypeChecks<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  const restore: (() => void)[] = [];
  const spy = <C extends object>(proto: C, method: keyof C & string, label: string): void => {
    const original = proto[method];
    if (typeof original !== "function") return;
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]) {
        calls.set(label, (calls.get(label) ?? 0) + 1);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      },
    });
    restore.push(() => Object.defineProperty(proto, method, { configurable: true, writable: true, value: original }));
  };
  spy(Project.prototype, "getProgram", "Project.getProgram");
  spy(Project.prototype, "getTypeChecker", "Project.getTypeChecker");
  spy(Project.prototype, "getPreEmitDiagnostics", "Project.getPreEmitDiagnostics");
  spy(Project.prototype, "getLanguageService", "Project.getLanguageService");
  spy(SourceFile.prototype, "getPreEmitDiagnostics", "SourceFile.getPreEmitDiagnostics");
  spy(SourceFile.prototype, "formatText", "SourceFile.formatText");
  try {
    return { result: await fn(), calls };
  } finally {
    for (const r of restore) r();
  }
}

async function emitFigures(): Promise<Figure[]> {
  const compiled = compileRuleFile(EMIT_FILE);
  const m = compiled.module;
  const program = assembleModule(m);
  const subjects = [
    { name: ".c.ts", run: () => emitCVariant(m, { runtimeImport: "../src/runtime" }) },
    { name: ".asm.ts", run: () => emitAsmModule(m, program) },
    { name: ".S", run: async () => emitKernelAsm(m) },
    { name: ".c", run: async () => emitKernelC(m) },
    { name: "compile (check + lower + select the asm program)", run: async () => compileRuleFile(EMIT_FILE) },
  ];
  const { result: times, calls } = await countTypeChecks(() => timeAsync(subjects, 3, EMIT_RUNS));
  if (calls.size > 0) throw new Error(`the emitters type-check through ts-morph: ${[...calls].map(([k, v]) => `${k} x${v}`).join(", ")}`);
  const figures = subjects.map((s) => ms(`${NAME}-emit`, `${EMIT_FILE} ${s.name}`, times.get(s.name) ?? []));
  figures.push({ bench: `${NAME}-emit`, subject: `ts-morph program, type checker or diagnostics calls while emitting (must be 0)`, metric: "calls", value: 0, runs: EMIT_RUNS });

  // For contrast: one type check of the emitted .c.ts (with the runtime it imports), as generation would pay if it checked.
  const text = await emitCVariant(m, { runtimeImport: "../src/runtime" });
  const typeCheck: number[] = [];
  for (let i = 0; i < 3; i++) {
    const project = new Project({ tsConfigFilePath: path.join(repoRoot, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
    const sf = project.createSourceFile(path.join(repoRoot, "generated", "bench-typecheck.c.ts"), text, { overwrite: true });
    const t0 = performance.now();
    const diagnostics = project.getPreEmitDiagnostics().filter((d) => d.getSourceFile() === sf);
    typeCheck.push(performance.now() - t0);
    if (diagnostics.length > 0) throw new Error(`the emitted .c.ts does not type-check: ${diagnostics[0].getMessageText().toString()}`);
  }
  figures.push(ms(`${NAME}-emit`, `${EMIT_FILE} .c.ts: one ts-morph getPreEmitDiagnostics in a fresh project (what generation does not do)`, typeCheck));
  return figures;
}

/** The fixed mix every target runs: every tenth agreement scenario, without S1POE (not modelled). */
function scenarioMix(): Scenario[] {
  return agreementScenarios(["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220"], 1).filter((_, i) => i % 10 === 0);
}

async function scenarioFigures(): Promise<Figure[]> {
  const mix = scenarioMix();
  const targets: { name: string; target: HandlerTarget }[] = [];
  for (const file of bundledRuleFiles(path.join(repoRoot, "dsl")).map((f) => path.relative(process.cwd(), f))) {
    const compiled = compileRuleFile(file);
    for (const h of compiled.module.handlers) {
      targets.push({ name: `${file}#asm:${h.name} (interpreter)`, target: asmVariantTarget(compiled, h.name) });
      targets.push({ name: `${file}#c:${h.name} (HypApi)`, target: await cVariantTarget(compiled, h.name) });
    }
  }
  const before = "refs/kvm-2016-before.S";
  targets.push({ name: `${before} (AssemblyTarget, interpreter)`, target: AssemblyTarget.fromSource(readFileSync(path.join(repoRoot, before), "utf8"), before) });
  // The reference's exported function (its name follows the handler's: `<handler>_after`).
  const ref = Object.entries(after).find(([k, v]) => k.endsWith("_after") && typeof v === "function");
  const kvm = compileRuleFile(path.relative(process.cwd(), path.join(repoRoot, "dsl", "kvm-2016.fault"))).module.handlers[0];
  if (ref !== undefined) {
    const fn = ref[1] as HandlerFunction;
    targets.push({ name: `refs/kvm-2016-after.ts ${ref[0]} (FunctionTarget, HypApi)`, target: new FunctionTarget("refs/kvm-2016-after.ts", recordLayout(kvm), { file: "refs/kvm-2016-after.ts", line: 1 }, fn) });
  }
  const subjects = targets.map((t) => ({
    name: t.name,
    run: () => {
      let steps = 0;
      for (const s of mix) steps += t.target.run(s).steps;
      return steps;
    },
  }));
  const times = timeSideBySide(subjects, { warmup: 1, runs: SCENARIO_RUNS });
  return subjects.map((s) => {
    const t = times.get(s.name) ?? [];
    return { bench: `${NAME}-scenarios`, subject: `${s.name}, ${mix.length}-scenario mix`, metric: "scenarios_per_s", value: round(mix.length / (median(t) / 1000)), runs: t.length };
  });
}

export const codegenBenchmark: Benchmark = {
  name: NAME,
  description: "code generation: faultc build cold and unchanged, per-backend emission, and scenarios/s of each variant and of the seed's references",
  run: async () => [...(await buildFigures()), ...(await emitFigures()), ...(await scenarioFigures())],
};
