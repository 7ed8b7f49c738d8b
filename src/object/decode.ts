// A64 machine words to the model's Instruction (src/runtime/semantics/instruction.ts), following
// the Arm ARM's encoding index (C4.1) class by class. It decodes exactly what the model executes:
// a word in any other class, an UNALLOCATED or CONSTRAINED UNPREDICTABLE encoding, or a system
// register the model does not hold is a DecodeFailure with the reason, never a guess. Branch
// targets come out as absolute addresses (the word's own address plus its offset), as do ADR and
// ADRP results; the caller turns them into program indices or named routines.
import { decodeBitMasks } from "../runtime/semantics/bitmasks.ts";
import { NOP_HINTS } from "../runtime/semantics/hints.ts";
import type { AccessBytes, CondSelKind, GpRegister, IndexMode, Instruction, LogicalKind, RegWidth, ShiftType } from "../runtime/semantics/instruction.ts";
import { atKindByEncoding } from "../runtime/semantics/at-operations.ts";
import { genericSysregName, sysregByEncoding } from "../runtime/machine/sysreg-table.ts";
import { bit, field, has, signExtend } from "./bits.ts";

/** A decoded instruction whose branch targets are absolute addresses. */
export type DecodedInstruction = Instruction<bigint>;

/**
 * `unscaled`: a load or store in the unscaled-offset encoding (LDUR/STUR), which the model runs as
 * the same access as LDR/STR with that offset; the disassembler keeps the spelling.
 */
export type DecodeResult = { ok: true; insn: DecodedInstruction; unscaled?: true } | { ok: false; reason: string };

const MASK64 = (1n << 64n) - 1n;

/** Register number n as an operand: 31 is SP or ZR, as the encoding says. */
function reg(n: number, thirtyOne: "sp" | "zr"): GpRegister {
  if (n === 31) return { kind: thirtyOne };
  return { kind: "x", index: n };
}

function target(address: bigint, offset: bigint): bigint {
  return (address + offset) & MASK64;
}

class Unsupported {
  constructor(readonly reason: string) {}
}

function fail(reason: string): never {
  throw new Unsupported(reason);
}

/** Decodes the little-endian word `word` found at `address`. */
export function decodeA64(word: number, address: bigint): DecodeResult {
  const w = word >>> 0;
  try {
    const insn = decodeWord(w, address);
    const unscaled = insn.op === "ldst" && insn.mode === "offset" && isUnscaledForm(w);
    return unscaled ? { ok: true, insn, unscaled: true } : { ok: true, insn };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, reason: e.reason };
    throw e;
  }
}

/** Load/store register (unscaled immediate): bits 29:27 = 111, 25:24 = 00, 21 = 0, 11:10 = 00. */
function isUnscaledForm(w: number): boolean {
  return has(w, 0x3b200c00, 0x38000000);
}

function decodeWord(w: number, address: bigint): DecodedInstruction {
  const op0 = field(w, 28, 25);
  if ((op0 & 0b1110) === 0b1000) return dataProcessingImmediate(w, address);
  if ((op0 & 0b1110) === 0b1010) return branchExceptionSystem(w, address);
  if ((op0 & 0b0101) === 0b0100) return loadStore(w);
  if ((op0 & 0b0111) === 0b0101) return dataProcessingRegister(w);
  if ((op0 & 0b0111) === 0b0111) fail("a SIMD and floating-point instruction (the model has no FP/SIMD registers)");
  if (op0 === 0b0000) fail(field(w, 31, 16) === 0 ? "UDF (permanently undefined)" : "a reserved encoding");
  if (op0 === 0b0010) fail("an SVE instruction");
  fail("an unallocated encoding");
}

// ---- Data processing (immediate) ----

