// Rule files as run targets: `dsl/x.fault#asm` runs the asm-like variant's program text on the
// model's interpreter, `dsl/x.fault#c` runs the C-like variant's generated TypeScript against
// the model through HypApi. Both are compiled from the rule file as it is now; the C-like
// module is the committed one in generated/ when its input hash matches, and otherwise a fresh
// one written to a cache folder.
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { hasErrors, renderDiagnostic } from "../parser/diagnostics.ts";
import { checkFiles } from "../parser/workspace.ts";
import { parseProgram } from "../runtime/asm/parser.ts";
import type { Outcome as HypOutcome, HypApi } from "../runtime/hyp/api.ts";
import { MachineHypApi } from "../runtime/hyp/machine-api.ts";
import { Machine } from "../runtime/machine/machine.ts";
import type { AccessSize } from "../runtime/memory.ts";
import { AssemblyTarget } from "../runtime/run/assembly-target.ts";
import { HandlerRunError, type HandlerTarget, type RecordLayout, type RunOptions, type RunResult, type TraceEntry } from "../runtime/run/types.ts";
import { scenarioMachineSetup, type Scenario } from "../runtime/scenario/index.ts";
import type { Bits } from "../runtime/semantics/concrete-domain.ts";
import { writeFileAtomic } from "../io/atomic-write.ts";
import { assembleModule, type AsmProgram } from "./asm/program.ts";
import { lowerFile } from "./ir/lower.ts";
import type { IrHandler, IrModule, IrRecordField } from "./ir/types.ts";
import { runtimeImportFrom } from "./build.ts";
import { emitCVariant } from "./ts/c-variant.ts";

/** The rule file has errors: the message holds them, rendered. */
export class RuleFileError extends Error {}

export interface CompiledRuleFile {
  module: IrModule;
  program: AsmProgram;
}

export function compileRuleFile(file: string): CompiledRuleFile {
  const ws = checkFiles([file]);
  if (hasErrors(ws.diagnostics)) throw new RuleFileError(ws.diagnostics.map((d) => renderDiagnostic(d, ws.sources)).join("\n"));
  const checked = ws.files.get(path.normalize(file));
  if (checked === undefined) throw new RuleFileError(`${file}: error: not checked`);
  const module = lowerFile(checked, ws);
  return { module, program: assembleModule(module) };
}

function pickHandler(m: IrModule, name: string | undefined): IrHandler {
  if (m.handlers.length === 0) throw new RuleFileError(`${m.file}: error: the rule file declares no handler`);
  if (name === undefined) {
    if (m.handlers.length > 1) throw new RuleFileError(`${m.file}: error: several handlers (${m.handlers.map((h) => h.name).join(", ")}): name one, e.g. ${m.file}#c:${m.handlers[0].name}`);
    return m.handlers[0];
  }
  const h = m.handlers.find((x) => x.name === name);
  if (h === undefined) throw new RuleFileError(`${m.file}: error: no handler '${name}' (it has ${m.handlers.map((x) => x.name).join(", ")})`);
  return h;
}

export function recordLayout(h: IrHandler): RecordLayout {
  return Object.fromEntries(h.record.fields.map((f) => [f.name, { offset: f.offset, size: f.size }]));
}

/** The asm-like variant of one handler, on the model's interpreter. */
export function asmVariantTarget(c: CompiledRuleFile, handler?: string): HandlerTarget {
  const h = pickHandler(c.module, handler);
  const file = `${c.module.file}#asm`;
  return new AssemblyTarget(parseProgram(c.program.text, { file, externals: c.program.externals }), {
    entry: h.name,
    layout: recordLayout(h),
    label: `${file}:${h.name}`,
  });
}

export type HandlerFunction = (h: HypApi<Bits, boolean>) => HypOutcome;
type CModule = Record<string, unknown> & { origin: { file: string; inputHash: string } };

