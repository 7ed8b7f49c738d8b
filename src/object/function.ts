// A function of a compiled AArch64 object (`PATH.o:SYMBOL`) as code the model runs: for each set
// of present capabilities, its words with the kernel's alternatives applied, every word decoded
// into the model's Instruction, branch targets inside the function as program indices and the
// others as named routines, each with its address and its disassembly: a LoadedProgram, which the
// interpreter (src/runtime/machine/interpreter.ts) and the symbolic explorer run as they run
// assembly. Nothing is skipped: a word the model does not implement, in any capability
// combination, is an error naming its place, its hex and objdump's reading of it.
import type { LoadedInstruction, LoadedProgram } from "../runtime/asm/program.ts";
import type { Instruction, ResolvedTarget } from "../runtime/semantics/instruction.ts";
import { CAPABILITY_DEFAULTS, alternativesWithin, applyAlternatives, nameAlternatives, readAlternatives, type AlternativeEntry } from "./alternatives.ts";
import { loadCapabilityNames, type CapabilityNames } from "./cpucaps.ts";
import { decodeA64, type DecodedInstruction } from "./decode.ts";
import { disassemble } from "./disassemble.ts";
import { ObjectError, hex } from "./errors.ts";
import { readKvmExceptionTable } from "./fixups.ts";
import { ObjectFile } from "./object.ts";
import { objdumpWord } from "./objdump.ts";

export interface ObjectFunctionOptions {
  /** The cpucaps header to name capability numbers with, for an object outside its build tree. */
  cpucaps?: string;
}

/** One alternative site of the function, as reports show it. */
export interface AlternativeSite {
  /** Index in .altinstructions. */
  readonly entry: number;
  /** `symbol+0xoff` of the first patched instruction. */
  readonly at: string;
  /** Instruction index of the first patched instruction, and how many. */
  readonly index: number;
  readonly length: number;
  readonly capability: string;
  /** For a callback alternative, the callback (alt_cb_patch_nops). */
  readonly callback?: string;
}

/** An exception-table entry of the function and whether the model can take that path. */
export interface FixupPath {
  /** The instruction that may take the exception, and where it resumes. */
  readonly insn: string;
  readonly insnIndex: number;
  readonly fixup: string;
  /** The fixup's instruction index, when it is inside the function. */
  readonly fixupIndex?: number;
  /** The instruction at the site, as disassembled. */
  readonly text: string;
  readonly reachable: boolean;
  readonly reason: string;
}

/** Why no fixup path of a model run is taken: the model's AT and memory never raise exceptions. */
export const AT_NEVER_FAULTS =
  "the model's AT reports every fault of the translation, stage 1 or stage 2 on the walk, in PAR_EL1 (as AArch64.AT does) and its memory has no external aborts, so AT never takes an exception and the fixup is never run";
export const ACCESS_NEVER_FAULTS =
  "the model's loads, stores and system-register accesses at EL2 do not take exceptions (an UNDEFINED access ends the run with an error instead)";

export interface ObjectFunction {
  readonly object: ObjectFile;
  readonly file: string;
  readonly symbol: string;
  readonly address: bigint;
  /** Bytes. */
  readonly size: number;
  /** The header the capability names come from. */
  readonly capabilityHeader: string;
  /** Every capability the function's alternatives test, by name, sorted. */
  readonly capabilities: readonly string[];
  /**
   * Of those, the ones with a documented default (CAPABILITY_DEFAULTS: ARM64_ALWAYS_SYSTEM and
   * ARM64_ALWAYS_BOOT are present on every system hyp code runs on), for a report to show when
   * no rule names them; the rest are to be enumerated.
   */
  readonly capabilityDefaults: ReadonlyMap<string, { readonly present: boolean; readonly reason: string }>;
  readonly alternatives: readonly AlternativeSite[];
  readonly fixups: readonly FixupPath[];
  /** The function with the alternatives of the present capabilities applied (cached per set). */
  load(present: Iterable<string>): LoadedProgram;
  /** Its machine words with those alternatives applied, as the kernel leaves them in memory. */
  words(present: Iterable<string>): Uint32Array;
  /** Every subset of `capabilities`, smallest first, each sorted: the combinations to load. */
  combinations(): string[][];
}

/** Splits `PATH.o:SYMBOL` at its last colon; undefined if there is no symbol part. */
export function parseObjectReference(ref: string): { path: string; symbol: string } | undefined {
  const colon = ref.lastIndexOf(":");
  if (colon <= 0 || colon === ref.length - 1) return undefined;
  return { path: ref.slice(0, colon), symbol: ref.slice(colon + 1) };
}

