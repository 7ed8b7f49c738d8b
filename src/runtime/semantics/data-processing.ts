// Integer data-processing instructions (Arm ARM, aarch64/instrs/integer/*), generic over the domain.
import type { BitVecDomain } from "./domain.ts";
import { isZero, rorBy, rorConst } from "./domain.ts";
import { addWithCarry, conditionHolds, flagsFromImmediate, type Nzcv } from "./flags.ts";
import { decodeBitMasks } from "./bitmasks.ts";
import type { Instruction } from "./instruction.ts";
import { readReg, shiftRegister, writeReg } from "./registers.ts";
import type { ArchState } from "./state.ts";
import { iteBool } from "./domain.ts";

type Insn<K extends Instruction["op"]> = Extract<Instruction, { op: K }>;

/** MOVZ/MOVN/MOVK (integer/ins-ext/insert/movewide). */
export function moveWide<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"movewide">): void {
  const w = i.width;
  const placed = d.const(BigInt(i.imm16) << BigInt(i.shift), w);
  let result: V;
  if (i.kind === "movk") {
    const field = d.const(0xffffn << BigInt(i.shift), w);
    result = d.or(d.and(readReg(d, s, i.rd, w), d.not(field)), placed);
  } else {
    result = i.kind === "movn" ? d.not(placed) : placed;
  }
  writeReg(d, s, i.rd, result);
}

/** ADD/ADDS/SUB/SUBS (immediate): AddWithCarry(op1, imm or NOT(imm), sub). */
export function addSubImmediate<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"addsub-imm">): void {
  const imm = d.const(BigInt(i.imm12) << (i.shift12 ? 12n : 0n), i.width);
  addSub(d, s, i.sub, i.setFlags, i.rd, readReg(d, s, i.rn, i.width), imm);
}

/** ADD/ADDS/SUB/SUBS (shifted register). */
export function addSubRegister<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"addsub-reg">): void {
  const operand2 = shiftRegister(d, readReg(d, s, i.rm, i.width), i.shift, i.amount);
  addSub(d, s, i.sub, i.setFlags, i.rd, readReg(d, s, i.rn, i.width), operand2);
}

function addSub<V, B>(
  d: BitVecDomain<V, B>, s: ArchState<V, B>, sub: boolean, setFlags: boolean,
  rd: Insn<"addsub-imm">["rd"], operand1: V, operand2: V,
): void {
  const { result, flags } = addWithCarry(d, operand1, sub ? d.not(operand2) : operand2, d.bool(sub));
  if (setFlags) s.writeFlags(flags);
  writeReg(d, s, rd, result);
}

function logicalOp<V, B>(d: BitVecDomain<V, B>, kind: Insn<"logical-imm">["kind"], a: V, b: V): V {
  switch (kind) {
    case "and": case "ands": return d.and(a, b);
    case "orr": return d.or(a, b);
    case "eor": return d.xor(a, b);
  }
}

/** ANDS/BICS set N and Z from the result and clear C and V (integer/logical/*). */
function logicalFlags<V, B>(d: BitVecDomain<V, B>, result: V): Nzcv<B> {
  const n = d.width(result);
  return { n: d.isOne(d.extract(result, n - 1, n - 1)), z: isZero(d, result), c: d.false, v: d.false };
}

/** AND/ORR/EOR/ANDS (immediate); the immediate is DecodeBitMasks(N, imms, immr, TRUE). */
export function logicalImmediate<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"logical-imm">): void {
  const masks = decodeBitMasks(i.n, i.imms, i.immr, true, i.width);
  if (masks === undefined) throw new Error(`reserved bitmask encoding N=${i.n} immr=${i.immr} imms=${i.imms}`);
  const result = logicalOp(d, i.kind, readReg(d, s, i.rn, i.width), d.const(masks.wmask, i.width));
  if (i.kind === "ands") s.writeFlags(logicalFlags(d, result));
  writeReg(d, s, i.rd, result);
}

/** AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register). */
export function logicalRegister<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"logical-reg">): void {
  let operand2 = shiftRegister(d, readReg(d, s, i.rm, i.width), i.shift, i.amount);
  if (i.invert) operand2 = d.not(operand2);
  const result = logicalOp(d, i.kind, readReg(d, s, i.rn, i.width), operand2);
  if (i.kind === "ands") s.writeFlags(logicalFlags(d, result));
  writeReg(d, s, i.rd, result);
}

