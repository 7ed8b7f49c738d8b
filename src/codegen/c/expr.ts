// IR expressions as C over u64: every bit-vector value is a u64 holding its value zero-extended
// from its width (as isel.ts keeps it in an X register), so results that can carry out of the
// width (add, sub, shl, not, neg, sext) are masked with GENMASK_ULL(w - 1, 0) when w < 64.
// Conditions are C booleans; capabilities are cpus_have_final_cap(), decided at patch time.
// Parentheses: every binary operand that is itself a different binary operation is
// parenthesised (what gcc -Wparentheses asks for, and what a reader expects).
import { bvNodes } from "../ir/walk.ts";
import type * as I from "../ir/types.ts";
import { cCapability } from "../names/capabilities.ts";
import { mangle, platformName } from "../names/mangle.ts";

const PRIMARY = 16;
const UNARY = 15;
const ADDITIVE = 12;
const SHIFT = 11;
const RELATIONAL = 10;
const EQUALITY = 9;
const BIT_AND = 8;
const BIT_XOR = 7;
const BIT_OR = 6;
const LOG_AND = 5;
const LOG_OR = 4;
const CONDITIONAL = 3;

interface C {
  text: string;
  prec: number;
  /** The binary operator at the top, for the parenthesis rule. */
  op?: string;
  /** A bare integer constant (type int or wider): never the only operand of a u64 operation. */
  bareConst?: boolean;
}

const ASSOCIATIVE = new Set(["&", "|", "^", "&&", "||"]);
const PRECEDENCE: Record<string, number> = {
  "+": ADDITIVE,
  "-": ADDITIVE,
  "<<": SHIFT,
  ">>": SHIFT,
  "<": RELATIONAL,
  "<=": RELATIONAL,
  ">": RELATIONAL,
  ">=": RELATIONAL,
  "==": EQUALITY,
  "!=": EQUALITY,
  "&": BIT_AND,
  "^": BIT_XOR,
  "|": BIT_OR,
  "&&": LOG_AND,
  "||": LOG_OR,
};

function paren(c: C): string {
  return `(${c.text})`;
}

function operand(child: C, parentOp: string, right: boolean): string {
  const prec = PRECEDENCE[parentOp];
  if (child.prec < prec) return paren(child);
  if (child.op !== undefined && (child.op !== parentOp || (right && !ASSOCIATIVE.has(parentOp)))) return paren(child);
  return child.text;
}

function bin(op: string, a: C, b: C): C {
  return { text: `${operand(a, op, false)} ${op} ${operand(b, op, true)}`, prec: PRECEDENCE[op], op };
}

function primary(text: string): C {
  return { text, prec: PRIMARY };
}

