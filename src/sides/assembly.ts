// Assembly sides: a file in the GNU as subset of src/runtime/asm (FILE.S), entered at el1_sync
// unless told otherwise, with the 2016 kvm record layout. The same machine-code side serves the
// assembly references and a rule file's asm-like variant, which differ only in where the
// program text comes from.
import { AsmError } from "../runtime/asm/errors.ts";
import type { ProgramItem } from "../runtime/asm/program.ts";
import { AssemblyTarget, DEFAULT_ENTRY } from "../runtime/run/assembly-target.ts";
import { KVM_2016_RECORD_LAYOUT } from "../runtime/run/layout.ts";
import { HandlerRunError, type RecordLayout } from "../runtime/run/types.ts";
import { SideError } from "./errors.ts";
import type { AssemblyName, SideName } from "./name.ts";
import type { OpenOptions, Side } from "./side.ts";

/** The capabilities a program's alternatives test, sorted. */
export function capabilitiesTested(items: readonly ProgramItem[], out = new Set<string>()): string[] {
  for (const it of items) {
    if (it.kind === "alternative") {
      out.add(it.capability);
      capabilitiesTested(it.whenPresent, out);
      capabilitiesTested(it.whenAbsent, out);
    }
  }
  return [...out].sort();
}

/** Builds the target, turning the runtime's errors (bad assembly, no entry label) into input errors. */
export function assemblyTarget(build: () => AssemblyTarget): AssemblyTarget {
  try {
    return build();
  } catch (e) {
    if (e instanceof AsmError || e instanceof HandlerRunError) throw SideError.input(e.message);
    throw e;
  }
}

/** A side whose code is an AssemblyTarget's program. */
export function machineCodeSide(label: string, name: SideName, target: AssemblyTarget, extra: Pick<Side, "module" | "contract"> & { capabilities?: readonly string[] } = {}): Side {
  return {
    label,
    kind: name.kind,
    name,
    layout: target.layout,
    capabilities: extra.capabilities ?? capabilitiesTested(target.program.items),
    ...(extra.module ? { module: extra.module } : {}),
    ...(extra.contract ? { contract: extra.contract } : {}),
    concrete: () => target,
    symbolic: { kind: "machine-code", load: (caps) => target.load(caps), entry: target.entry },
  };
}

/** An assembly file as a side; `label` and `layout` are a reference's when it opens one. */
export function openAssemblyFile(label: string, name: SideName, file: string, entry: string, layout: RecordLayout): Side {
  return machineCodeSide(label, name, assemblyTarget(() => AssemblyTarget.fromFile(file, { entry, layout, label })));
}

/** Assembly text that comes from no file (`faultc run -` reads it from standard input), named `file` in errors and traces. */
export function openAssemblySource(text: string, file: string, options: OpenOptions = {}): Side {
  const target = assemblyTarget(() => AssemblyTarget.fromSource(text, file, { entry: options.entry ?? DEFAULT_ENTRY }));
  return machineCodeSide(file, { kind: "assembly", file }, target);
}

export function openAssembly(name: AssemblyName, options: OpenOptions): Side {
  return openAssemblyFile(name.file, name, name.file, options.entry ?? DEFAULT_ENTRY, KVM_2016_RECORD_LAYOUT);
}
