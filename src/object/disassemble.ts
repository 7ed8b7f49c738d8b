// The model's instructions printed as GNU objdump prints A64 (binutils, the Arm ARM's preferred
// disassembly): aliases where the architecture prefers them (mov, cmp, tst, lsl, ubfx, cset, ...),
// hexadecimal immediates, decimal shift amounts, bit positions and memory offsets. Used for the
// text of every instruction loaded from an object, so that traces read like `objdump -d`, and
// checked word for word against objdump by the tests.
import { CONDITION_NAMES } from "../runtime/semantics/flags.ts";
import { NOP_HINTS } from "../runtime/semantics/hints.ts";
import type { GpRegister, Instruction, RegWidth } from "../runtime/semantics/instruction.ts";
import { hex } from "./errors.ts";

export interface DisassembleOptions<T> {
  /** How a branch target prints (objdump: `34 <fn+0x34>`; faultc: `fn+0x34`). */
  target(t: T): string;
  /** How an ADR/ADRP result prints; defaults to hex. */
  address?(a: bigint): string;
  /** The load or store was encoded unscaled (LDUR/STUR). */
  unscaled?: boolean;
}

function r(reg: GpRegister, width: RegWidth): string {
  switch (reg.kind) {
    case "zr": return width === 64 ? "xzr" : "wzr";
    case "sp": return width === 64 ? "sp" : "wsp";
    case "x": return `${width === 64 ? "x" : "w"}${reg.index}`;
  }
}

function isZr(reg: GpRegister): boolean {
  return reg.kind === "zr";
}

function isSp(reg: GpRegister): boolean {
  return reg.kind === "sp";
}

function same(a: GpRegister, b: GpRegister): boolean {
  return a.kind === b.kind && (a.kind !== "x" || (b.kind === "x" && a.index === b.index));
}

function cond(c: number): string {
  return CONDITION_NAMES[c];
}

function shiftSuffix(shift: string, amount: number): string {
  return shift === "lsl" && amount === 0 ? "" : `, ${shift} #${amount}`;
}

function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** The Arm ARM's MoveWidePreferred(sf, immN, imms, immr): a MOVZ/MOVN can say it, so ORR is not `mov`. */
function moveWidePreferred(sf: number, n: number, imms: number, immr: number): boolean {
  const width = sf ? 64 : 32;
  if (sf === 1 && n !== 1) return false;
  if (sf === 0 && !(n === 0 && (imms & 0b100000) === 0)) return false;
  if (imms < 16) return ((-immr % 16) + 16) % 16 <= 15 - imms;
  if (imms >= width - 15) return immr % 16 <= imms - (width - 15);
  return false;
}

/** The Arm ARM's BFXPreferred(sf, uns, imms, immr). */
function bfxPreferred(sf: number, uns: number, imms: number, immr: number): boolean {
  if (imms < immr) return false;
  if (imms === ((sf << 5) | 0b11111)) return false;
  if (immr === 0) {
    if (sf === 0 && (imms === 7 || imms === 15)) return false;
    if (sf === 1 && uns === 0 && (imms === 7 || imms === 15 || imms === 31)) return false;
  }
  return true;
}

