// What executing one instruction does to control flow. The concrete driver evaluates `cond` and
// follows it; a symbolic driver forks on it.

/** The symbol the kernel's hyp code branches to to leave the guest: x0 = vcpu, x1 = exit code. */
export const GUEST_EXIT_SYMBOL = "__guest_exit";

export type ExitOutcome<V> =
  /** b __guest_exit: the run ends with the exception code the handler left in x1. */
  | { kind: "guest-exit"; exitCode: V }
  /** eret: back to the guest. */
  | { kind: "eret" }
  /** A branch to another named routine outside the program (e.g. __fpsimd_guest_restore). */
  | { kind: "handler"; name: string }
  /** ret: the function returns to its caller, at `target` (X[n], normally the link register). */
  | { kind: "return"; target: V }
  /** brk #imm16: a Breakpoint Instruction exception to EL2, where the kernel panics (BUG()). */
  | { kind: "breakpoint"; imm16: number };

export type ControlEffect<V, B> =
  | { kind: "next" }
  | { kind: "branch"; cond: B; target: number }
  | { kind: "exit"; cond: B; outcome: ExitOutcome<V> };