/** Imports the C-like variant's generated module for `m`: generated/ if current, else a fresh one. */
export async function loadCModule(m: IrModule, generatedDir = "generated"): Promise<CModule> {
  const committed = path.resolve(generatedDir, `${m.name}.c.ts`);
  if (existsSync(committed)) {
    const mod = (await import(pathToFileURL(committed).href)) as CModule;
    if (mod.origin?.inputHash === m.inputHash) return mod;
  }
  const root = path.join(tmpdir(), "faultc-generated");
  const dir = path.join(root, m.inputHash.slice(0, 16));
  const file = path.join(dir, `${m.name}.c.ts`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // The module is ESM like the rest of faultc; without this, Node would load it as CommonJS.
    const pkg = path.join(root, "package.json");
    if (!existsSync(pkg)) await writeFileAtomic(pkg, '{ "type": "module" }\n');
    await writeFileAtomic(file, await emitCVariant(m, { runtimeImport: runtimeImportFrom(dir) }));
  }
  return (await import(pathToFileURL(file).href)) as CModule;
}

/** The C-like variant of one handler, on the model through HypApi. */
export async function cVariantTarget(c: CompiledRuleFile, handler?: string): Promise<HandlerTarget> {
  const h = pickHandler(c.module, handler);
  const mod = await loadCModule(c.module);
  const fn = mod[h.name];
  if (typeof fn !== "function") throw new RuleFileError(`${c.module.file}: error: the generated module has no function ${h.name}`);
  return new FunctionTarget(`${c.module.file}#c:${h.name}`, h.record.fields, h.origin, fn as HandlerFunction);
}

/**
 * A handler written as a TypeScript function over HypApi (a generated C-like variant, or a
 * hand-written reference), run on the scenario's machine.
 */
export class FunctionTarget implements HandlerTarget {
  readonly layout: RecordLayout;

  constructor(
    readonly label: string,
    private readonly fields: readonly IrRecordField[],
    private readonly origin: { file: string; line: number },
    private readonly fn: HandlerFunction,
  ) {
    this.layout = Object.fromEntries(fields.map((f) => [f.name, { offset: f.offset, size: f.size }]));
  }

  run(scenario: Scenario, opts: RunOptions = {}): RunResult {
    const { config, meta } = scenarioMachineSetup(scenario, { deriveCapabilitiesFromMidr: opts.deriveCapabilitiesFromMidr ?? true });
    const m = new Machine(config);
    m.clearWrittenSysregs();
    const api = new MachineHypApi(m);
    let out: HypOutcome;
    try {
      out = this.fn(api);
    } catch (e) {
      throw new HandlerRunError(`${this.label}: error: ${e instanceof Error ? e.message : String(e)}`);
    }
    const fault = new Map<string, bigint>();
    for (const f of this.fields) fault.set(f.name, m.memory.read(meta.vcpu + BigInt(f.offset), f.size as AccessSize));
    const sysregs = new Map<string, bigint>([["PAR_EL1", m.getSysreg("PAR_EL1")], ...m.writtenSysregs()]);
    const entryPar = config.sysregs?.PAR_EL1 ?? 0n;
    let line = this.origin.line;
    const trace: TraceEntry[] = opts.trace
      ? api.trace.map((t, index) => {
          const m2 = /^rule .* \(line (\d+)\)$/.exec(t.text);
          if (m2) line = Number(m2[1]);
          return { index, loc: `${this.origin.file}:${line}`, text: t.text, writes: new Map(), stores: [] };
        })
      : [];
    return {
      outcome: out.kind === "handoff" ? out.target : out.kind,
      ...(out.kind === "exit" ? { exitCode: out.code } : {}),
      fault,
      sysregs: new Map([...sysregs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      parPreserved: m.getSysreg("PAR_EL1") === entryPar,
      steps: api.trace.length,
      meta,
      trace,
    };
  }
}

/** `dsl/x.fault#c`, `dsl/x.fault#asm`, optionally `:handler`. */
export function parseRuleTarget(spec: string): { file: string; variant: "c" | "asm"; handler: string | undefined } | undefined {
  const m = /^(.*\.fault)#(c|asm)(?::([A-Za-z_][A-Za-z0-9_]*))?$/.exec(spec);
  if (m === null) return undefined;
  return { file: m[1], variant: m[2] as "c" | "asm", handler: m[3] };
}