function dataProcessingImmediate(w: number, address: bigint): DecodedInstruction {
  const sf = bit(w, 31);
  const width: RegWidth = sf ? 64 : 32;
  const rd = field(w, 4, 0);
  const rn = field(w, 9, 5);
  switch (field(w, 25, 23)) {
    case 0b000:
    case 0b001: {
      // ADR / ADRP: imm = immhi:immlo, ADRP in pages of 4 KiB from the PC's page.
      const page = sf === 1;
      const imm = signExtend((field(w, 23, 5) << 2) | field(w, 30, 29), 21);
      const base = page ? address & ~0xfffn : address;
      return { op: "adr", page, rd: reg(rd, "zr"), address: target(base, page ? imm << 12n : imm) };
    }
    case 0b010: {
      const sub = bit(w, 30) === 1;
      const setFlags = bit(w, 29) === 1;
      return {
        op: "addsub-imm", sub, setFlags, width,
        rd: reg(rd, setFlags ? "zr" : "sp"), rn: reg(rn, "sp"),
        imm12: field(w, 21, 10), shift12: bit(w, 22) === 1,
      };
    }
    case 0b011:
      fail("ADDG/SUBG (add/subtract immediate with tags, FEAT_MTE)");
    case 0b100: {
      const n = bit(w, 22);
      if (sf === 0 && n === 1) fail("an unallocated logical immediate (N=1 in a 32-bit operation)");
      const immr = field(w, 21, 16);
      const imms = field(w, 15, 10);
      const masks = decodeBitMasks(n, imms, immr, true, width);
      if (masks === undefined) fail("a reserved logical immediate encoding");
      const kind = (["and", "orr", "eor", "ands"] as const)[field(w, 30, 29)];
      return { op: "logical-imm", kind, width, rd: reg(rd, kind === "ands" ? "zr" : "sp"), rn: reg(rn, "zr"), n, immr, imms, imm: masks.wmask };
    }
    case 0b101: {
      const opc = field(w, 30, 29);
      const hw = field(w, 22, 21);
      if (opc === 0b01) fail("an unallocated move wide immediate (opc=01)");
      if (sf === 0 && hw >= 2) fail("an unallocated move wide immediate (hw>=2 in a 32-bit operation)");
      const kind = opc === 0b00 ? "movn" : opc === 0b10 ? "movz" : "movk";
      return { op: "movewide", kind, width, rd: reg(rd, "zr"), imm16: field(w, 20, 5), shift: hw * 16 };
    }
    case 0b110: {
      const opc = field(w, 30, 29);
      if (opc === 0b11) fail("an unallocated bitfield encoding (opc=11)");
      if (bit(w, 22) !== sf) fail("an unallocated bitfield encoding (N differs from sf)");
      const immr = field(w, 21, 16);
      const imms = field(w, 15, 10);
      if (sf === 0 && (immr >= 32 || imms >= 32)) fail("a reserved bitfield encoding (immr or imms >= 32 in a 32-bit operation)");
      const kind = (["sbfm", "bfm", "ubfm"] as const)[opc];
      return { op: "bitfield", kind, width, rd: reg(rd, "zr"), rn: reg(rn, "zr"), immr, imms };
    }
    default:
      fail("EXTR (extract register)");
  }
}

// ---- Branches, exception generation, system ----

/** DSB/DMB option names by CRm; the others are reserved (or other instructions, for DSB). */
export const BARRIER_OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "oshld"], [2, "oshst"], [3, "osh"], [5, "nshld"], [6, "nshst"], [7, "nsh"],
  [9, "ishld"], [10, "ishst"], [11, "ish"], [13, "ld"], [14, "st"], [15, "sy"],
]);

function branchExceptionSystem(w: number, address: bigint): DecodedInstruction {
  if (has(w, 0x7c000000, 0x14000000)) {
    if (bit(w, 31)) fail("BL (branch with link): the model runs one function and does not call others");
    return { op: "b", target: target(address, signExtend(field(w, 25, 0), 26) << 2n) };
  }
  if (has(w, 0xff000010, 0x54000000)) {
    return { op: "bcond", cond: field(w, 3, 0), target: target(address, signExtend(field(w, 23, 5), 19) << 2n) };
  }
  if (has(w, 0xff000010, 0x54000010)) fail("BC.cond (branch consistent conditionally, FEAT_HBC)");
  if (has(w, 0x7e000000, 0x34000000)) {
    return {
      op: "cbz", nonzero: bit(w, 24) === 1, width: bit(w, 31) ? 64 : 32, rt: reg(field(w, 4, 0), "zr"),
      target: target(address, signExtend(field(w, 23, 5), 19) << 2n),
    };
  }
  if (has(w, 0x7e000000, 0x36000000)) {
    return {
      op: "tbz", nonzero: bit(w, 24) === 1, rt: reg(field(w, 4, 0), "zr"), bit: (bit(w, 31) << 5) | field(w, 23, 19),
      target: target(address, signExtend(field(w, 18, 5), 14) << 2n),
    };
  }
  if (has(w, 0xffe0001f, 0xd4200000)) return { op: "brk", imm16: field(w, 20, 5) };
  if (has(w, 0xff000000, 0xd4000000)) fail("an exception-generating instruction other than BRK (SVC, HVC, SMC, HLT, DCPS), which the model does not take");
  if (has(w, 0xffc00000, 0xd5000000)) return system(w);
  if (has(w, 0xfe000000, 0xd6000000)) return branchRegister(w);
  fail("an unallocated branch/system encoding");
}

