// mov/movz/movn/movk, add/sub/cmp/cmn/neg, and/orr/eor/ands/tst/bic/orn/eon/mvn, lsl/lsr/asr/ror,
// ubfx/sbfx/ubfiz/bfi/bfxil/ubfm/sbfm/bfm, ccmp/ccmn, csel/csinc/csinv/csneg and their aliases
// cset/csetm/cinc/cinv/cneg: parsing, encodability checks, alias lowering.
import type { CondSelKind, GpRegister, LogicalKind, RegWidth } from "../../semantics/instruction.ts";
import { encodeBitmask } from "../../semantics/bitmasks.ts";
import { checkRange, type Operands } from "../operands.ts";
import { asBitPattern, hex, mask, type MnemonicHandler, type ParsedInstruction } from "./handler.ts";

const ZR: GpRegister = { kind: "zr" };

/** The movz/movn/orr instruction `mov rd, #value` is an alias of, as GNU as picks it (in that order). */
function moveImmediate(ops: Operands, rd: GpRegister, width: RegWidth, value: bigint): ParsedInstruction {
  const pattern = asBitPattern(value, width);
  if (pattern === undefined) throw ops.error(1, `immediate ${hex(value)} out of range for a ${width}-bit mov`);
  const chunks = width / 16;
  const single = (v: bigint): { imm16: number; shift: number } | undefined => {
    for (let k = 0; k < chunks; k++) {
      const shift = 16 * k;
      if ((v & ~(0xffffn << BigInt(shift))) === 0n) return { imm16: Number(v >> BigInt(shift)), shift };
    }
    return undefined;
  };
  if (rd.kind !== "sp") {
    const z = single(pattern);
    if (z !== undefined) return { op: "movewide", kind: "movz", width, rd, ...z };
    const n = single(~pattern & mask(width));
    if (n !== undefined) return { op: "movewide", kind: "movn", width, rd, ...n };
  }
  const enc = encodeBitmask(pattern, width);
  if (enc !== undefined) return { op: "logical-imm", kind: "orr", width, rd, rn: ZR, ...enc, imm: pattern };
  throw ops.error(1, `immediate ${hex(value)} cannot be moved by a single instruction (not a movz, movn or bitmask immediate)`);
}

const mov: MnemonicHandler = (ops) => {
  ops.expectCount(2);
  const rd = ops.register(0, { sp: true, zr: true });
  if (ops.isRegister(1)) {
    const rm = ops.register(1, { sp: true, zr: true, width: rd.width });
    if (rd.reg.kind === "sp" || rm.reg.kind === "sp") {
      // mov to/from SP is ADD (immediate) #0.
      if (rd.reg.kind === "zr" || rm.reg.kind === "zr") throw ops.error(rd.reg.kind === "zr" ? 0 : 1, "mov between sp and a zero register is not encodable");
      return [{ op: "addsub-imm", sub: false, setFlags: false, width: rd.width, rd: rd.reg, rn: rm.reg, imm12: 0, shift12: false }];
    }
    return [{ op: "logical-reg", kind: "orr", invert: false, width: rd.width, rd: rd.reg, rn: ZR, rm: rm.reg, shift: "lsl", amount: 0 }];
  }
  return [moveImmediate(ops, rd.reg, rd.width, ops.immediate(1))];
};

function moveWide(kind: "movz" | "movn" | "movk"): MnemonicHandler {
  return (ops) => {
    ops.expectCount(2, 3);
    const rd = ops.register(0);
    const imm16 = checkRange(ops, 1, ops.immediate(1), 0n, 0xffffn, "immediate");
    let shift = 0;
    if (ops.length === 3) {
      const s = ops.shift(2, ["lsl"]);
      const allowed = rd.width === 64 ? [0n, 16n, 32n, 48n] : [0n, 16n];
      if (!allowed.includes(s.amount)) throw ops.error(2, `shift for ${kind} must be lsl #${allowed.join(", #")}`);
      shift = Number(s.amount);
    }
    return [{ op: "movewide", kind, width: rd.width, rd: rd.reg, imm16, shift }];
  };
}

