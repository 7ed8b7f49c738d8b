// A parsed program (instructions with source locations, alternatives still unpatched) and its
// loading for one capability set: alternatives patched, labels resolved to instruction indices,
// branches out of the program resolved to named external routines.
import type { Instruction, ResolvedTarget, SymbolRef } from "../semantics/instruction.ts";
import { AsmError, type SourceLocation } from "./errors.ts";

export interface ParsedInstructionItem {
  readonly kind: "instruction";
  readonly insn: Instruction<SymbolRef>;
  readonly loc: SourceLocation;
  /** The statement as written (for traces). */
  readonly text: string;
  /** Where the branch target operand is, for undefined-label errors. */
  readonly targetLoc?: SourceLocation;
}

export type ProgramItem =
  | ParsedInstructionItem
  | { readonly kind: "label"; readonly name: string; readonly loc: SourceLocation }
  | { readonly kind: "local-label"; readonly number: number; readonly loc: SourceLocation }
  | {
      readonly kind: "alternative";
      readonly capability: string;
      readonly whenPresent: readonly ProgramItem[];
      readonly whenAbsent: readonly ProgramItem[];
      readonly loc: SourceLocation;
    };

export interface ParsedProgram {
  readonly file: string;
  readonly items: readonly ProgramItem[];
  /** Symbols outside the program a branch may name (they end a run). */
  readonly externals: ReadonlySet<string>;
  /** Names for run results of external symbols, where they differ from the symbol (see externalHandlerName). */
  readonly externalNames?: ReadonlyMap<string, string>;
}

export interface LoadedInstruction {
  readonly insn: Instruction<ResolvedTarget>;
  readonly loc: SourceLocation;
  readonly text: string;
}

export interface LoadedProgram {
  readonly file: string;
  readonly capabilities: ReadonlySet<string>;
  readonly instructions: readonly LoadedInstruction[];
  /** Global labels to instruction indices (a label at the very end maps to instructions.length). */
  readonly labels: ReadonlyMap<string, number>;
  readonly externalNames?: ReadonlyMap<string, string>;
}

type FlatItem = Exclude<ProgramItem, { kind: "alternative" }>;

function flatten(items: readonly ProgramItem[], caps: ReadonlySet<string>, out: FlatItem[]): void {
  for (const item of items) {
    if (item.kind === "alternative") flatten(caps.has(item.capability) ? item.whenPresent : item.whenAbsent, caps, out);
    else out.push(item);
  }
}

/** Patches the alternatives for `capabilities` and resolves every branch target. */
export function loadProgram(program: ParsedProgram, capabilities: Iterable<string> = []): LoadedProgram {
  const caps = new Set(capabilities);
  const flat: FlatItem[] = [];
  flatten(program.items, caps, flat);

  const labels = new Map<string, number>();
  const localDefs: { number: number; position: number; index: number }[] = [];
  let count = 0;
  flat.forEach((item, position) => {
    if (item.kind === "label") labels.set(item.name, count);
    else if (item.kind === "local-label") localDefs.push({ number: item.number, position, index: count });
    else count++;
  });

  const resolve = (ref: SymbolRef, position: number, loc: SourceLocation): ResolvedTarget => {
    if (ref.kind === "label") {
      const index = labels.get(ref.name);
      if (index !== undefined) return { kind: "index", index };
      if (program.externals.has(ref.name)) return { kind: "external", name: ref.name };
      throw new AsmError(loc, `undefined symbol '${ref.name}'`);
    }
    const candidates = localDefs.filter((d) => d.number === ref.number && (ref.direction === "f" ? d.position > position : d.position < position));
    const def = ref.direction === "f" ? candidates[0] : candidates[candidates.length - 1];
    if (def === undefined) throw new AsmError(loc, `undefined local label '${ref.number}${ref.direction}'`);
    return { kind: "index", index: def.index };
  };

  const instructions: LoadedInstruction[] = [];
  flat.forEach((item, position) => {
    if (item.kind !== "instruction") return;
    const loc = item.targetLoc ?? item.loc;
    instructions.push({ insn: resolveInstruction(item.insn, (ref) => resolve(ref, position, loc)), loc: item.loc, text: item.text });
  });
  return { file: program.file, capabilities: caps, instructions, labels, ...(program.externalNames ? { externalNames: program.externalNames } : {}) };
}

function resolveInstruction(insn: Instruction<SymbolRef>, resolve: (ref: SymbolRef) => ResolvedTarget): Instruction<ResolvedTarget> {
  switch (insn.op) {
    case "b": return { ...insn, target: resolve(insn.target) };
    case "bcond": return { ...insn, target: resolve(insn.target) };
    case "cbz": return { ...insn, target: resolve(insn.target) };
    case "tbz": return { ...insn, target: resolve(insn.target) };
    default: return insn;
  }
}

/** The number of instructions an item list contributes (alternative sides have equal counts). */
export function instructionCount(items: readonly ProgramItem[]): number {
  let n = 0;
  for (const item of items) {
    if (item.kind === "instruction") n++;
    else if (item.kind === "alternative") n += instructionCount(item.whenAbsent);
  }
  return n;
}
