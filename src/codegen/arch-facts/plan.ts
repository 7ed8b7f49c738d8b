// The build's step for generated/arch-facts.ts: check every file of dsl/arch, collect its facts
// and write them as one module. Part of a build of the bundled rule files only (the module is
// about dsl/arch, not about any rule file a user names).
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { hasErrors, type Diagnostic } from "../../parser/diagnostics.ts";
import type { SourceText } from "../../parser/source.ts";
import { WorkspaceLoader, type Workspace } from "../../parser/workspace.ts";
import { BuildCache } from "../build-cache.ts";
import { importClosure } from "../ir/lower.ts";
import { ArchFactsError, collectArchFacts } from "./facts.ts";
import { archFactsHash, emitArchFacts, RESERVED_NAMES } from "./emit.ts";

export const ARCH_FACTS_FILE = "arch-facts.ts";

export interface ArchFactsPlan {
  output: { path: string; content: string; onDisk?: boolean } | undefined;
  diagnostics: Diagnostic[];
  sources: Map<string, SourceText>;
}

/** Every `*.fault` directly in `archDir`, sorted. */
export function archFiles(archDir: string): string[] {
  return readdirSync(archDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".fault"))
    .map((e) => path.join(archDir, e.name))
    .sort();
}

/** The files `files` import, directly or not, themselves included. */
function importsOf(files: string[], ws: Workspace): Set<string> {
  const all = new Set(files.map((f) => path.normalize(f)));
  for (const f of [...all]) {
    const checked = ws.files.get(f);
    if (checked !== undefined) for (const p of importClosure(checked, ws)) all.add(p);
  }
  return all;
}

/**
 * `loader` is the build's: the files of `archDir` its rule files import are checked already and
 * are not checked again. The plan's diagnostics are those of `archDir`'s files and their imports.
 */
export async function planArchFacts(archDir: string, outDir: string, loader = new WorkspaceLoader()): Promise<ArchFactsPlan> {
  const files = archFiles(archDir).map((f) => path.normalize(f));
  const cache = BuildCache.open(outDir);
  const from = archDir.split(path.sep).join("/");
  const out = path.join(outDir, ARCH_FACTS_FILE);
  const inputsOf = (text: (f: string) => string) => {
    const hash = archFactsHash(files.map((f) => ({ path: f.split(path.sep).join("/"), text: text(f) })));
    return { hash, inputs: `${hash}\0${from}` };
  };
  // These files checked clean before and arch-facts.ts on disk is what they gave: neither the
  // files the rule files do not import nor the facts need a parse (build-cache.ts).
  const clean = cache.cleanCheck(files);
  if (clean !== undefined) {
    const content = cache.lookup(out, inputsOf((f) => clean.get(f) ?? "").inputs);
    if (content !== undefined) return { output: { path: out, content, onDisk: true }, diagnostics: [], sources: new Map() };
  }
  const ws = loader.load(files);
  const closure = importsOf(files, ws);
  const plan: ArchFactsPlan = { output: undefined, diagnostics: ws.diagnostics.filter((d) => closure.has(d.file)), sources: ws.sources };
  if (hasErrors(plan.diagnostics)) return plan;
  if (plan.diagnostics.length === 0) cache.recordCleanCheck(files, new Map([...closure].map((f) => [f, ws.sources.get(f)?.text ?? ""])));
  const facts = collectArchFacts(ws, files);
  for (const name of [...facts.enums, ...facts.layouts].map((x) => x.name)) {
    if (RESERVED_NAMES.includes(name)) throw new ArchFactsError(`${archDir}: '${name}' is a name generated/${ARCH_FACTS_FILE} declares itself; rename the enum or layout`);
  }
  const { hash, inputs } = inputsOf((f) => ws.sources.get(f)?.text ?? "");
  // Emitted (and formatted) only when the file on disk is not already what it would be (build-cache.ts).
  plan.output = { path: out, content: await cache.content(out, inputs, () => emitArchFacts(facts, hash, from)) };
  return plan;
}
