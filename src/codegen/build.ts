// The code generation step: every rule file to its four generated files, all in memory first,
// so that a failing build writes nothing and leaves the previous files as they were.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { hasErrors, type Diagnostic } from "../parser/diagnostics.ts";
import type { SourceText } from "../parser/source.ts";
import { WorkspaceLoader, type CheckedFile } from "../parser/workspace.ts";
import { temporariesIn, TEMP_PREFIX, writeFileAtomic, type Leftover } from "../io/atomic-write.ts";
import { ArchFactsError } from "./arch-facts/facts.ts";
import { planArchFacts } from "./arch-facts/plan.ts";
import { BuildCache } from "./build-cache.ts";
import { inputHash, lowerFile, moduleName } from "./ir/lower.ts";
import type { IrModule } from "./ir/types.ts";
import { readProvenance, type Provenance } from "./provenance.ts";

export interface GeneratedFile {
  path: string;
  content: string;
  /**
   * The content was read from the file at `path` while planning (the build cache found it
   * current): the file holds it already, and applying the plan need not read it again.
   */
  onDisk?: boolean;
}

export interface BuildPlan {
  outputs: GeneratedFile[];
  /** The rule files that generated outputs, in the order given (as the workspace names them). */
  ruleFiles: string[];
  /**
   * Their IR modules, lowered on first use: a rule file whose every output the build cache knows
   * is not lowered by the build itself (build-cache.ts).
   */
  readonly modules: IrModule[];
  diagnostics: Diagnostic[];
  sources: Map<string, SourceText>;
}

/** Optional backends (the kernel-style .S and .c) register here, so the driver does not depend on them. */
export type ExtraBackend = (m: IrModule) => GeneratedFile["content"] | Promise<string>;
const extraBackends: { suffix: string; emit: ExtraBackend }[] = [];
export function registerBackend(suffix: string, emit: ExtraBackend): void {
  if (!extraBackends.some((b) => b.suffix === suffix)) extraBackends.push({ suffix, emit });
}

const RUNTIME_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "runtime");

