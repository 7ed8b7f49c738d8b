// Register operand access with the Arm ARM's X[]/SP[] rules: a W read is the low 32 bits of X; a W
// write zero-extends into X; register 31 is ZR (reads 0, writes discarded) or SP depending on the
// operand, which the decoded instruction already says.
import type { BitVecDomain } from "./domain.ts";
import type { GpRegister, RegWidth } from "./instruction.ts";
import type { ArchState } from "./state.ts";

export function readReg<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, reg: GpRegister, width: RegWidth): V {
  let full: V;
  switch (reg.kind) {
    case "zr": return d.const(0n, width);
    case "sp": full = s.readSP(); break;
    case "x": full = s.readX(reg.index); break;
  }
  return width === 64 ? full : d.extract(full, 31, 0);
}

export function writeReg<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, reg: GpRegister, value: V): void {
  const w = d.width(value);
  if (w !== 32 && w !== 64) throw new Error(`register write of a ${w}-bit value`);
  const full = w === 64 ? value : d.zeroExtend(value, 64);
  switch (reg.kind) {
    case "zr": return;
    case "sp": s.writeSP(full); return;
    case "x": s.writeX(reg.index, full); return;
  }
}

/** ShiftReg(reg, shift_type, amount) from the Arm ARM, for a constant amount. */
export function shiftRegister<V, B>(
  d: BitVecDomain<V, B>,
  value: V,
  shift: "lsl" | "lsr" | "asr" | "ror",
  amount: number,
): V {
  if (amount === 0) return value;
  switch (shift) {
    case "lsl": return d.shl(value, amount);
    case "lsr": return d.lshr(value, amount);
    case "asr": return d.ashr(value, amount);
    case "ror": return d.or(d.lshr(value, amount), d.shl(value, d.width(value) - amount));
  }
}