function branchRegister(w: number): DecodedInstruction {
  const opc = field(w, 24, 21);
  const op2 = field(w, 20, 16);
  const op3 = field(w, 15, 10);
  const rn = field(w, 9, 5);
  const op4 = field(w, 4, 0);
  if (op2 !== 0b11111) fail("an unallocated branch (register) encoding");
  if (opc === 0b0010 && op3 === 0 && op4 === 0) return { op: "ret", rn: reg(rn, "zr") };
  if (opc === 0b0100 && op3 === 0 && rn === 31 && op4 === 0) return { op: "eret" };
  if (opc === 0b0000 && op3 === 0 && op4 === 0) fail("BR (branch to register), an indirect branch the model does not follow");
  if (opc === 0b0001 && op3 === 0 && op4 === 0) fail("BLR (branch with link to register): the model runs one function and does not call others");
  fail("a branch (register) with pointer authentication, or another branch-register form");
}

function system(w: number): DecodedInstruction {
  const l = bit(w, 21);
  const op0 = field(w, 20, 19);
  const op1 = field(w, 18, 16);
  const crn = field(w, 15, 12);
  const crm = field(w, 11, 8);
  const op2 = field(w, 7, 5);
  const rt = field(w, 4, 0);
  if (op0 === 0b00 && l === 0) {
    if (crn === 0b0010 && op1 === 0b011 && rt === 31) {
      const imm = (crm << 3) | op2;
      if (imm === 0) return { op: "nop" };
      if (NOP_HINTS.has(imm)) return { op: "hint", imm };
      fail(`HINT #${imm}, which has an effect the model does not have (or an encoding it does not know)`);
    }
    if (crn === 0b0011 && op1 === 0b011 && rt === 31) {
      if (op2 === 0b110) {
        if (crm !== 0b1111) fail(`ISB with reserved option #${crm}`);
        return { op: "barrier", kind: "isb", option: "sy" };
      }
      if (op2 === 0b100 || op2 === 0b101) {
        const kind = op2 === 0b100 ? "dsb" : "dmb";
        const option = BARRIER_OPTION_NAMES.get(crm);
        if (option === undefined) fail(kind === "dsb" && (crm === 0 || crm === 4) ? `${crm === 0 ? "SSBB" : "PSSBB"} (speculative store bypass barrier)` : `${kind.toUpperCase()} with reserved option #${crm}`);
        return { op: "barrier", kind, option };
      }
      fail(op2 === 0b010 ? "CLREX" : op2 === 0b111 ? "SB (speculation barrier)" : "another barrier");
    }
    if (crn === 0b0100) fail("MSR (immediate) to a PSTATE field, which the model does not hold");
    fail("an unallocated system instruction");
  }
  if (op0 === 0b01) {
    const name = `sys #${op1}, C${crn}, C${crm}, #${op2}`;
    if (l === 1) fail(`SYSL (${name})`);
    const at = atKindByEncoding({ op1, crn, crm, op2 });
    if (at === undefined) fail(`${name}: a cache, TLB or address-translation operation`);
    return { op: "at", kind: at, rt: reg(rt, "zr") };
  }
  if (op0 >= 0b10) {
    const encoding = { op0, op1, crn, crm, op2 };
    const desc = sysregByEncoding(encoding);
    const generic = genericSysregName(encoding);
    if (desc === undefined) fail(`${l ? "MRS from" : "MSR to"} ${generic}, a system register the model does not hold`);
    return l ? { op: "mrs", rt: reg(rt, "zr"), sysreg: desc.name } : { op: "msr", sysreg: desc.name, rt: reg(rt, "zr") };
  }
  fail("an unallocated system instruction");
}