/** The import path of the runtime as seen from `outDir`, with forward slashes. */
export function runtimeImportFrom(outDir: string): string {
  const rel = path.relative(path.resolve(outDir), RUNTIME_DIR).split(path.sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

export interface BuildOptions {
  /** Also write OUT/arch-facts.ts from the files of this folder (the bundled build: dsl/arch). */
  archFacts?: string;
}

export async function planBuild(files: string[], outDir: string, options: BuildOptions = {}): Promise<BuildPlan> {
  // One loader for the rule files and dsl/arch: a file both import or name is checked once.
  const loader = new WorkspaceLoader();
  const ws = loader.load(files);
  const built: CheckedFile[] = [];
  const lowered = new Map<CheckedFile, IrModule>();
  let modules: IrModule[] | undefined;
  const plan: BuildPlan = {
    outputs: [],
    ruleFiles: [],
    get modules() {
      return (modules ??= built.map((c) => lowered.get(c) ?? lowerFile(c, ws)));
    },
    diagnostics: [...ws.diagnostics],
    sources: ws.sources,
  };
  if (options.archFacts !== undefined) {
    let arch;
    try {
      arch = await planArchFacts(options.archFacts, outDir, loader);
    } catch (e) {
      if (e instanceof ArchFactsError) throw new BuildInputError(e.message);
      throw e;
    }
    for (const d of arch.diagnostics) if (!plan.diagnostics.some((x) => x.file === d.file && x.message === d.message && x.range.start.offset === d.range.start.offset)) plan.diagnostics.push(d);
    for (const [f, s] of arch.sources) if (!plan.sources.has(f)) plan.sources.set(f, s);
    if (arch.output !== undefined) plan.outputs.push(arch.output);
  }
  if (hasErrors(plan.diagnostics)) return plan;
  const names = new Map<string, string>();
  const cache = BuildCache.open(outDir);
  const runtimeImport = runtimeImportFrom(outDir);
  for (const f of files) {
    const checked = ws.files.get(path.normalize(f));
    if (checked === undefined) continue;
    const name = moduleName(checked.path);
    const prior = names.get(name);
    if (prior !== undefined) {
      throw new BuildInputError(`${f} and ${prior} would both generate ${name}.*: rename one`);
    }
    names.set(name, f);
    const base = path.join(outDir, name);
    const outs = outputSuffixes().map((suffix) => `${base}${suffix}`);
    // What decides an output besides the generator (build-cache.ts): the rule file as named, its
    // input hash, and where the runtime is from the output folder.
    const inputs = `${checked.path}\0${inputHash(checked, ws)}\0${runtimeImport}`;
    const known = outs.map((o) => cache.lookup(o, inputs));
    let contents: string[];
    if (known.every((t) => t !== undefined)) {
      // Generated before from these very inputs by this generator, and still on disk as it was:
      // lowering and assembling would give it again (and did not fail then).
      contents = known as string[];
    } else {
      const m = lowerFile(checked, ws);
      const { emittersOf } = await import("./generate.ts");
      const selected = emittersOf(m, ws.sources, runtimeImport, extraBackends.map((b) => b.emit));
      if ("diagnostic" in selected) {
        plan.diagnostics.push(selected.diagnostic);
        continue;
      }
      lowered.set(checked, m);
      const { emitters } = selected;
      contents = [];
      for (const [i, emit] of emitters.entries()) contents.push(known[i] ?? (await cache.content(outs[i], inputs, emit)));
    }
    built.push(checked);
    plan.ruleFiles.push(checked.path);
    for (const [i, o] of outs.entries()) plan.outputs.push({ path: o, content: contents[i], ...(known[i] !== undefined ? { onDisk: true } : {}) });
  }
  await cache.save();
  return plan;
}

export class BuildInputError extends Error {}

export interface Staleness {
  missing: string[];
  changed: string[];
  /** Generated files whose own rule file is gone or no longer yields them (see `isOrphan`). */
  orphaned: string[];
  /** Temporary files of writes that did not finish, and whether their process still runs. */
  leftovers: Leftover[];
}

/**
 * Whether a generated file in the output folder, not produced by this build, is an orphan:
 * - the rule file its header names (relative to the current folder, like every path faultc is
 *   given) is gone from a folder that still exists. If the folder is missing too, the file may
 *   have been built from another working folder, so it is left alone;
 * - or that rule file exists but its outputs have other names (the file was renamed or copied).
 * A file whose rule file exists and names it is never an orphan, whether or not this build was
 * given that rule file: building one rule file leaves every other rule file's outputs alone.
 */
function isOrphan(file: string, from: Provenance): boolean {
  const ruleFile = path.resolve(from.ruleFile);
  if (!existsSync(ruleFile)) return isFolder(path.dirname(ruleFile));
  return !outputNames(ruleFile).includes(path.basename(file));
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The suffixes of the files each rule file generates, in the order planBuild makes them. */
function outputSuffixes(): string[] {
  return [".c.ts", ".asm.ts", ...extraBackends.map((b) => b.suffix)];
}

function outputNames(ruleFile: string): string[] {
  const name = moduleName(ruleFile);
  return outputSuffixes().map((s) => `${name}${s}`);
}

/** The files directly in `outDir` that faultc generated (a known suffix and the header) but for those in `skip`, sorted. */
function generatedFilesIn(outDir: string, skip: ReadonlySet<string>): { file: string; from: Provenance }[] {
  let entries;
  try {
    entries = readdirSync(outDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const suffixes = outputSuffixes();
  const result: { file: string; from: Provenance }[] = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith(TEMP_PREFIX) || !suffixes.some((s) => e.name.endsWith(s))) continue;
    const file = path.join(outDir, e.name);
    if (skip.has(file)) continue;
    const from = readProvenance(file);
    if (from !== undefined) result.push({ file, from });
  }
  return result.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

export function compareWithDisk(plan: BuildPlan, outDir: string): Staleness {
  const result: Staleness = { missing: [], changed: [], orphaned: [], leftovers: temporariesIn(outDir) };
  const produced = new Set(plan.outputs.map((o) => path.normalize(o.path)));
  for (const o of plan.outputs) {
    if (o.onDisk === true) continue;
    if (!existsSync(o.path)) result.missing.push(o.path);
    else if (readFileSync(o.path, "utf8") !== o.content) result.changed.push(o.path);
  }
  for (const g of generatedFilesIn(outDir, produced)) {
    if (isOrphan(g.file, g.from)) result.orphaned.push(g.file);
  }
  return result;
}

export interface BuildResult {
  written: string[];
  unchanged: string[];
  /** Orphans, and temporary files left by processes that no longer run. */
  removed: string[];
}

/**
 * Writes the files whose content changed (each atomically), removes the orphans and the
 * temporary files of dead processes. A temporary file of a running process may be a write in
 * progress (another build into the same folder) and is left alone.
 */
export async function applyBuild(plan: BuildPlan, outDir: string): Promise<BuildResult> {
  const stale = compareWithDisk(plan, outDir);
  const toWrite = new Set([...stale.missing, ...stale.changed]);
  const result: BuildResult = { written: [], unchanged: [], removed: [] };
  for (const o of plan.outputs) {
    if (toWrite.has(o.path)) {
      await writeFileAtomic(o.path, o.content);
      result.written.push(o.path);
    } else result.unchanged.push(o.path);
  }
  for (const f of [...stale.orphaned, ...stale.leftovers.filter((l) => !l.running).map((l) => l.file)]) {
    rmSync(f, { force: true });
    result.removed.push(f);
  }
  return result;
}
