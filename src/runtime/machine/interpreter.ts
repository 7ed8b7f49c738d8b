// The concrete interpreter: runs a loaded program on a Machine from an entry label until it leaves
// (b __guest_exit, eret, a branch to another external routine, ret, or brk), by calling the shared instruction
// semantics with the concrete domain and following each branch whose condition evaluates true.
import type { LoadedProgram } from "../asm/program.ts";
import { formatLocation, type SourceLocation } from "../asm/errors.ts";
import { concreteDomain, type Bits } from "../semantics/concrete-domain.ts";
import type { ExitOutcome } from "../semantics/effect.ts";
import { executeInstruction } from "../semantics/execute.ts";
import type { Machine } from "./machine.ts";

export type RunOutcome =
  | { kind: "guest-exit"; exitCode: bigint }
  | { kind: "eret" }
  | { kind: "handler"; name: string }
  /** ret: a function returned to `target`; its result is in x0. */
  | { kind: "return"; target: bigint }
  /** brk: the code took a Breakpoint exception (the kernel's BUG()). */
  | { kind: "breakpoint"; imm16: number };

export interface RunResult {
  readonly outcome: RunOutcome;
  /** Instructions executed. */
  readonly steps: number;
  /** Every system register the run wrote (msr, and PAR_EL1 by AT), with its final value, by name. */
  readonly sysregWrites: ReadonlyMap<string, bigint>;
  /** Instruction indices in execution order. */
  readonly trace: readonly number[];
}

export interface RunOptions {
  /** A global label or an instruction index; defaults to 0. */
  entry?: string | number;
  /** Guards against a handler that loops; default 100000. */
  maxSteps?: number;
}

/** A run that cannot continue: an UNDEFINED access, running off the program, too many steps. */
export class RunError extends Error {
  constructor(
    readonly loc: SourceLocation | undefined,
    readonly reason: string,
  ) {
    super(loc === undefined ? `error: ${reason}` : `${formatLocation(loc)}: error: ${reason}`);
    this.name = "RunError";
  }
}

export function runProgram(program: LoadedProgram, machine: Machine, options: RunOptions = {}): RunResult {
  const maxSteps = options.maxSteps ?? 100_000;
  let pc = entryIndex(program, options.entry ?? 0);
  const trace: number[] = [];
  machine.clearWrittenSysregs();
  for (let steps = 0; ; ) {
    if (steps >= maxSteps) throw new RunError(program.instructions[pc]?.loc, `no exit after ${maxSteps} instructions`);
    const current = program.instructions[pc];
    if (current === undefined) {
      const last = program.instructions[program.instructions.length - 1];
      throw new RunError(last?.loc, `ran off the end of the program (instruction ${pc})`);
    }
    trace.push(pc);
    steps++;
    let effect;
    try {
      effect = executeInstruction(concreteDomain, machine, current.insn);
    } catch (e) {
      throw new RunError(current.loc, `${current.text}: ${e instanceof Error ? e.message : String(e)}`);
    }
    switch (effect.kind) {
      case "next":
        pc++;
        break;
      case "branch":
        pc = effect.cond ? effect.target : pc + 1;
        break;
      case "exit":
        if (!effect.cond) {
          pc++;
          break;
        }
        return {
          outcome: concreteOutcome(effect.outcome),
          steps,
          sysregWrites: machine.writtenSysregs(),
          trace,
        };
    }
  }
}

function concreteOutcome(o: ExitOutcome<Bits>): RunOutcome {
  switch (o.kind) {
    case "guest-exit": return { kind: "guest-exit", exitCode: o.exitCode.value };
    case "return": return { kind: "return", target: o.target.value };
    default: return o;
  }
}

function entryIndex(program: LoadedProgram, entry: string | number): number {
  if (typeof entry === "number") return entry;
  const index = program.labels.get(entry);
  if (index === undefined) throw new RunError(undefined, `no label '${entry}' in ${program.file}`);
  return index;
}