// ---- Loads and stores ----

function loadStore(w: number): DecodedInstruction {
  const op0 = field(w, 31, 28);
  const op1 = bit(w, 26);
  const op2 = field(w, 24, 23);
  const op3 = field(w, 21, 16);
  const op4 = field(w, 11, 10);
  if (op1 === 1) fail("a SIMD and floating-point load or store (the model has no FP/SIMD registers)");
  // Load/store register pair: op0 = xx10.
  if ((op0 & 0b0011) === 0b0010) return loadStorePair(w, op2);
  // Load/store register (immediate, register, unprivileged): op0 = xx11.
  if ((op0 & 0b0011) === 0b0011) {
    if ((op2 & 0b10) === 0b10) return loadStoreSingle(w, "offset", BigInt(field(w, 21, 10)));
    if ((op3 & 0b100000) === 0) {
      const imm9 = signExtend(field(w, 20, 12), 9);
      if (op4 === 0b00) return loadStoreSingle(w, "offset", imm9, true);
      if (op4 === 0b01) return loadStoreSingle(w, "post", imm9, true);
      if (op4 === 0b11) return loadStoreSingle(w, "pre", imm9, true);
      fail("LDTR/STTR (unprivileged load or store)");
    }
    if (op4 === 0b10) fail("a load or store with a register offset");
    fail("an atomic memory operation or a load with pointer authentication");
  }
  if ((op0 & 0b0011) === 0b0001 && (op2 & 0b10) === 0) fail("a load literal (PC-relative), which reads the object's data the model's memory does not hold");
  fail("an exclusive, ordered, tag or other load/store");
}

function loadStoreSingle(w: number, mode: IndexMode, imm: bigint, unscaled = false): DecodedInstruction {
  const size = field(w, 31, 30);
  const opc = field(w, 23, 22);
  const rt = field(w, 4, 0);
  const rn = field(w, 9, 5);
  const bytes = (1 << size) as AccessBytes;
  if (opc >= 0b10) {
    if (size === 0b11 && opc === 0b10) fail(unscaled ? "PRFUM (prefetch)" : "PRFM (prefetch)");
    if (size >= 0b10 && opc === 0b11) fail("an unallocated load/store register encoding");
    fail("a sign-extending load (LDRSB/LDRSH/LDRSW)");
  }
  const load = opc === 0b01;
  const offset = unscaled ? imm : imm * BigInt(bytes);
  if (mode !== "offset" && rn === rt && rn !== 31) fail(`a ${mode}-indexed ${load ? "load" : "store"} whose base is its transfer register (CONSTRAINED UNPREDICTABLE)`);
  return { op: "ldst", load, size: bytes, rt: reg(rt, "zr"), rn: reg(rn, "sp"), offset, mode };
}

function loadStorePair(w: number, op2: number): DecodedInstruction {
  const opc = field(w, 31, 30);
  const load = bit(w, 22) === 1;
  if (op2 === 0b00) fail("LDNP/STNP (pair with a non-temporal hint)");
  if (opc === 0b01) fail(load ? "LDPSW (load pair, sign-extending)" : "STGP (store allocation tags)");
  if (opc === 0b11) fail("an unallocated load/store pair encoding");
  const mode: IndexMode = op2 === 0b01 ? "post" : op2 === 0b10 ? "offset" : "pre";
  const size = opc === 0b10 ? 8 : 4;
  const rt = field(w, 4, 0);
  const rt2 = field(w, 14, 10);
  const rn = field(w, 9, 5);
  if (load && rt === rt2) fail("a load pair with identical transfer registers (CONSTRAINED UNPREDICTABLE)");
  if (mode !== "offset" && rn !== 31 && (rn === rt || rn === rt2)) fail("a pair with writeback whose base is a transfer register (CONSTRAINED UNPREDICTABLE)");
  return {
    op: "ldstp", load, size, rt: reg(rt, "zr"), rt2: reg(rt2, "zr"), rn: reg(rn, "sp"),
    offset: signExtend(field(w, 21, 15), 7) * BigInt(size), mode,
  };
}