/** add/sub with the destination, first source and second operand at `first`, `first+1`, `first+2`. */
function addSubForm(ops: Operands, sub: boolean, setFlags: boolean, rd: GpRegister, width: RegWidth, first: number): ParsedInstruction {
  const rnIndex = first;
  const opIndex = first + 1;
  const shiftIndex = first + 2;
  if (ops.isRegister(opIndex)) {
    const rn = ops.register(rnIndex, { width });
    const rm = ops.register(opIndex, { width });
    let shift: "lsl" | "lsr" | "asr" = "lsl";
    let amount = 0;
    if (ops.length > shiftIndex) {
      const s = ops.shift(shiftIndex, ["lsl", "lsr", "asr"]);
      shift = s.shift as "lsl" | "lsr" | "asr";
      amount = checkRange(ops, shiftIndex, s.amount, 0n, BigInt(width - 1), "shift amount");
    }
    return { op: "addsub-reg", sub, setFlags, width, rd, rn: rn.reg, rm: rm.reg, shift, amount };
  }
  const rn = ops.register(rnIndex, { sp: true, width });
  let value = ops.immediate(opIndex);
  let explicitShift12: boolean | undefined;
  if (ops.length > shiftIndex) {
    const s = ops.shift(shiftIndex, ["lsl"]);
    if (s.amount !== 0n && s.amount !== 12n) throw ops.error(shiftIndex, "shift for an add/sub immediate must be lsl #0 or lsl #12");
    explicitShift12 = s.amount === 12n;
  }
  // GNU as turns add #-n into sub #n (and cmp #-n into cmn #n).
  if (value < 0n) {
    sub = !sub;
    value = -value;
  }
  if (explicitShift12 !== undefined) {
    if (value > 0xfffn) throw ops.error(opIndex, `immediate ${hex(value)} out of range 0..0xfff for add/sub with lsl #${explicitShift12 ? 12 : 0}`);
    return { op: "addsub-imm", sub, setFlags, width, rd, rn: rn.reg, imm12: Number(value), shift12: explicitShift12 };
  }
  if (value <= 0xfffn) return { op: "addsub-imm", sub, setFlags, width, rd, rn: rn.reg, imm12: Number(value), shift12: false };
  // As GNU as does, a multiple of 4096 that fits in 12 bits after shifting is encoded with lsl #12.
  if ((value & 0xfffn) === 0n && value >> 12n <= 0xfffn) {
    return { op: "addsub-imm", sub, setFlags, width, rd, rn: rn.reg, imm12: Number(value >> 12n), shift12: true };
  }
  throw ops.error(opIndex, `immediate ${hex(value)} is not encodable for add/sub: it must be 0..0xfff, optionally shifted left by 12`);
}

function addSub(sub: boolean, setFlags: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(3, 4);
    const immediateForm = !ops.isRegister(2);
    const rd = ops.register(0, immediateForm && !setFlags ? { sp: true } : {});
    return [addSubForm(ops, sub, setFlags, rd.reg, rd.width, 1)];
  };
}

/** cmp/cmn rn, op2: subs/adds with the zero register as destination. */
function compare(sub: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(2, 3);
    const immediateForm = !ops.isRegister(1);
    const rn = ops.register(0, immediateForm ? { sp: true } : {});
    return [addSubForm(ops, sub, true, ZR, rn.width, 0)];
  };
}

function negate(setFlags: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(2, 3);
    const rd = ops.register(0);
    const rm = ops.register(1, { width: rd.width });
    let shift: "lsl" | "lsr" | "asr" = "lsl";
    let amount = 0;
    if (ops.length === 3) {
      const s = ops.shift(2, ["lsl", "lsr", "asr"]);
      shift = s.shift as "lsl" | "lsr" | "asr";
      amount = checkRange(ops, 2, s.amount, 0n, BigInt(rd.width - 1), "shift amount");
    }
    return [{ op: "addsub-reg", sub: true, setFlags, width: rd.width, rd: rd.reg, rn: ZR, rm: rm.reg, shift, amount }];
  };
}

function logicalForm(ops: Operands, kind: LogicalKind, invert: boolean, rd: GpRegister, width: RegWidth, first: number): ParsedInstruction {
  const rn = ops.register(first, { width });
  const opIndex = first + 1;
  const shiftIndex = first + 2;
  if (ops.isRegister(opIndex)) {
    const rm = ops.register(opIndex, { width });
    let shift: "lsl" | "lsr" | "asr" | "ror" = "lsl";
    let amount = 0;
    if (ops.length > shiftIndex) {
      const s = ops.shift(shiftIndex, ["lsl", "lsr", "asr", "ror"]);
      shift = s.shift;
      amount = checkRange(ops, shiftIndex, s.amount, 0n, BigInt(width - 1), "shift amount");
    }
    return { op: "logical-reg", kind, invert, width, rd, rn: rn.reg, rm: rm.reg, shift, amount };
  }
  if (invert) throw ops.error(opIndex, `'${ops.mnemonic}' takes a register, not an immediate`);
  if (ops.length > shiftIndex) throw ops.error(shiftIndex, "a logical immediate takes no shift");
  const value = ops.immediate(opIndex);
  const pattern = asBitPattern(value, width);
  if (pattern === undefined) throw ops.error(opIndex, `immediate ${hex(value)} out of range for a ${width}-bit logical operation`);
  const enc = encodeBitmask(pattern, width);
  if (enc === undefined) throw ops.error(opIndex, `immediate ${hex(pattern)} is not a valid bitmask immediate for a ${width}-bit logical operation`);
  return { op: "logical-imm", kind, width, rd, rn: rn.reg, ...enc, imm: pattern };
}

