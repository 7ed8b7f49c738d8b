// The decoded form of every instruction the model executes: what the assembler produces and what the
// semantics consume. Aliases are already lowered to their architectural instruction (cmp -> subs,
// lsl #n -> ubfm, mov #imm -> movz/movn/orr, tst -> ands, ...), as the Arm ARM defines them, so each
// semantic function corresponds to one encoding class of the Arm ARM.

import type { AtKind } from "./state.ts";

/** A general-purpose register operand: X0..X30, or register number 31 read as ZR or as SP. */
export type GpRegister = { kind: "x"; index: number } | { kind: "zr" } | { kind: "sp" };

export type RegWidth = 32 | 64;
export type ShiftType = "lsl" | "lsr" | "asr" | "ror";

/** A branch destination before loading (a symbol), and after (an index or an external routine). */
export type SymbolRef =
  | { kind: "label"; name: string }
  | { kind: "local"; number: number; direction: "f" | "b" };
export type ResolvedTarget = { kind: "index"; index: number } | { kind: "external"; name: string };

export type Instruction<T = ResolvedTarget> =
  // MOVZ / MOVN / MOVK (move wide immediate)
  | { op: "movewide"; kind: "movz" | "movn" | "movk"; width: RegWidth; rd: GpRegister; imm16: number; shift: number }
  // ADD/ADDS/SUB/SUBS (immediate); rd may be SP unless setFlags, rn may be SP
  | { op: "addsub-imm"; sub: boolean; setFlags: boolean; width: RegWidth; rd: GpRegister; rn: GpRegister; imm12: number; shift12: boolean }
  // ADD/ADDS/SUB/SUBS (shifted register)
  | { op: "addsub-reg"; sub: boolean; setFlags: boolean; width: RegWidth; rd: GpRegister; rn: GpRegister; rm: GpRegister; shift: Exclude<ShiftType, "ror">; amount: number }
  // AND/ORR/EOR/ANDS (immediate); imm is the decoded DecodeBitMasks wmask
  | { op: "logical-imm"; kind: LogicalKind; width: RegWidth; rd: GpRegister; rn: GpRegister; n: number; immr: number; imms: number; imm: bigint }
  // AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register)
  | { op: "logical-reg"; kind: LogicalKind; invert: boolean; width: RegWidth; rd: GpRegister; rn: GpRegister; rm: GpRegister; shift: ShiftType; amount: number }
  // LSLV/LSRV/ASRV/RORV
  | { op: "shift-reg"; shift: ShiftType; width: RegWidth; rd: GpRegister; rn: GpRegister; rm: GpRegister }
  // SBFM/BFM/UBFM
  | { op: "bitfield"; kind: "sbfm" | "bfm" | "ubfm"; width: RegWidth; rd: GpRegister; rn: GpRegister; immr: number; imms: number }
  // CCMP/CCMN (register or immediate)
  | { op: "condcmp"; negate: boolean; width: RegWidth; rn: GpRegister; operand: { kind: "reg"; rm: GpRegister } | { kind: "imm"; imm5: number }; nzcv: number; cond: number }
  // CSEL/CSINC/CSINV/CSNEG (cset, csetm, cinc, cinv, cneg are aliases)
  | { op: "condsel"; kind: CondSelKind; width: RegWidth; rd: GpRegister; rn: GpRegister; rm: GpRegister; cond: number }
  // ADR/ADRP with the result already formed from the instruction's own address (only code placed at
  // an address, such as an object file's, has them): Xd = address
  | { op: "adr"; page: boolean; rd: GpRegister; address: bigint }
  | { op: "b"; target: T }
  | { op: "bcond"; cond: number; target: T }
  | { op: "cbz"; nonzero: boolean; width: RegWidth; rt: GpRegister; target: T }
  | { op: "tbz"; nonzero: boolean; rt: GpRegister; bit: number; target: T }
  // LDR/STR (immediate: unsigned offset, unscaled, pre-index, post-index), 1/2/4/8 bytes
  | { op: "ldst"; load: boolean; size: AccessBytes; rt: GpRegister; rn: GpRegister; offset: bigint; mode: IndexMode }
  // LDP/STP (signed offset, pre-index, post-index)
  | { op: "ldstp"; load: boolean; size: 4 | 8; rt: GpRegister; rt2: GpRegister; rn: GpRegister; offset: bigint; mode: IndexMode }
  | { op: "mrs"; rt: GpRegister; sysreg: string }
  | { op: "msr"; sysreg: string; rt: GpRegister }
  | { op: "at"; kind: AtKind; rt: GpRegister }
  | { op: "barrier"; kind: "isb" | "dsb" | "dmb"; option: string }
  | { op: "nop" }
  // A HINT the model's PE executes as NOP (it implements neither FEAT_PAuth nor FEAT_BTI): imm is CRm:op2
  | { op: "hint"; imm: number }
  // BRK #imm16: a Breakpoint Instruction exception, taken to EL2 (the kernel's BUG())
  | { op: "brk"; imm16: number }
  // RET Xn: back to the caller of the function being run (the run ends; x0 holds its result)
  | { op: "ret"; rn: GpRegister }
  | { op: "eret" };

export type LogicalKind = "and" | "orr" | "eor" | "ands";
export type CondSelKind = "csel" | "csinc" | "csinv" | "csneg";
export type AccessBytes = 1 | 2 | 4 | 8;
/** offset: [rn, #off]; pre: [rn, #off]! (write back before); post: [rn], #off (write back after). */
export type IndexMode = "offset" | "pre" | "post";

export const XZR: GpRegister = { kind: "zr" };
export const SP: GpRegister = { kind: "sp" };
export function xreg(index: number): GpRegister {
  if (!Number.isInteger(index) || index < 0 || index > 30) throw new Error(`X${index} is not a register`);
  return { kind: "x", index };
}
