// A HandlerTarget for an assembly file in the GNU as subset src/runtime/asm reads (e.g.
// refs/kvm-2016-before.S): parsed once, loaded once per capability set (alternatives patched),
// run from the EL2 synchronous vector's entry label on the scenario's machine, and the fault
// record read back from the vcpu structure with a RecordLayout (default: the 2016 kvm layout).
import { readFileSync } from "node:fs";
import { AsmError, formatLocation } from "../asm/errors.ts";
import { parseProgram } from "../asm/parser.ts";
import { loadProgram, type LoadedProgram, type ParsedProgram } from "../asm/program.ts";
import { Machine } from "../machine/machine.ts";
import type { Bits } from "../semantics/concrete-domain.ts";
import type { AccessBytes } from "../semantics/instruction.ts";
import { scenarioMachineSetup, type Scenario } from "../scenario/index.ts";
import { KVM_2016_RECORD_LAYOUT, readRecord } from "./layout.ts";
import { handlerExit, runMachineCode } from "./machine-code.ts";
import { replayTrace } from "./tracing.ts";
import { HandlerRunError, type HandlerTarget, type Outcome, type RecordLayout, type RunOptions, type RunResult } from "./types.ts";

/** The EL2 vector entry for a synchronous exception from a lower EL, in KVM's hyp-entry.S. */
export const DEFAULT_ENTRY = "el1_sync";

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
    const key = [...new Set(caps)].sort().join(",");
    let p = this.loaded.get(key);
    if (p === undefined) {
      p = loadProgram(this.program, key === "" ? [] : key.split(","));
      this.loaded.set(key, p);
    }
    return p;
  }

  run(scenario: Scenario, opts: RunOptions = {}): RunResult {
    const { config, meta } = scenarioMachineSetup(scenario, { deriveCapabilitiesFromMidr: opts.deriveCapabilitiesFromMidr ?? true });
    const replay = opts.trace ? new Machine({ ...config, memory: config.memory?.clone() }) : undefined;
    const m = new Machine(config);
    const program = this.load(m.capabilities);
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

    const sysregs = new Map<string, bigint>([["PAR_EL1", m.getSysreg("PAR_EL1")], ...r.sysregWrites]);
    const sortedSysregs = new Map([...sysregs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const guestX = (i: number): bigint => config.x?.[i] ?? config.unknown?.x(i) ?? 0n;
    const entryPar = config.sysregs?.PAR_EL1 ?? 0n;
    const retry = outcome === "retry";
    const gprsRestored = retry ? Array.from({ length: 31 }, (_, i) => m.getX(i) === guestX(i)).every(Boolean) : undefined;
    const spRestored = retry ? m.getSP() === config.sp : undefined;

    return {
      outcome,
      ...(exitCode !== undefined ? { exitCode } : {}),
      fault,
      sysregs: sortedSysregs,
      ...(gprsRestored !== undefined ? { gprsRestored } : {}),
      ...(spRestored !== undefined ? { spRestored } : {}),
      parPreserved: m.getSysreg("PAR_EL1") === entryPar,
      steps: r.steps,
      meta,
      trace: replay === undefined ? [] : replayTrace(program, replay, r.trace, m),
    };
  }
}