function logical(kind: LogicalKind, invert = false): MnemonicHandler {
  return (ops) => {
    ops.expectCount(3, 4);
    const immediateForm = !ops.isRegister(2);
    // AND/ORR/EOR (immediate) can write SP; the flag-setting and register forms cannot.
    const rd = ops.register(0, immediateForm && kind !== "ands" ? { sp: true } : {});
    return [logicalForm(ops, kind, invert, rd.reg, rd.width, 1)];
  };
}

const tst: MnemonicHandler = (ops) => {
  ops.expectCount(2, 3);
  const rn = ops.register(0);
  return [logicalForm(ops, "ands", false, ZR, rn.width, 0)];
};

const mvn: MnemonicHandler = (ops) => {
  ops.expectCount(2, 3);
  const rd = ops.register(0);
  const rm = ops.register(1, { width: rd.width });
  let shift: "lsl" | "lsr" | "asr" | "ror" = "lsl";
  let amount = 0;
  if (ops.length === 3) {
    const s = ops.shift(2, ["lsl", "lsr", "asr", "ror"]);
    shift = s.shift;
    amount = checkRange(ops, 2, s.amount, 0n, BigInt(rd.width - 1), "shift amount");
  }
  return [{ op: "logical-reg", kind: "orr", invert: true, width: rd.width, rd: rd.reg, rn: ZR, rm: rm.reg, shift, amount }];
};

/** lsl/lsr/asr/ror: the immediate forms are UBFM/SBFM aliases, the register forms LSLV etc. */
function shiftAlias(shift: "lsl" | "lsr" | "asr" | "ror"): MnemonicHandler {
  return (ops) => {
    ops.expectCount(3);
    const rd = ops.register(0);
    const rn = ops.register(1, { width: rd.width });
    const w = rd.width;
    if (ops.isRegister(2)) {
      const rm = ops.register(2, { width: w });
      return [{ op: "shift-reg", shift, width: w, rd: rd.reg, rn: rn.reg, rm: rm.reg }];
    }
    if (shift === "ror") throw ops.error(2, "ror with an immediate (an EXTR alias) is not supported");
    const n = checkRange(ops, 2, ops.immediate(2), 0n, BigInt(w - 1), "shift amount");
    if (shift === "lsl") return [{ op: "bitfield", kind: "ubfm", width: w, rd: rd.reg, rn: rn.reg, immr: (w - n) % w, imms: w - 1 - n }];
    return [{ op: "bitfield", kind: shift === "lsr" ? "ubfm" : "sbfm", width: w, rd: rd.reg, rn: rn.reg, immr: n, imms: w - 1 }];
  };
}

/** ubfx/sbfx/bfxil (extract) and ubfiz/sbfiz/bfi (insert) with #lsb, #width. */
function bitfieldAlias(kind: "ubfm" | "sbfm" | "bfm", insert: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(4);
    const rd = ops.register(0);
    const rn = ops.register(1, { width: rd.width });
    const w = rd.width;
    const lsb = checkRange(ops, 2, ops.immediate(2), 0n, BigInt(w - 1), "bitfield lsb");
    const width = checkRange(ops, 3, ops.immediate(3), 1n, BigInt(w - lsb), "bitfield width");
    const immr = insert ? (w - lsb) % w : lsb;
    const imms = insert ? width - 1 : lsb + width - 1;
    return [{ op: "bitfield", kind, width: w, rd: rd.reg, rn: rn.reg, immr, imms }];
  };
}