// ---- Data processing (register) ----

const SHIFTS: readonly ShiftType[] = ["lsl", "lsr", "asr", "ror"];

function dataProcessingRegister(w: number): DecodedInstruction {
  const sf = bit(w, 31);
  const width: RegWidth = sf ? 64 : 32;
  const rd = field(w, 4, 0);
  const rn = field(w, 9, 5);
  const rm = field(w, 20, 16);
  const op1 = bit(w, 28);
  const op2 = field(w, 24, 21);
  if (op1 === 0) {
    const amount = field(w, 15, 10);
    if (sf === 0 && amount >= 32) fail("an unallocated shifted-register encoding (shift amount >= 32 in a 32-bit operation)");
    if ((op2 & 0b1000) === 0) {
      const opc = field(w, 30, 29);
      const kind: LogicalKind = (["and", "orr", "eor", "ands"] as const)[opc];
      return {
        op: "logical-reg", kind, invert: bit(w, 21) === 1, width,
        rd: reg(rd, "zr"), rn: reg(rn, "zr"), rm: reg(rm, "zr"), shift: SHIFTS[field(w, 23, 22)], amount,
      };
    }
    if ((op2 & 0b0001) === 0) {
      const shift = field(w, 23, 22);
      if (shift === 0b11) fail("an unallocated add/subtract (shifted register) encoding (shift=11)");
      return {
        op: "addsub-reg", sub: bit(w, 30) === 1, setFlags: bit(w, 29) === 1, width,
        rd: reg(rd, "zr"), rn: reg(rn, "zr"), rm: reg(rm, "zr"), shift: SHIFTS[shift] as "lsl" | "lsr" | "asr", amount,
      };
    }
    fail("ADD/SUB (extended register)");
  }
  switch (op2) {
    case 0b0010: {
      // Conditional compare: S must be 1, o2 (bit 10) and o3 (bit 4) 0.
      if (bit(w, 29) !== 1 || bit(w, 10) !== 0 || bit(w, 4) !== 0) fail("an unallocated conditional compare encoding");
      const operand = bit(w, 11) ? { kind: "imm" as const, imm5: rm } : { kind: "reg" as const, rm: reg(rm, "zr") };
      return { op: "condcmp", negate: bit(w, 30) === 0, width, rn: reg(rn, "zr"), operand, nzcv: field(w, 3, 0), cond: field(w, 15, 12) };
    }
    case 0b0100: {
      if (bit(w, 29) !== 0 || bit(w, 11) !== 0) fail("an unallocated conditional select encoding");
      const kind: CondSelKind = (bit(w, 30) ? ["csinv", "csneg"] : ["csel", "csinc"])[bit(w, 10)] as CondSelKind;
      return { op: "condsel", kind, width, rd: reg(rd, "zr"), rn: reg(rn, "zr"), rm: reg(rm, "zr"), cond: field(w, 15, 12) };
    }
    case 0b0110: {
      if (bit(w, 30) === 1) fail("a data-processing (1 source) instruction (RBIT, REV, CLZ, CLS, PAC...)");
      if (bit(w, 29) !== 0) fail("an unallocated data-processing (2 source) encoding");
      const opcode = field(w, 15, 10);
      const shift = ({ 0b001000: "lsl", 0b001001: "lsr", 0b001010: "asr", 0b001011: "ror" } as Record<number, ShiftType>)[opcode];
      if (shift === undefined) fail("a data-processing (2 source) instruction other than LSLV/LSRV/ASRV/RORV (UDIV, SDIV, CRC32, PAC...)");
      return { op: "shift-reg", shift, width, rd: reg(rd, "zr"), rn: reg(rn, "zr"), rm: reg(rm, "zr") };
    }
    default:
      if ((op2 & 0b1000) === 0b1000) fail("a data-processing (3 source) instruction (MADD, MSUB, SMULL, ...)");
      fail("add/subtract with carry, flag manipulation or another data-processing (register) form");
  }
}
