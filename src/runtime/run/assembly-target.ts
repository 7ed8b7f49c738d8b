// A HandlerTarget for an assembly file in the GNU as subset src/runtime/asm reads (e.g.
// refs/kvm-2016-before.S): parsed once, loaded once per capability set (alternatives patched),
// run from the EL2 synchronous vector's entry label on the scenario's machine, and the fault
// record read back from the vcpu structure with a RecordLayout (default: the 2016 kvm layout).
import { readFileSync } from "node:fs";
import { AsmError, formatLocation } from "../asm/errors.ts";
import { parseProgram } from "../asm/parser.ts";
import { loadProgram, type LoadedProgram, type ParsedProgram } from "../asm/program.ts";
import type { Scenario } from "../scenario/index.ts";
import { scenarioGuestX } from "../scenario/machine.ts";
import { runMachine } from "./scenario-machine.ts";
import { KVM_2016_RECORD_LAYOUT, readRecord } from "./layout.ts";
import { handlerExit, runMachineCode } from "./machine-code.ts";
import { replayTrace } from "./tracing.ts";
import { HandlerRunError, type HandlerTarget, type RecordLayout, type RunOptions, type RunResult, type TraceEntry } from "./types.ts";

/** The EL2 vector entry for a synchronous exception from a lower EL, in KVM's hyp-entry.S. */
export const DEFAULT_ENTRY = "el1_sync";

const NO_TRACE: readonly TraceEntry[] = Object.freeze([]);
const X_INDICES = Array.from({ length: 31 }, (_, i) => i);

export interface AssemblyTargetOptions {
  /** Entry label (default el1_sync). */
  entry?: string;
  layout?: RecordLayout;
  /** How results and errors name the target (default the file name). */
  label?: string;
}

export class AssemblyTarget implements HandlerTarget {
  readonly label: string;
  readonly layout: RecordLayout;
  readonly entry: string;
  private readonly loaded = new Map<string, LoadedProgram>();

  constructor(
    readonly program: ParsedProgram,
    options: AssemblyTargetOptions = {},
  ) {
    this.label = options.label ?? program.file;
    this.layout = options.layout ?? KVM_2016_RECORD_LAYOUT;
    this.entry = options.entry ?? DEFAULT_ENTRY;
    // Load once now so that undefined symbols and a missing entry label are reported up front.
    const plain = this.load([]);
    if (!plain.labels.has(this.entry)) throw new HandlerRunError(`${program.file}: error: no label '${this.entry}' (the entry point) in the program`);
  }

  /** Parses `source`; throws AsmError (`file:line:col: error: ...`) for bad assembly. */
  static fromSource(source: string, file: string, options: AssemblyTargetOptions = {}): AssemblyTarget {
    return new AssemblyTarget(parseProgram(source, { file }), options);
  }

  /** Reads and parses `file`; an unreadable file is an AsmError at 1:1. */
  static fromFile(file: string, options: AssemblyTargetOptions = {}): AssemblyTarget {
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch (e) {
      const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : "unreadable";
      throw new AsmError({ file, line: 1, column: 1 }, `cannot read '${file}' (${why})`);
    }
    return AssemblyTarget.fromSource(source, file, options);
  }

  /** The program with alternatives patched for `caps` (cached per capability set). */
  load(caps: Iterable<string>): LoadedProgram {
    return this.loadByKey([...new Set(caps)].sort().join(","));
  }

  /** load(caps) by its key: the capabilities sorted and joined with commas (Machine.capabilitiesKey). */
  private loadByKey(key: string): LoadedProgram {
    let p = this.loaded.get(key);
    if (p === undefined) {
      p = loadProgram(this.program, key === "" ? [] : key.split(","));
      this.loaded.set(key, p);
    }
    return p;
  }

  run(scenario: Scenario, opts: RunOptions = {}): RunResult {
    // The scenario's machine as a copy of its shape's template (runMachine), as the C-like
    // variants' target makes it: the trap builder, both variants and a re-run with another HPFAR
    // share the template's tables instead of building a machine from a description each.
    const { machine: m, meta } = runMachine(scenario, opts);
    const replay = opts.trace ? runMachine(scenario, opts).machine : undefined;
    // (The machine's key of its capabilities is made once per template, not per run.)
    const program = this.loadByKey(m.capabilitiesKey);
    const r = runMachineCode(program, m, this.entry, opts);
    const left = handlerExit(r.outcome, program);
    if (left === undefined) {
      // A vector handler has no caller to return to, and brk is the kernel's BUG().
      const last = program.instructions[r.trace[r.trace.length - 1]];
      throw new HandlerRunError(`${formatLocation(last.loc)}: error: '${last.text.trim()}' ends the handler ${r.outcome.kind === "return" ? "by returning" : "with a breakpoint exception"}; it must leave through b __guest_exit, eret or a hand-off`);
    }
    const { outcome, exitCode } = left;

    // Every field of the record, as it stands in the vcpu after the handler (fields start at zero).
    const fault = readRecord(m.memory, meta.vcpu, this.layout);

    // PAR_EL1 and every register written, by name (writtenSysregs is in name order already).
    const sysregs = m.writtenSysregs("PAR_EL1");
    const retry = outcome === "retry";
    // The guest's X0-X30 are the seed's (a scenario gives none itself), SP_EL2 the stack top.
    // (A register the run never touched still holds the value it would draw: only the others are compared.)
    const gprsRestored = retry ? X_INDICES.every((i) => {
      const v = m.touchedX(i);
      return v === undefined || v === scenarioGuestX(scenario.seed, i);
    }) : undefined;
    const spRestored = retry ? m.getSP() === meta.stackTop : undefined;
    const parPreserved = m.getSysreg("PAR_EL1") === scenario.par;
    const trace = replay === undefined ? NO_TRACE : replayTrace(program, replay, r.trace, m);
    // Nothing of the machines outlives the run: their pages serve the next scenario's machine.
    m.memory.release();
    replay?.memory.release();

    return {
      outcome,
      ...(exitCode !== undefined ? { exitCode } : {}),
      fault,
      sysregs,
      ...(gprsRestored !== undefined ? { gprsRestored } : {}),
      ...(spRestored !== undefined ? { spRestored } : {}),
      parPreserved,
      steps: r.steps,
      meta,
      trace,
    };
  }
}