function bitfieldRaw(kind: "ubfm" | "sbfm" | "bfm"): MnemonicHandler {
  return (ops) => {
    ops.expectCount(4);
    const rd = ops.register(0);
    const rn = ops.register(1, { width: rd.width });
    const immr = checkRange(ops, 2, ops.immediate(2), 0n, BigInt(rd.width - 1), "immr");
    const imms = checkRange(ops, 3, ops.immediate(3), 0n, BigInt(rd.width - 1), "imms");
    return [{ op: "bitfield", kind, width: rd.width, rd: rd.reg, rn: rn.reg, immr, imms }];
  };
}

function conditionalCompare(negate: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(4);
    const rn = ops.register(0);
    const operand = ops.isRegister(1)
      ? { kind: "reg" as const, rm: ops.register(1, { width: rn.width }).reg }
      : { kind: "imm" as const, imm5: checkRange(ops, 1, ops.immediate(1), 0n, 31n, "immediate") };
    const nzcv = checkRange(ops, 2, ops.immediate(2), 0n, 15n, "nzcv");
    return [{ op: "condcmp", negate, width: rn.width, rn: rn.reg, operand, nzcv, cond: ops.condition(3) }];
  };
}

function conditionalSelect(kind: CondSelKind): MnemonicHandler {
  return (ops) => {
    ops.expectCount(4);
    const rd = ops.register(0);
    const rn = ops.register(1, { width: rd.width });
    const rm = ops.register(2, { width: rd.width });
    return [{ op: "condsel", kind, width: rd.width, rd: rd.reg, rn: rn.reg, rm: rm.reg, cond: ops.condition(3) }];
  };
}

/** The condition an alias inverts; al and nv cannot be inverted (the Arm ARM excludes them). */
function invertibleCondition(ops: Operands, index: number): number {
  const cond = ops.condition(index);
  if (cond >= 14) throw ops.error(index, `'${ops.mnemonic}' cannot take condition al or nv`);
  return cond ^ 1;
}

/** cset/csetm rd, cond: csinc/csinv rd, zr, zr, invert(cond). */
function conditionalSet(kind: "csinc" | "csinv"): MnemonicHandler {
  return (ops) => {
    ops.expectCount(2);
    const rd = ops.register(0);
    return [{ op: "condsel", kind, width: rd.width, rd: rd.reg, rn: ZR, rm: ZR, cond: invertibleCondition(ops, 1) }];
  };
}

/** cinc/cinv/cneg rd, rn, cond: csinc/csinv/csneg rd, rn, rn, invert(cond). */
function conditionalOperate(kind: "csinc" | "csinv" | "csneg"): MnemonicHandler {
  return (ops) => {
    ops.expectCount(3);
    const rd = ops.register(0);
    const rn = ops.register(1, { width: rd.width });
    return [{ op: "condsel", kind, width: rd.width, rd: rd.reg, rn: rn.reg, rm: rn.reg, cond: invertibleCondition(ops, 2) }];
  };
}

export const DATA_PROCESSING: Record<string, MnemonicHandler> = {
  mov, movz: moveWide("movz"), movn: moveWide("movn"), movk: moveWide("movk"),
  add: addSub(false, false), adds: addSub(false, true), sub: addSub(true, false), subs: addSub(true, true),
  cmp: compare(true), cmn: compare(false), neg: negate(false), negs: negate(true),
  and: logical("and"), ands: logical("ands"), orr: logical("orr"), eor: logical("eor"),
  bic: logical("and", true), bics: logical("ands", true), orn: logical("orr", true), eon: logical("eor", true),
  tst, mvn,
  lsl: shiftAlias("lsl"), lsr: shiftAlias("lsr"), asr: shiftAlias("asr"), ror: shiftAlias("ror"),
  ubfx: bitfieldAlias("ubfm", false), sbfx: bitfieldAlias("sbfm", false), bfxil: bitfieldAlias("bfm", false),
  ubfiz: bitfieldAlias("ubfm", true), sbfiz: bitfieldAlias("sbfm", true), bfi: bitfieldAlias("bfm", true),
  ubfm: bitfieldRaw("ubfm"), sbfm: bitfieldRaw("sbfm"), bfm: bitfieldRaw("bfm"),
  ccmp: conditionalCompare(false), ccmn: conditionalCompare(true),
  csel: conditionalSelect("csel"), csinc: conditionalSelect("csinc"), csinv: conditionalSelect("csinv"), csneg: conditionalSelect("csneg"),
  cset: conditionalSet("csinc"), csetm: conditionalSet("csinv"),
  cinc: conditionalOperate("csinc"), cinv: conditionalOperate("csinv"), cneg: conditionalOperate("csneg"),
};