export function openObjectFunction(file: string, symbol: string, options: ObjectFunctionOptions = {}): ObjectFunction {
  const object = ObjectFile.open(file);
  const sym = object.functionSymbol(symbol);
  const start = object.symbolAddress(sym);
  if (start % 4n !== 0n) throw object.elf.error(`'${symbol}' starts at ${hex(start)}, which is not 4-byte aligned`);
  const end = start + sym.size;
  const image = object.image;
  const what = `${symbol} (${hex(start)}..${hex(end)})`;

  // Only a function that has alternatives needs its build tree's capability names.
  const patching = alternativesWithin(image, readAlternatives(image), start, end, what);
  const names: CapabilityNames = patching.length > 0 ? loadCapabilityNames(file, options.cpucaps) : { header: "", byNumber: new Map(), byName: new Map() };
  const entries = nameAlternatives(image, patching, names);
  const capabilities = [...new Set(entries.map((e) => e.capability))].sort();
  const indexOf = (address: bigint) => Number((address - start) / 4n);
  const alternatives: AlternativeSite[] = entries.map((e) => ({
    entry: e.index, at: image.describe(e.origin), index: indexOf(e.origin), length: e.origLen / 4, capability: e.capability,
    ...(e.callback !== undefined ? { callback: e.callback } : {}),
  }));

  const inside = (a: bigint) => a >= start && a < end;
  const unpatched = applyAlternatives(image, entries, start, end, new Set());
  const fixups: FixupPath[] = readKvmExceptionTable(image)
    .filter((f) => inside(f.insn))
    .map((f) => {
      const decoded = decodeA64(unpatched[indexOf(f.insn)], f.insn);
      const text = decoded.ok ? disassemble(decoded.insn, { target: (t) => image.describe(t), address: (a) => image.describe(a), ...(decoded.unscaled ? { unscaled: true } : {}) }) : hex(unpatched[indexOf(f.insn)]);
      return {
        insn: image.describe(f.insn), insnIndex: indexOf(f.insn), fixup: image.describe(f.fixup),
        ...(inside(f.fixup) ? { fixupIndex: indexOf(f.fixup) } : {}),
        text, reachable: false, reason: decoded.ok && decoded.insn.op === "at" ? AT_NEVER_FAULTS : ACCESS_NEVER_FAULTS,
      };
    });

  const cache = new Map<string, LoadedProgram>();
  const load = (present: Iterable<string>): LoadedProgram => {
    const set = new Set(present);
    const key = capabilities.filter((c) => set.has(c)).join(",");
    let program = cache.get(key);
    if (program === undefined) {
      program = loadFunction(object, symbol, start, end, entries, set);
      cache.set(key, program);
    }
    return program;
  };

  return {
    object, file, symbol, address: start, size: Number(sym.size), capabilityHeader: names.header, capabilities, alternatives, fixups, load,
    capabilityDefaults: new Map(capabilities.flatMap((c) => { const d = CAPABILITY_DEFAULTS.get(c); return d === undefined ? [] : [[c, d] as const]; })),
    words: (present) => applyAlternatives(image, entries, start, end, new Set(present)),
    combinations: () => subsets(capabilities),
  };
}

function subsets(items: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let mask = 0; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out.sort((a, b) => a.length - b.length || (a.join(",") < b.join(",") ? -1 : a.join(",") > b.join(",") ? 1 : 0));
}

function loadFunction(object: ObjectFile, symbol: string, start: bigint, end: bigint, entries: readonly AlternativeEntry[], present: ReadonlySet<string>): LoadedProgram {
  const image = object.image;
  const words = applyAlternatives(image, entries, start, end, present);
  const applied = entries.filter((e) => present.has(e.capability));
  const patchedBy = (address: bigint) => applied.find((e) => address >= e.origin && address < e.origin + BigInt(e.origLen));
  const instructions: LoadedInstruction[] = [];
  for (let i = 0; i < words.length; i++) {
    const address = start + BigInt(i) * 4n;
    const where = image.describe(address);
    const decoded = decodeA64(words[i], address);
    if (!decoded.ok) {
      const objdump = objdumpWord(words[i]);
      const by = patchedBy(address);
      const origin = by === undefined ? "" : ` (patched in by .altinstructions entry ${by.index}, ${by.capability})`;
      throw new ObjectError(object.file, `${where}: ${hex8(words[i])} (${objdump === undefined ? "objdump not available" : `objdump: ${objdump}`})${origin}: the model does not run ${decoded.reason}`);
    }
    const insn = resolveTargets(decoded.insn, (t) => {
      if (t >= start && t < end) {
        if ((t - start) % 4n !== 0n) throw new ObjectError(object.file, `${where}: a branch to ${image.describe(t)}, which is not on an instruction boundary`);
        return { kind: "index", index: Number((t - start) / 4n) };
      }
      return { kind: "external", name: image.describe(t) };
    });
    const text = disassemble(decoded.insn, { target: (t) => image.describe(t), address: (a) => image.describe(a), ...(decoded.unscaled ? { unscaled: true } : {}) });
    instructions.push({ insn, loc: { file: object.file, line: 0, column: 0, symbol: where }, text });
  }
  return { file: object.file, capabilities: present, instructions, labels: new Map([[symbol, 0]]) };
}

function hex8(w: number): string {
  return `0x${(w >>> 0).toString(16).padStart(8, "0")}`;
}

function resolveTargets(insn: DecodedInstruction, resolve: (t: bigint) => ResolvedTarget): Instruction<ResolvedTarget> {
  switch (insn.op) {
    case "b": return { ...insn, target: resolve(insn.target) };
    case "bcond": return { ...insn, target: resolve(insn.target) };
    case "cbz": return { ...insn, target: resolve(insn.target) };
    case "tbz": return { ...insn, target: resolve(insn.target) };
    default: return insn;
  }
}
