// System instructions: MRS, MSR (register), AT, barriers and hints (Arm ARM aarch64/instrs/system/*).
import type { BitVecDomain } from "./domain.ts";
import type { Instruction } from "./instruction.ts";
import { readReg, writeReg } from "./registers.ts";
import type { ArchState } from "./state.ts";

type Insn<K extends Instruction["op"]> = Extract<Instruction, { op: K }>;

/** MRS <Xt>, <systemreg>: AArch64.SysRegRead of the register the access resolves to. */
export function moveFromSystemRegister<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"mrs">): void {
  const name = s.resolveSysreg(i.sysreg, "read");
  writeReg(d, s, i.rt, s.readSysreg(name));
}

/** MSR <systemreg>, <Xt>: AArch64.SysRegWrite. */
export function moveToSystemRegister<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"msr">): void {
  const name = s.resolveSysreg(i.sysreg, "write");
  s.writeSysreg(name, readReg(d, s, i.rt, 64));
}

/**
 * AT S1E1R/S1E1W, <Xt> (AArch64.AT): a stage-1 EL1&0 translation of X[t] whose result, success or
 * fault, goes to PAR_EL1. A translation fault is reported there, not taken as an exception.
 */
export function addressTranslate<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"at">): void {
  const par = s.addressTranslate(i.kind, readReg(d, s, i.rt, 64));
  s.writeSysreg("PAR_EL1", par);
}
