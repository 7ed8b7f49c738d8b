// Branches and exception return (Arm ARM aarch64/instrs/branch/*), generic over the domain.
import type { BitVecDomain } from "./domain.ts";
import { isZero } from "./domain.ts";
import { conditionHolds } from "./flags.ts";
import { GUEST_EXIT_SYMBOL, type ControlEffect } from "./effect.ts";
import type { Instruction, ResolvedTarget } from "./instruction.ts";
import { readReg } from "./registers.ts";
import type { ArchState } from "./state.ts";

type Insn<K extends Instruction["op"]> = Extract<Instruction, { op: K }>;

/** A taken branch (when `cond`) to a program index or to an external routine. */
export function branchTo<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, target: ResolvedTarget, cond: B): ControlEffect<V, B> {
  if (target.kind === "index") return { kind: "branch", cond, target: target.index };
  if (target.name === GUEST_EXIT_SYMBOL) {
    // The kernel's __guest_exit takes the vcpu in x0 and the exception code in x1.
    return { kind: "exit", cond, outcome: { kind: "guest-exit", exitCode: readReg(d, s, { kind: "x", index: 1 }, 64) } };
  }
  return { kind: "exit", cond, outcome: { kind: "handler", name: target.name } };
}

/** B (branch/unconditional/immediate). */
export function branch<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"b">): ControlEffect<V, B> {
  return branchTo(d, s, i.target, d.true);
}

/** B.cond (branch/conditional/cond): taken when ConditionHolds(cond). */
export function branchConditional<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"bcond">): ControlEffect<V, B> {
  return branchTo(d, s, i.target, conditionHolds(d, i.cond, s.readFlags()));
}

/** CBZ/CBNZ (branch/conditional/compare): taken when IsZero(X[t]) != iszero-inverted. */
export function compareAndBranch<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"cbz">): ControlEffect<V, B> {
  const zero = isZero(d, readReg(d, s, i.rt, i.width));
  return branchTo(d, s, i.target, i.nonzero ? d.notB(zero) : zero);
}

/** TBZ/TBNZ (branch/conditional/test): taken when X[t]<bit_pos> == op. */
export function testAndBranch<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"tbz">): ControlEffect<V, B> {
  const bit = d.isOne(d.extract(readReg(d, s, i.rt, 64), i.bit, i.bit));
  return branchTo(d, s, i.target, i.nonzero ? bit : d.notB(bit));
}

/** RET (branch/unconditional/register): BranchTo(X[n]) out of the function: the run ends. */
export function returnFromFunction<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"ret">): ControlEffect<V, B> {
  return { kind: "exit", cond: d.true, outcome: { kind: "return", target: readReg(d, s, i.rn, 64) } };
}

/**
 * BRK (system/exceptions/debug/breakpoint): AArch64.SoftwareBreakpoint(imm16), an exception to
 * EL2 from EL2; the model does not run the exception vector, so the run ends there.
 */
export function breakpoint<V, B>(d: BitVecDomain<V, B>, i: Insn<"brk">): ControlEffect<V, B> {
  return { kind: "exit", cond: d.true, outcome: { kind: "breakpoint", imm16: i.imm16 } };
}

/** ERET (branch/unconditional/eret): the run ends by returning to the guest. */
export function exceptionReturn<V, B>(d: BitVecDomain<V, B>): ControlEffect<V, B> {
  return { kind: "exit", cond: d.true, outcome: { kind: "eret" } };
}