/** One instruction as objdump would print it (mnemonic, a space, operands). */
export function disassemble<T>(insn: Instruction<T>, options: DisassembleOptions<T>): string {
  const out = (mnemonic: string, ...operands: string[]) => (operands.length === 0 ? mnemonic : `${mnemonic} ${operands.join(", ")}`);
  switch (insn.op) {
    case "movewide": {
      const w = insn.width;
      const value = BigInt(insn.imm16) << BigInt(insn.shift);
      if (insn.kind === "movz" && !(insn.imm16 === 0 && insn.shift !== 0)) return out("mov", r(insn.rd, w), `#${hex(value)}`);
      if (insn.kind === "movn" && !(insn.imm16 === 0 && insn.shift !== 0) && !(w === 32 && insn.imm16 === 0xffff)) {
        return out("mov", r(insn.rd, w), `#${hex(~value & mask(w))}`);
      }
      return out(insn.kind, r(insn.rd, w), `#${hex(insn.imm16)}`) + (insn.shift === 0 ? "" : `, lsl #${insn.shift}`);
    }
    case "addsub-imm": {
      const w = insn.width;
      const imm = `#${hex(insn.imm12)}${insn.shift12 ? ", lsl #12" : ""}`;
      if (!insn.sub && !insn.setFlags && insn.imm12 === 0 && !insn.shift12 && (isSp(insn.rd) || isSp(insn.rn))) return out("mov", r(insn.rd, w), r(insn.rn, w));
      if (insn.setFlags && isZr(insn.rd)) return out(insn.sub ? "cmp" : "cmn", r(insn.rn, w), imm);
      return out(`${insn.sub ? "sub" : "add"}${insn.setFlags ? "s" : ""}`, r(insn.rd, w), r(insn.rn, w), imm);
    }
    case "addsub-reg": {
      const w = insn.width;
      const sh = shiftSuffix(insn.shift, insn.amount);
      if (insn.setFlags && isZr(insn.rd)) return out(insn.sub ? "cmp" : "cmn", r(insn.rn, w), r(insn.rm, w)) + sh;
      if (insn.sub && isZr(insn.rn)) return out(insn.setFlags ? "negs" : "neg", r(insn.rd, w), r(insn.rm, w)) + sh;
      return out(`${insn.sub ? "sub" : "add"}${insn.setFlags ? "s" : ""}`, r(insn.rd, w), r(insn.rn, w), r(insn.rm, w)) + sh;
    }
    case "logical-imm": {
      const w = insn.width;
      const imm = `#${hex(insn.imm)}`;
      if (insn.kind === "orr" && isZr(insn.rn) && !moveWidePreferred(w === 64 ? 1 : 0, insn.n, insn.imms, insn.immr)) return out("mov", r(insn.rd, w), imm);
      if (insn.kind === "ands" && isZr(insn.rd)) return out("tst", r(insn.rn, w), imm);
      return out(insn.kind, r(insn.rd, w), r(insn.rn, w), imm);
    }
    case "logical-reg": {
      const w = insn.width;
      const sh = shiftSuffix(insn.shift, insn.amount);
      if (insn.kind === "orr" && !insn.invert && isZr(insn.rn) && insn.shift === "lsl" && insn.amount === 0) return out("mov", r(insn.rd, w), r(insn.rm, w));
      if (insn.kind === "orr" && insn.invert && isZr(insn.rn)) return out("mvn", r(insn.rd, w), r(insn.rm, w)) + sh;
      if (insn.kind === "ands" && !insn.invert && isZr(insn.rd)) return out("tst", r(insn.rn, w), r(insn.rm, w)) + sh;
      const name = insn.invert ? { and: "bic", orr: "orn", eor: "eon", ands: "bics" }[insn.kind] : insn.kind;
      return out(name, r(insn.rd, w), r(insn.rn, w), r(insn.rm, w)) + sh;
    }
    case "shift-reg":
      return out(insn.shift, r(insn.rd, insn.width), r(insn.rn, insn.width), r(insn.rm, insn.width));
    case "bitfield":
      return bitfield(insn, out);
    case "condcmp": {
      const w = insn.width;
      const operand = insn.operand.kind === "imm" ? `#${hex(insn.operand.imm5)}` : r(insn.operand.rm, w);
      return out(insn.negate ? "ccmn" : "ccmp", r(insn.rn, w), operand, `#${hex(insn.nzcv)}`, cond(insn.cond));
    }
    case "condsel": {
      const w = insn.width;
      const invertible = insn.cond < 14;
      const inverse = cond(insn.cond ^ 1);
      if (invertible && insn.kind !== "csel") {
        if (insn.kind !== "csneg" && isZr(insn.rn) && isZr(insn.rm)) return out(insn.kind === "csinc" ? "cset" : "csetm", r(insn.rd, w), inverse);
        if (!isZr(insn.rn) && same(insn.rn, insn.rm)) return out({ csinc: "cinc", csinv: "cinv", csneg: "cneg" }[insn.kind], r(insn.rd, w), r(insn.rn, w), inverse);
      }
      return out(insn.kind, r(insn.rd, w), r(insn.rn, w), r(insn.rm, w), cond(insn.cond));
    }
    case "adr":
      return out(insn.page ? "adrp" : "adr", r(insn.rd, 64), (options.address ?? hex)(insn.address));
    case "b":
      return out("b", options.target(insn.target));
    case "bcond":
      return out(`b.${cond(insn.cond)}`, options.target(insn.target));
    case "cbz":
      return out(insn.nonzero ? "cbnz" : "cbz", r(insn.rt, insn.width), options.target(insn.target));
    case "tbz":
      return out(insn.nonzero ? "tbnz" : "tbz", r(insn.rt, insn.bit >= 32 ? 64 : 32), `#${insn.bit}`, options.target(insn.target));
    case "ldst": {
      const base = r(insn.rn, 64);
      const suffix = insn.size === 1 ? "b" : insn.size === 2 ? "h" : "";
      const rt = r(insn.rt, insn.size === 8 ? 64 : 32);
      const name = `${insn.load ? "ld" : "st"}${options.unscaled ? "ur" : "r"}${suffix}`;
      return out(name, rt, memory(base, insn.offset, insn.mode));
    }
    case "ldstp": {
      const w = insn.size === 8 ? 64 : 32;
      return out(insn.load ? "ldp" : "stp", r(insn.rt, w), r(insn.rt2, w), memory(r(insn.rn, 64), insn.offset, insn.mode));
    }
    case "mrs":
      return out("mrs", r(insn.rt, 64), insn.sysreg.toLowerCase());
    case "msr":
      return out("msr", insn.sysreg.toLowerCase(), r(insn.rt, 64));
    case "at":
      return out("at", insn.kind, r(insn.rt, 64));
    case "barrier":
      return insn.kind === "isb" ? "isb" : out(insn.kind, insn.option);
    case "nop":
      return "nop";
    case "hint":
      return NOP_HINTS.get(insn.imm) ?? `hint #${hex(insn.imm)}`;
    case "brk":
      return out("brk", `#${hex(insn.imm16)}`);
    case "ret":
      return insn.rn.kind === "x" && insn.rn.index === 30 ? "ret" : out("ret", r(insn.rn, 64));
    case "eret":
      return "eret";
  }
}

