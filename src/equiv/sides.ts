// What can be compared: a rule file's variant (FILE.fault#c or #asm), an assembly file, or a
// bundled reference. Each side can be explored symbolically and run concretely.
import { readFileSync } from "node:fs";
import { asmVariantTarget, compileRuleFile, cVariantTarget, FunctionTarget, loadCModule, parseRuleTarget, RuleFileError } from "../codegen/variants.ts";
import type { IrContract, IrModule } from "../codegen/ir/types.ts";
import { AsmError } from "../runtime/asm/errors.ts";
import { parseProgram } from "../runtime/asm/parser.ts";
import { loadProgram, type ParsedProgram, type ProgramItem } from "../runtime/asm/program.ts";
import type { HypApi, Outcome } from "../runtime/hyp/api.ts";
import { AssemblyTarget } from "../runtime/run/assembly-target.ts";
import { TargetNameError } from "../runtime/run/targets.ts";
import type { HandlerTarget, RecordLayout } from "../runtime/run/types.ts";
import { findReference, REFERENCES } from "./references.ts";

export interface Side {
  /** As the user named it. */
  label: string;
  kind: "assembly" | "function";
  layout: RecordLayout;
  /** Capabilities its code tests. */
  capabilities: string[];
  /** The rule file's module and contract, for rule-file sides. */
  module?: IrModule;
  contract?: IrContract;
  program?: ParsedProgram;
  entry?: string;
  fn?: <V, B>(h: HypApi<V, B>) => Outcome;
  /** The same side, run concretely (counterexample replay, sweep). */
  target(): Promise<HandlerTarget>;
}

/** The side cannot be opened: a usage error (bad name) or an error in its input (located). */
export class SideError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
  }
}

function capabilitiesOf(items: readonly ProgramItem[], out = new Set<string>()): Set<string> {
  for (const it of items) {
    if (it.kind === "alternative") {
      out.add(it.capability);
      capabilitiesOf(it.whenPresent, out);
      capabilitiesOf(it.whenAbsent, out);
    }
  }
  return out;
}

function assemblySide(label: string, program: ParsedProgram, entry: string, layout: RecordLayout, extra: { module?: IrModule; contract?: IrContract } = {}): Side {
  loadProgram(program, []); // undefined symbols and bad alternatives are reported now, located
  return {
    label,
    kind: "assembly",
    layout,
    capabilities: [...capabilitiesOf(program.items)].sort(),
    program,
    entry,
    ...extra,
    target: async () => new AssemblyTarget(program, { entry, layout, label }),
  };
}

export async function openSide(spec: string): Promise<Side> {
  const ref = findReference(spec);
  if (ref !== undefined) {
    if (ref.kind === "assembly") {
      const program = parseProgram(readFileSync(ref.file, "utf8"), { file: ref.file });
      return assemblySide(spec, program, ref.entry ?? "el1_sync", ref.layout);
    }
    const fields = Object.entries(ref.layout).map(([name, f]) => ({ name, width: f.size * 8, offset: f.offset, size: f.size as 4 | 8 }));
    return {
      label: spec,
      kind: "function",
      layout: ref.layout,
      capabilities: ref.capabilities,
      fn: ref.fn,
      target: async () => new FunctionTarget(spec, fields, { file: ref.file, line: 1 }, ref.fn as never),
    };
  }
  const rule = parseRuleTarget(spec);
  if (rule !== undefined) {
    let compiled;
    try {
      compiled = compileRuleFile(rule.file);
    } catch (e) {
      if (e instanceof RuleFileError) throw new SideError(e.message, false);
      throw e;
    }
    const m = compiled.module;
    const h = rule.handler === undefined ? m.handlers[0] : m.handlers.find((x) => x.name === rule.handler);
    if (h === undefined || (rule.handler === undefined && m.handlers.length !== 1)) {
      throw new SideError(`${spec}: name one handler of ${m.handlers.map((x) => x.name).join(", ") || "(none)"} as ${rule.file}#${rule.variant}:HANDLER`, true);
    }
    const layout = Object.fromEntries(h.record.fields.map((f) => [f.name, { offset: f.offset, size: f.size }]));
    if (rule.variant === "asm") {
      const program = parseProgram(compiled.program.text, { file: `${m.file}#asm`, externals: compiled.program.externals });
      const side = assemblySide(spec, program, h.name, layout, { module: m, ...(h.contract ? { contract: h.contract } : {}) });
      return { ...side, capabilities: h.capabilities, target: async () => asmVariantTarget(compiled, h.name) };
    }
    const mod = await loadCModule(m);
    const fn = mod[h.name];
    if (typeof fn !== "function") throw new SideError(`${spec}: the generated module has no function ${h.name}`, false);
    return {
      label: spec,
      kind: "function",
      layout,
      capabilities: h.capabilities,
      module: m,
      ...(h.contract ? { contract: h.contract } : {}),
      fn: fn as <V, B>(h: HypApi<V, B>) => Outcome,
      target: () => cVariantTarget(compiled, h.name),
    };
  }
  if (/\.[sS]$/.test(spec)) {
    let text: string;
    try {
      text = readFileSync(spec, "utf8");
    } catch {
      throw new SideError(`${spec}:1:1: error: cannot read '${spec}'`, false);
    }
    const { KVM_2016_RECORD_LAYOUT } = await import("../runtime/run/layout.ts");
    try {
      return assemblySide(spec, parseProgram(text, { file: spec }), "el1_sync", KVM_2016_RECORD_LAYOUT);
    } catch (e) {
      if (e instanceof AsmError) throw new SideError(e.message, false);
      throw e;
    }
  }
  throw new SideError(
    `'${spec}' is not something to compare: use FILE.fault#c, FILE.fault#asm (optionally :HANDLER), an assembly file (.S), or a reference (${REFERENCES.map((r) => `ref:${r.name}`).join(", ")})`,
    true,
  );
}

/** `faultc run ref:NAME`: a bundled reference as a run target. */
export const referenceTargetKind = {
  name: "reference",
  matches: (t: string) => t.startsWith("ref:"),
  open: async (t: string): Promise<HandlerTarget> => {
    if (findReference(t) === undefined) throw new TargetNameError(`unknown reference '${t}' (faultc refs lists them)`);
    return (await openSide(t)).target();
  },
};
