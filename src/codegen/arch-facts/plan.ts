// The build's step for generated/arch-facts.ts: check every file of dsl/arch, collect its facts
// and write them as one module. Part of a build of the bundled rule files only (the module is
// about dsl/arch, not about any rule file a user names).
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { hasErrors, type Diagnostic } from "../../parser/diagnostics.ts";
import type { SourceText } from "../../parser/source.ts";
import { checkFiles, type Workspace } from "../../parser/workspace.ts";
import { BuildCache } from "../build-cache.ts";
import { ArchFactsError, collectArchFacts } from "./facts.ts";
import { archFactsHash, emitArchFacts, RESERVED_NAMES } from "./emit.ts";

export const ARCH_FACTS_FILE = "arch-facts.ts";

export interface ArchFactsPlan {
  output: { path: string; content: string } | undefined;
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

export async function planArchFacts(archDir: string, outDir: string, checked?: Workspace): Promise<ArchFactsPlan> {
  const files = archFiles(archDir);
  // The build has usually checked every one of them already, as its rule files' imports.
  const ws = checked !== undefined && files.every((f) => checked.files.has(path.normalize(f))) ? checked : checkFiles(files);
  const plan: ArchFactsPlan = { output: undefined, diagnostics: ws.diagnostics, sources: ws.sources };
  if (hasErrors(ws.diagnostics)) return plan;
  const facts = collectArchFacts(ws, files);
  for (const name of [...facts.enums, ...facts.layouts].map((x) => x.name)) {
    if (RESERVED_NAMES.includes(name)) throw new ArchFactsError(`${archDir}: '${name}' is a name generated/${ARCH_FACTS_FILE} declares itself; rename the enum or layout`);
  }
  const texts = files.map((f) => ({ path: f.split(path.sep).join("/"), text: ws.sources.get(path.normalize(f))?.text ?? "" }));
  const from = archDir.split(path.sep).join("/");
  const out = path.join(outDir, ARCH_FACTS_FILE);
  const hash = archFactsHash(texts);
  // Emitted (and formatted) only when the file on disk is not already what it would be (build-cache.ts).
  plan.output = { path: out, content: await BuildCache.open(outDir).content(out, `${hash}\0${from}`, () => emitArchFacts(facts, hash, from)) };
  return plan;
}