function memory(base: string, offset: bigint, mode: "offset" | "pre" | "post"): string {
  if (mode === "post") return `[${base}], #${offset}`;
  if (mode === "pre") return `[${base}, #${offset}]!`;
  return offset === 0n ? `[${base}]` : `[${base}, #${offset}]`;
}

function bitfield<T>(insn: Extract<Instruction<T>, { op: "bitfield" }>, out: (m: string, ...o: string[]) => string): string {
  const w = insn.width;
  const sf = w === 64 ? 1 : 0;
  const { immr, imms } = insn;
  const rd = r(insn.rd, w);
  const rn = r(insn.rn, w);
  const extract = (name: string) => out(name, rd, rn, `#${immr}`, `#${imms - immr + 1}`);
  const insert = (name: string) => out(name, rd, rn, `#${w - immr}`, `#${imms + 1}`);
  switch (insn.kind) {
    case "ubfm":
      if (imms === w - 1) return out("lsr", rd, rn, `#${immr}`);
      if (imms + 1 === immr) return out("lsl", rd, rn, `#${w - 1 - imms}`);
      if (imms < immr) return insert("ubfiz");
      if (bfxPreferred(sf, 1, imms, immr)) return extract("ubfx");
      if (immr === 0 && (imms === 7 || imms === 15)) return out(imms === 7 ? "uxtb" : "uxth", rd, r(insn.rn, 32));
      return out("ubfm", rd, rn, `#${immr}`, `#${imms}`);
    case "sbfm":
      if (imms === w - 1) return out("asr", rd, rn, `#${immr}`);
      if (imms < immr) return insert("sbfiz");
      if (bfxPreferred(sf, 0, imms, immr)) return extract("sbfx");
      if (immr === 0 && (imms === 7 || imms === 15 || imms === 31)) return out(imms === 7 ? "sxtb" : imms === 15 ? "sxth" : "sxtw", rd, r(insn.rn, 32));
      return out("sbfm", rd, rn, `#${immr}`, `#${imms}`);
    case "bfm":
      if (imms < immr) return isZr(insn.rn) ? out("bfc", rd, `#${w - immr}`, `#${imms + 1}`) : insert("bfi");
      return extract("bfxil");
  }
}
