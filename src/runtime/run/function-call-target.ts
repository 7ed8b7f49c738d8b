// A HandlerTarget for a compiled function that does part of a handler's work (a function of an
// object, PATH.o:SYMBOL): the scenario's machine, as at the trap, then a call as its caller makes
// it (AAPCS64): the argument registers set from the trap's inputs, x30 a return address that is
// no code's, SP the hyp stack. The function runs on the interpreter until it returns there; the
// value it returns (x0, or w0) is mapped to a handler outcome, and the record is read where the
// pointer argument pointed. What the arguments are, where the function is called and what each
// returned value means come from outside (src/sides, from a rule file's binding), as functions of
// the inputs over any bit-vector domain, so that the prover computes the same ones symbolically.
import { formatLocation } from "../asm/errors.ts";
import type { LoadedProgram } from "../asm/program.ts";
import type { Outcome as HandlerOutcome } from "../hyp/api.ts";
import { Machine } from "../machine/machine.ts";
import type { Scenario } from "../scenario/index.ts";
import { runMachine } from "./scenario-machine.ts";
import { concreteDomain, type Bits } from "../semantics/concrete-domain.ts";
import type { BitVecDomain } from "../semantics/domain.ts";
import { readRecord } from "./layout.ts";
import { handlerExit, runMachineCode } from "./machine-code.ts";
import { replayTrace } from "./tracing.ts";
import { HandlerRunError, type HandlerTarget, type Outcome, type RecordLayout, type RunOptions, type RunResult } from "./types.ts";

/**
 * x30 at the call: the address the function returns to. No code is there; a `ret` to it is the
 * function's return to its caller, and a `ret` anywhere else is an error.
 */
export const CALLER_RETURN_ADDRESS = 0xffff_8000_c0de_0000n;

/** AAPCS64's callee-saved registers: a function gives them back as it found them (and SP). */
export const CALLEE_SAVED = [19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29] as const;

/** What a call's values are computed from: the PE's state at the trap, over some domain. */
export interface CallInputs<V> {
  /** A system register's value at the trap, by its name. */
  sysreg(name: string): V;
  /** What an mrs of the encoding `name` reads at EL2 at the call (E2H redirection included). */
  mrs(name: string): V;
  readonly caps: ReadonlySet<string>;
  /** The vcpu structure's address (TPIDR_EL2). */
  readonly vcpu: V;
}

/** A capability fixed by how the code was built or by a documented default, whatever the scenario says. */
export interface FixedCapability {
  readonly present: boolean;
  readonly reason: string;
}

/** How the function is called and what its return means. */
export interface FunctionCall {
  /** The registers the caller sets (x0..x7), by index, from the inputs; x30 and SP are the target's. */
  entryRegisters<V, B>(d: BitVecDomain<V, B>, inputs: CallInputs<V>): ReadonlyMap<number, V>;
  /** Whether the caller calls the function on these inputs. */
  called<V, B>(d: BitVecDomain<V, B>, inputs: CallInputs<V>): B;
  /** Where it is called, in words (the rule file's condition and its place), for errors. */
  readonly calledText: string;
  /** The width of the returned register (w0: 32, x0: 64) and the outcome of each value it names. */
  readonly returns: { readonly width: 32 | 64; readonly cases: readonly { readonly value: bigint; readonly outcome: HandlerOutcome }[] };
  /** Capabilities present or absent on every system the code runs on. */
  readonly fixedCapabilities: ReadonlyMap<string, FixedCapability>;
}


/** The outcome of a returned value `value` that the call's mapping does not name: an outcome of its own. */
export function unmappedReturn(value: bigint): Outcome {
  return `returns 0x${value.toString(16)}`;
}

