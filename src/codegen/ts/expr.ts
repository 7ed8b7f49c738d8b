// IR expressions as TypeScript over the abstract domain `d` of a HypApi `h`.
import { stringLiteral } from "../escape.ts";
import { mangle } from "../names/mangle.ts";
import type * as I from "../ir/types.ts";

function hex(v: bigint): string {
  return `0x${v.toString(16)}n`;
}

export function sysregRead(reg: I.SysregChoice): string {
  if (reg.alternative === undefined) return `h.mrs(${stringLiteral(reg.base)})`;
  return `h.mrs(h.cap(${stringLiteral(reg.alternative.capability)}) ? ${stringLiteral(reg.alternative.register)} : ${stringLiteral(reg.base)})`;
}

export function bvExpr(e: I.BvExpr): string {
  switch (e.op) {
    case "const":
      return `d.const(${hex(e.value)}, ${e.width})`;
    case "sysreg":
      return sysregRead(e.reg);
    case "var":
      return mangle(e.id);
    case "not":
      return `d.not(${bvExpr(e.a)})`;
    case "neg":
      return `d.sub(d.const(0n, ${e.width}), ${bvExpr(e.a)})`;
    case "and":
    case "or":
    case "xor":
    case "add":
    case "sub":
      return `d.${e.op}(${bvExpr(e.a)}, ${bvExpr(e.b)})`;
    case "shl":
    case "lshr":
      return `d.${e.op}(${bvExpr(e.a)}, ${e.amount})`;
    case "extract":
      return `d.extract(${bvExpr(e.a)}, ${e.lo + e.width - 1}, ${e.lo})`;
    case "zext":
      return `d.zeroExtend(${bvExpr(e.a)}, ${e.width})`;
    case "sext":
      return `d.signExtend(${bvExpr(e.a)}, ${e.width})`;
    case "call":
      return `${mangle(e.fn)}(h, ${e.args.map(bvExpr).join(", ")})`;
    case "input":
    case "field":
      throw new Error(`internal: ${e.op} outside a contract`);
  }
}

/** True when the condition depends on capabilities alone: decided when the kernel is patched. */
export function isPatchTime(b: I.BoolExpr): boolean {
  switch (b.op) {
    case "true":
    case "false":
    case "cap":
      return true;
    case "not":
      return isPatchTime(b.a);
    case "and":
    case "or":
      return isPatchTime(b.a) && isPatchTime(b.b);
    default:
      return false;
  }
}

/** A patch-time condition as a plain TypeScript boolean. */
export function patchTimeExpr(b: I.BoolExpr): string {
  switch (b.op) {
    case "true":
      return "true";
    case "false":
      return "false";
    case "cap":
      return `h.cap(${stringLiteral(b.name)})`;
    case "not":
      return `!(${patchTimeExpr(b.a)})`;
    case "and":
      return `(${patchTimeExpr(b.a)} && ${patchTimeExpr(b.b)})`;
    case "or":
      return `(${patchTimeExpr(b.a)} || ${patchTimeExpr(b.b)})`;
    default:
      throw new Error("internal: not a patch-time condition");
  }
}

export function boolExpr(b: I.BoolExpr): string {
  switch (b.op) {
    case "true":
      return "d.true";
    case "false":
      return "d.false";
    case "cap":
      return `d.bool(h.cap(${stringLiteral(b.name)}))`;
    case "cmp": {
      const a = bvExpr(b.a);
      const c = bvExpr(b.b);
      switch (b.cmp) {
        case "eq":
          return `d.eq(${a}, ${c})`;
        case "ne":
          return `d.notB(d.eq(${a}, ${c}))`;
        case "ult":
          return `d.ult(${a}, ${c})`;
        case "ule":
          return `d.ule(${a}, ${c})`;
        case "ugt":
          return `d.ult(${c}, ${a})`;
        case "uge":
          return `d.ule(${c}, ${a})`;
      }
      break;
    }
    case "in":
      return `oneOf(d, ${bvExpr(b.a)}, [${b.values.map(hex).join(", ")}])`;
    case "not":
      return `d.notB(${boolExpr(b.a)})`;
    case "and":
      return `d.andB(${boolExpr(b.a)}, ${boolExpr(b.b)})`;
    case "or":
      return `d.orB(${boolExpr(b.a)}, ${boolExpr(b.b)})`;
    case "pred":
      return `${mangle(b.name)}(h, ${b.args.map(bvExpr).join(", ")})`;
    case "bvar":
      return mangle(b.id);
  }
  throw new Error("internal: unknown condition");
}