function unary(op: string, a: C): C {
  return { text: `${op}${a.prec < UNARY ? paren(a) : a.text}`, prec: UNARY };
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** A constant as a u64 (ULL suffix) or, where the other operand makes the operation u64, bare. */
function constant(v: bigint, bare: boolean): C {
  return bare ? { text: hex(v), prec: PRIMARY, bareConst: true } : primary(`${hex(v)}ULL`);
}

export function genmask(hi: number, lo: number): C {
  return primary(`GENMASK_ULL(${hi}, ${lo})`);
}

/** The low `width` bits: a hex constant up to 16 bits (`& 0xff`), GENMASK_ULL above. */
function lowMask(width: number): C {
  return width <= 16 ? { text: hex((1n << BigInt(width)) - 1n), prec: PRIMARY, bareConst: true } : genmask(width - 1, 0);
}

/** Keeps a value zero-extended to `width`. */
function truncate(c: C, width: number): C {
  return width >= 64 ? c : bin("&", c, lowMask(width));
}

export function sysregName(reg: string): string {
  return platformName(reg).toLowerCase();
}

export function sysregRead(reg: I.SysregChoice): C {
  const base = primary(`read_sysreg(${sysregName(reg.base)})`);
  if (reg.alternative === undefined) return base;
  return {
    text: `cpus_have_final_cap(${cCapability(reg.alternative.capability)}) ? read_sysreg(${sysregName(reg.alternative.register)}) : ${base.text}`,
    prec: CONDITIONAL,
  };
}

/** Whether evaluating `e` reads a system register (and so must be evaluated exactly once). */
export function readsSysreg(e: I.BvExpr): boolean {
  for (const n of bvNodes(e)) if (n.op === "sysreg") return true;
  return false;
}

/** `e` as a C expression of type u64 (or a bare constant when `bare` allows it). */
export function bv(e: I.BvExpr, bare = false): C {
  switch (e.op) {
    case "const":
      return constant(e.value, bare);
    case "sysreg":
      return sysregRead(e.reg);
    case "var":
      return primary(mangle(e.id));
    case "not":
      return truncate(unary("~", bv(e.a)), e.width);
    case "neg":
      return truncate(unary("-", bv(e.a)), e.width);
    case "and":
    case "or":
    case "xor":
    case "add":
    case "sub": {
      const op = { and: "&", or: "|", xor: "^", add: "+", sub: "-" }[e.op];
      const [a, b] = pair(e.a, e.b);
      const r = bin(op, a, b);
      return e.op === "add" || e.op === "sub" ? truncate(r, e.width) : r;
    }
    case "shl":
      if (e.amount === 0) return bv(e.a, bare);
      return truncate(bin("<<", bv(e.a), primary(String(e.amount))), e.width);
    case "lshr":
      if (e.amount === 0) return bv(e.a, bare);
      return bin(">>", bv(e.a), primary(String(e.amount)));
    case "extract": {
      const from = e.a.width;
      if (e.lo === 0 && e.width >= from) return bv(e.a, bare);
      const shifted = e.lo === 0 ? bv(e.a) : bin(">>", bv(e.a), primary(String(e.lo)));
      // The bits above the field are zero already when the field reaches the top of `a`.
      return e.lo + e.width >= from ? shifted : bin("&", shifted, lowMask(e.width));
    }
    case "zext":
      // Values are kept zero-extended: nothing to do.
      return bv(e.a, bare);
    case "sext": {
      const from = e.a.width;
      if (from >= e.width) return bv(e.a, bare);
      return truncate({ text: `(u64)sign_extend64(${bv(e.a, true).text}, ${from - 1})`, prec: UNARY }, e.width);
    }
    case "call":
      return primary(`${mangle(e.fn)}(${e.args.map((a) => bv(a, true).text).join(", ")})`);
    case "input":
    case "field":
      throw new Error(`internal: ${e.op} outside a contract`);
  }
}

/** Both operands of a u64 operation: a constant is bare only when the other side is not one. */
function pair(a: I.BvExpr, b: I.BvExpr): [C, C] {
  const aConst = isConst(a);
  const bConst = isConst(b);
  return [bv(a, aConst && !bConst), bv(b, bConst && !aConst)];
}

function isConst(e: I.BvExpr): boolean {
  return e.op === "const" || ((e.op === "zext" || (e.op === "extract" && e.lo === 0 && e.width >= e.a.width)) && isConst(e.a));
}

/** The value of an expression made of constants only, when it is one. */
function constValue(e: I.BvExpr): bigint | undefined {
  if (e.op === "const") return e.value;
  if (e.op === "zext") return constValue(e.a);
  return undefined;
}

const CMP: Record<I.CmpOp, string> = { eq: "==", ne: "!=", ult: "<", ule: "<=", ugt: ">", uge: ">=" };

export function bool(b: I.BoolExpr): C {
  switch (b.op) {
    case "true":
      return primary("true");
    case "false":
      return primary("false");
    case "cap":
      return primary(`cpus_have_final_cap(${cCapability(b.name)})`);
    case "cmp": {
      // An unsigned value against 0 by < or >= is a constant (and gcc -Wtype-limits says so).
      const k = constValue(b.b);
      if (k === 0n && (b.cmp === "ult" || b.cmp === "uge") && !readsSysreg(b.a)) return primary(b.cmp === "uge" ? "true" : "false");
      const [x, y] = pair(b.a, b.b);
      return bin(CMP[b.cmp], x, y);
    }
    case "in": {
      if (b.values.length === 0) return primary("false");
      const a = bv(b.a);
      const simple = b.a.op === "var" || b.values.length === 1;
      const subject = simple ? a : primary("__faultc_v");
      const tests = b.values.map((v) => bin("==", subject, constant(v, true)));
      const any = tests.reduce((acc, t) => bin("||", acc, t));
      if (simple) return any;
      // Evaluated once, like the kernel's `esr = esr & ESR_ELx_FSC;` before its comparisons.
      return primary(`({ u64 __faultc_v = ${a.text}; ${any.text}; })`);
    }
    case "not":
      return unary("!", bool(b.a));
    case "and":
      return bin("&&", bool(b.a), bool(b.b));
    case "or":
      return bin("||", bool(b.a), bool(b.b));
    case "pred":
      return primary(`${mangle(b.name)}(${b.args.map((a) => bv(a, true).text).join(", ")})`);
    case "bvar":
      return primary(mangle(b.id));
  }
}

/** The expression's text, for a context that takes any expression (initialiser, argument, return). */
export function text(c: C): string {
  return c.text;
}