/** The scenario's capabilities with the fixed ones applied; a scenario naming a capability the code never runs with is an error. */
export function withFixedCapabilities(label: string, caps: readonly string[], fixed: ReadonlyMap<string, FixedCapability>): string[] {
  const out = new Set(caps);
  for (const [name, f] of [...fixed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (f.present) out.add(name);
    else if (out.has(name)) throw new HandlerRunError(`${label}: error: the scenario has ${name}, but this code never runs with it: ${f.reason}`);
  }
  return [...out].sort();
}

/** The values of a call over the concrete domain, on a machine as at the trap. */
export function concreteCallInputs(m: Machine, vcpu: bigint): CallInputs<Bits> {
  return {
    sysreg: (name) => concreteDomain.const(m.getSysreg(name), 64),
    mrs: (name) => m.readSysreg(m.resolveSysreg(name, "read")),
    caps: m.capabilities,
    vcpu: concreteDomain.const(vcpu, 64),
  };
}

export class FunctionCallTarget implements HandlerTarget {
  constructor(
    readonly label: string,
    readonly layout: RecordLayout,
    /** The function with the alternatives of a capability set applied. */
    private readonly load: (caps: Iterable<string>) => LoadedProgram,
    /** Its label in the loaded program. */
    readonly entry: string,
    readonly call: FunctionCall,
  ) {}

  run(scenario: Scenario, opts: RunOptions = {}): RunResult {
    const caps = withFixedCapabilities(this.label, scenario.caps, this.call.fixedCapabilities);
    const s: Scenario = { ...scenario, caps };
    // The scenario's machine (a copy of its shape's template, runMachine); the caller's
    // registers are computed on it as it stands at the trap (they read system registers, never memory).
    const { machine: m, meta } = runMachine(s, opts);
    const inputs = concreteCallInputs(m, meta.vcpu);
    if (!this.call.called(concreteDomain, inputs)) {
      throw new HandlerRunError(`${this.label}: error: the function is not called on this scenario (${this.call.calledText})`);
    }
    // The guest's X0-X30 as the trap leaves them (drawn now: the call's entry registers replace some).
    const x: bigint[] = [];
    for (let i = 0; i <= 30; i++) x.push(m.getX(i));
    for (const [i, v] of this.call.entryRegisters(concreteDomain, inputs)) x[i] = v.value;
    x[30] = CALLER_RETURN_ADDRESS;
    const atCall = (machine: Machine): Machine => {
      x.forEach((v, i) => machine.setX(i, v));
      return machine;
    };
    atCall(m);
    const replay = opts.trace ? atCall(runMachine(s, opts).machine) : undefined;
    const program = this.load(m.capabilities);
    const r = runMachineCode(program, m, this.entry, opts);

    let outcome: Outcome;
    let exitCode: bigint | undefined;
    let returned: bigint | undefined;
    const left = handlerExit(r.outcome, program);
    if (left !== undefined) ({ outcome, exitCode } = left);
    else if (r.outcome.kind === "breakpoint") {
      // brk is the kernel's BUG(): the machine takes the exception and the run ends there.
      outcome = `brk #0x${r.outcome.imm16.toString(16)}`;
    } else if (r.outcome.kind === "return") {
      if (r.outcome.target !== CALLER_RETURN_ADDRESS) {
        const last = program.instructions[r.trace[r.trace.length - 1]];
        throw new HandlerRunError(`${formatLocation(last.loc)}: error: '${last.text.trim()}' returns to 0x${r.outcome.target.toString(16)}, not to the caller (x30 was 0x${CALLER_RETURN_ADDRESS.toString(16)} at the call)`);
      }
      returned = m.getX(0);
      const value = this.call.returns.width === 32 ? returned & 0xffff_ffffn : returned;
      const mapped = this.call.returns.cases.find((c) => c.value === value)?.outcome;
      if (mapped === undefined) outcome = unmappedReturn(value);
      else if (mapped.kind === "exit") [outcome, exitCode] = ["exit", mapped.code];
      else outcome = mapped.kind === "retry" ? "retry" : mapped.target;
    } else throw new Error(`internal: no outcome for ${r.outcome.kind}`);

    const fault = readRecord(m.memory, meta.vcpu, this.layout);
    // PAR_EL1 and every register written, by name (writtenSysregs is in name order already).
    const sysregs = m.writtenSysregs("PAR_EL1");
    const calleeSavedRestored = returned === undefined ? undefined : CALLEE_SAVED.every((i) => m.getX(i) === x[i]) && m.getSP() === meta.stackTop;
    const parPreserved = m.getSysreg("PAR_EL1") === s.par;
    const trace = replay === undefined ? [] : replayTrace(program, replay, r.trace, m);
    // Nothing of the machines outlives the run: their pages serve the next scenario's machine.
    m.memory.release();
    replay?.memory.release();
    return {
      outcome,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(returned !== undefined ? { returned } : {}),
      fault,
      sysregs,
      ...(calleeSavedRestored !== undefined ? { calleeSavedRestored } : {}),
      parPreserved,
      steps: r.steps,
      meta,
      trace,
    };
  }
}