/** LSLV/LSRV/ASRV/RORV (integer/shift/variable): the amount is UInt(Rm) MOD datasize. */
export function shiftVariable<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"shift-reg">): void {
  const operand = readReg(d, s, i.rn, i.width);
  const amount = d.and(readReg(d, s, i.rm, i.width), d.const(BigInt(i.width - 1), i.width));
  let result: V;
  switch (i.shift) {
    case "lsl": result = d.shlBy(operand, amount); break;
    case "lsr": result = d.lshrBy(operand, amount); break;
    case "asr": result = d.ashrBy(operand, amount); break;
    case "ror": result = rorBy(d, operand, amount); break;
  }
  writeReg(d, s, i.rd, result);
}

/** SBFM/BFM/UBFM (integer/bitfield), following the Arm ARM's bot/top/tmask construction. */
export function bitfieldMove<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"bitfield">): void {
  const w = i.width;
  const masks = decodeBitMasks(w === 64 ? 1 : 0, i.imms, i.immr, false, w);
  if (masks === undefined) throw new Error(`reserved bitfield encoding immr=${i.immr} imms=${i.imms}`);
  const wmask = d.const(masks.wmask, w);
  const tmask = d.const(masks.tmask, w);
  const inzero = i.kind !== "bfm";
  const extend = i.kind === "sbfm";
  const dst = inzero ? d.const(0n, w) : readReg(d, s, i.rd, w);
  const src = readReg(d, s, i.rn, w);
  const bot = d.or(d.and(dst, d.not(wmask)), d.and(rorConst(d, src, i.immr), wmask));
  const top = extend ? d.signExtend(d.extract(src, i.imms, i.imms), w) : dst;
  writeReg(d, s, i.rd, d.or(d.and(top, d.not(tmask)), d.and(bot, tmask)));
}

/** CCMP/CCMN (integer/conditional/compare): flags of the compare if ConditionHolds, else #nzcv. */
export function conditionalCompare<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"condcmp">): void {
  const holds = conditionHolds(d, i.cond, s.readFlags());
  const operand1 = readReg(d, s, i.rn, i.width);
  let operand2 = i.operand.kind === "reg" ? readReg(d, s, i.operand.rm, i.width) : d.const(BigInt(i.operand.imm5), i.width);
  const subOp = !i.negate;
  if (subOp) operand2 = d.not(operand2);
  const compared = addWithCarry(d, operand1, operand2, d.bool(subOp)).flags;
  const fallback = flagsFromImmediate(d, i.nzcv);
  s.writeFlags({
    n: iteBool(d, holds, compared.n, fallback.n),
    z: iteBool(d, holds, compared.z, fallback.z),
    c: iteBool(d, holds, compared.c, fallback.c),
    v: iteBool(d, holds, compared.v, fallback.v),
  });
}

/**
 * CSEL/CSINC/CSINV/CSNEG (integer/conditional/select): Rn if ConditionHolds(cond), else Rm, Rm + 1,
 * NOT(Rm) or NOT(Rm) + 1 (= -Rm).
 */
export function conditionalSelect<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"condsel">): void {
  const holds = conditionHolds(d, i.cond, s.readFlags());
  const operand1 = readReg(d, s, i.rn, i.width);
  const operand2 = readReg(d, s, i.rm, i.width);
  const one = d.const(1n, i.width);
  let otherwise: V;
  switch (i.kind) {
    case "csel": otherwise = operand2; break;
    case "csinc": otherwise = d.add(operand2, one); break;
    case "csinv": otherwise = d.not(operand2); break;
    case "csneg": otherwise = d.add(d.not(operand2), one); break;
  }
  writeReg(d, s, i.rd, d.ite(holds, operand1, otherwise));
}

/** ADR/ADRP (integer/arithmetic/address/pc-rel): the address was formed from the PC when decoded. */
export function formAddress<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"adr">): void {
  writeReg(d, s, i.rd, d.const(i.address, 64));
}
