// One entry point for the semantics of every instruction: executeInstruction(domain, state, insn)
// updates the state and returns the control effect. The concrete interpreter and the symbolic
// executor both call this; neither contains instruction semantics of its own.
import type { BitVecDomain } from "./domain.ts";
import type { ControlEffect } from "./effect.ts";
import type { Instruction } from "./instruction.ts";
import type { ArchState } from "./state.ts";
import {
  addSubImmediate, addSubRegister, bitfieldMove, conditionalCompare, conditionalSelect, formAddress,
  logicalImmediate, logicalRegister, moveWide, shiftVariable,
} from "./data-processing.ts";
import {
  branch, branchConditional, breakpoint, compareAndBranch, exceptionReturn, returnFromFunction, testAndBranch,
} from "./control-flow.ts";
import { loadStore, loadStorePair } from "./memory-access.ts";
import { addressTranslate, moveFromSystemRegister, moveToSystemRegister } from "./system.ts";

/** The effect of every instruction that falls through to the next (one object: effects are never changed). */
const NEXT: { readonly kind: "next" } = Object.freeze({ kind: "next" });

export function executeInstruction<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, insn: Instruction): ControlEffect<V, B> {
  switch (insn.op) {
    case "movewide": moveWide(d, s, insn); break;
    case "addsub-imm": addSubImmediate(d, s, insn); break;
    case "addsub-reg": addSubRegister(d, s, insn); break;
    case "logical-imm": logicalImmediate(d, s, insn); break;
    case "logical-reg": logicalRegister(d, s, insn); break;
    case "shift-reg": shiftVariable(d, s, insn); break;
    case "bitfield": bitfieldMove(d, s, insn); break;
    case "condcmp": conditionalCompare(d, s, insn); break;
    case "condsel": conditionalSelect(d, s, insn); break;
    case "adr": formAddress(d, s, insn); break;
    case "ldst": loadStore(d, s, insn); break;
    case "ldstp": loadStorePair(d, s, insn); break;
    case "mrs": moveFromSystemRegister(d, s, insn); break;
    case "msr": moveToSystemRegister(d, s, insn); break;
    case "at": addressTranslate(d, s, insn); break;
    // Barriers order memory and context changes; the model executes one instruction at a time in
    // order with no caches or TLBs, so they have no effect on its state.
    case "barrier": case "nop": break;
    // The hints the decoder accepts (PAC*/AUT*/XPACLRI, BTI, CSDB, ESB) are NOPs on a PE without
    // FEAT_PAuth, FEAT_BTI and FEAT_RAS that does not speculate: the model's PE.
    case "hint": break;
    case "b": return branch(d, s, insn);
    case "bcond": return branchConditional(d, s, insn);
    case "cbz": return compareAndBranch(d, s, insn);
    case "tbz": return testAndBranch(d, s, insn);
    case "ret": return returnFromFunction(d, s, insn);
    case "brk": return breakpoint(d, insn);
    case "eret": return exceptionReturn(d);
  }
  return NEXT;
}
