// What running a fault handler on a scenario gives, independent of how the handler is written
// (assembly today; C and assembly generated from rule files later implement the same interface).
import type { Scenario, ScenarioMetadata } from "../scenario/index.ts";

/** The fault record's fields in the vcpu structure: name -> offset from the vcpu base, size in bytes. */
export type RecordLayout = Readonly<Record<string, { readonly offset: number; readonly size: 1 | 2 | 4 | 8 }>>;

/**
 * exit: the handler left to the host (b __guest_exit) with exitCode;
 * retry: it re-entered the guest (eret);
 * anything else: it branched to that external handler, by the rule language's name (host_hvc, ...);
 * a function target (FunctionCallTarget) also ends with "returns 0xV", a returned value its
 * mapping does not name, or "brk #0xN", the kernel's BUG() (outcomes of their own, with a space,
 * so that no handler's name is one).
 */
export type Outcome = "exit" | "retry" | (string & {});

export interface TraceEntry {
  /** Instruction index in the loaded program (or a target-defined step number). */
  readonly index: number;
  /** file:line:col of the statement. */
  readonly loc: string;
  /** The statement as written. */
  readonly text: string;
  /** Registers written, by name (x0..x30, sp, nzcv, system register names), with the value written. */
  readonly writes: ReadonlyMap<string, bigint>;
  /** Memory written: address, size in bytes, value. */
  readonly stores: readonly { readonly address: bigint; readonly size: number; readonly value: bigint }[];
}

export interface RunResult {
  readonly outcome: Outcome;
  /** For outcome "exit": the exception code the handler passed to the host (x1). */
  readonly exitCode?: bigint;
  /** For a function target that returned: x0 as it returned it (the outcome is what its mapping makes of it). */
  readonly returned?: bigint;
  /** Every field of the fault record, by name, as the handler left it (fields start at zero), in layout order. */
  readonly fault: ReadonlyMap<string, bigint>;
  /** PAR_EL1 (always) and every system register the handler wrote, final values, sorted by name. */
  readonly sysregs: ReadonlyMap<string, bigint>;
  /**
   * For outcome "retry": whether X0-X30 are back to the guest's values (and SP_EL2 to its value at
   * entry), which re-entering the guest requires.
   */
  readonly gprsRestored?: boolean;
  readonly spRestored?: boolean;
  /** For a function target that returned: x19-x29 and SP are as at the call (AAPCS64's callee-saved registers). */
  readonly calleeSavedRestored?: boolean;
  /** PAR_EL1 at the end equals the guest's PAR_EL1 at entry (it belongs to the guest). */
  readonly parPreserved: boolean;
  /** Instructions executed. */
  readonly steps: number;
  /** The seed, capabilities and arbitrary values of the scenario machine. */
  readonly meta: ScenarioMetadata;
  /** Per executed instruction; empty unless RunOptions.trace. */
  readonly trace: readonly TraceEntry[];
}

export interface RunOptions {
  /** Record a TraceEntry per executed instruction. */
  trace?: boolean;
  /** Add the capabilities implied by the scenario's MIDR (default true). */
  deriveCapabilitiesFromMidr?: boolean;
  /** Step limit of one run (default 100000). */
  maxSteps?: number;
}

export interface HandlerTarget {
  /** How the target was named (e.g. refs/kvm-2016-before.S). */
  readonly label: string;
  readonly layout: RecordLayout;
  run(scenario: Scenario, opts?: RunOptions): RunResult;
}

/** A run that could not complete: a located message `file:line:col: error: ...` or `error: ...`. */
export class HandlerRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HandlerRunError";
  }
}
