// Rule files as sides: `FILE.fault#asm` is the asm-like variant's program text on the model's
// interpreter, `FILE.fault#c` the C-like variant's generated TypeScript on the model through
// HypApi. Both are compiled from the rule file as it is now; the C-like module is the committed
// one in generated/ when its input hash matches, and otherwise a fresh one written to a cache
// folder.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runtimeImportFrom } from "../codegen/build.ts";
import { compileRuleFile, RuleFileError, type CompiledRuleFile } from "../codegen/compile.ts";
import type { IrHandler, IrModule } from "../codegen/ir/types.ts";
import { exportNameOf } from "../codegen/names/mangle.ts";
import { emitCVariant } from "../codegen/ts/c-variant.ts";
import { writeFileAtomic } from "../io/atomic-write.ts";
import { importTypeScript } from "../io/import-typescript.ts";
import { parseProgram } from "../runtime/asm/parser.ts";
import type { HypApi, Outcome } from "../runtime/hyp/api.ts";
import { AssemblyTarget } from "../runtime/run/assembly-target.ts";
import { FunctionTarget, type HandlerFunction } from "../runtime/run/function-target.ts";
import type { HandlerTarget, RecordLayout } from "../runtime/run/types.ts";
import { assemblyTarget, machineCodeSide } from "./assembly.ts";
import { SideError } from "./errors.ts";
import type { RuleFileName } from "./name.ts";
import type { OpenOptions, Side } from "./side.ts";

/** The handler a name picks: the one named, or the only one. */
export function pickHandler(m: IrModule, name: string | undefined, variant: "c" | "asm" = "c"): IrHandler {
  if (m.handlers.length === 0) throw SideError.input(`${m.file}: error: the rule file declares no handler`);
  const names = m.handlers.map((h) => h.name).join(", ");
  if (name === undefined) {
    if (m.handlers.length > 1) throw SideError.usage(`${m.file} has several handlers (${names}): name one, e.g. ${m.file}#${variant}:${m.handlers[0].name}`);
    return m.handlers[0];
  }
  const h = m.handlers.find((x) => x.name === name);
  if (h === undefined) throw SideError.usage(`${m.file} has no handler '${name}' (it has ${names})`);
  return h;
}

export function recordLayout(h: IrHandler): RecordLayout {
  return Object.fromEntries(h.record.fields.map((f) => [f.name, { offset: f.offset, size: f.size }]));
}

/** The asm-like variant of one handler, on the model's interpreter. */
export function asmVariantTarget(c: CompiledRuleFile, handler?: string): AssemblyTarget {
  const h = pickHandler(c.module, handler, "asm");
  const file = `${c.module.file}#asm`;
  return assemblyTarget(() => new AssemblyTarget(parseProgram(c.program.text, { file, externals: c.program.externals }), { entry: exportNameOf(h.name), layout: recordLayout(h), label: `${file}:${h.name}` }));
}

type CModule = Record<string, unknown> & { origin: { file: string; inputHash: string } };

const RUNTIME_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "runtime");

/**
 * Where a fresh C-like module for `m` is cached. The module imports the runtime by a path relative
 * to its folder, so the folder is this checkout's as well as this input's: a module written by
 * another checkout (or before a checkout moved) is never imported.
 */
export function cModuleCacheDir(m: IrModule): string {
  const runtime = createHash("sha256").update(RUNTIME_DIR).digest("hex").slice(0, 8);
  return path.join(tmpdir(), "faultc-generated", `${m.inputHash.slice(0, 16)}-${runtime}`);
}

/** Imports the C-like variant's generated module for `m`: generated/ if current, else a fresh one. */
export async function loadCModule(m: IrModule, generatedDir = "generated"): Promise<CModule> {
  const committed = path.resolve(generatedDir, `${m.name}.c.ts`);
  if (existsSync(committed)) {
    const mod = (await importTypeScript(pathToFileURL(committed).href)) as CModule;
    if (mod.origin?.inputHash === m.inputHash) return mod;
  }
  const dir = cModuleCacheDir(m);
  const root = path.dirname(dir);
  const file = path.join(dir, `${m.name}.c.ts`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // The module is ESM like the rest of faultc; without this, Node would load it as CommonJS.
    const pkg = path.join(root, "package.json");
    if (!existsSync(pkg)) await writeFileAtomic(pkg, '{ "type": "module" }\n');
    await writeFileAtomic(file, await emitCVariant(m, { runtimeImport: runtimeImportFrom(dir) }));
  }
  return (await importTypeScript(pathToFileURL(file).href)) as CModule;
}

type GenericHandler = <V, B>(api: HypApi<V, B>) => Outcome;

/** The generated C-like module's function for handler `h`, and it as a run target. */
async function cVariant(c: CompiledRuleFile, h: IrHandler): Promise<{ fn: GenericHandler; target: FunctionTarget }> {
  const mod = await loadCModule(c.module);
  // The C-like module exports each handler's function under its generated name (names/mangle.ts).
  const fn = mod[exportNameOf(h.name)];
  if (typeof fn !== "function") throw SideError.input(`${c.module.file}: error: the generated module has no function ${h.name}`);
  return { fn: fn as GenericHandler, target: new FunctionTarget(`${c.module.file}#c:${h.name}`, recordLayout(h), h.origin, fn as HandlerFunction) };
}

/** The C-like variant of one handler, on the model through HypApi. */
export async function cVariantTarget(c: CompiledRuleFile, handler?: string): Promise<HandlerTarget> {
  return (await cVariant(c, pickHandler(c.module, handler, "c"))).target;
}

export async function openRuleFile(name: RuleFileName, options: OpenOptions): Promise<Side> {
  const label = `${name.file}#${name.variant}${name.handler !== undefined ? `:${name.handler}` : ""}`;
  if (options.entry !== undefined) throw SideError.usage(`--entry is for assembly targets; name a rule file's handler as ${name.file}#${name.variant}:HANDLER`);
  let compiled: CompiledRuleFile;
  try {
    compiled = compileRuleFile(name.file);
  } catch (e) {
    if (e instanceof RuleFileError) throw SideError.input(e.message);
    throw e;
  }
  const m = compiled.module;
  const h = pickHandler(m, name.handler, name.variant);
  const ruleFile = { module: m, ...(h.contract ? { contract: h.contract } : {}) };
  if (name.variant === "asm") return machineCodeSide(label, name, asmVariantTarget(compiled, h.name), { ...ruleFile, capabilities: h.capabilities });
  const { fn, target } = await cVariant(compiled, h);
  return {
    label,
    kind: name.kind,
    name,
    layout: target.layout,
    capabilities: h.capabilities,
    ...ruleFile,
    concrete: () => target,
    symbolic: { kind: "function", fn, origin: h.origin },
  };
}
