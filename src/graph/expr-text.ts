// IR expressions as short text for the labels of decision graphs: close to the rule language
// (`esr_class(esr) == 0x16 && read VTTBR_EL2 == 0x0`), though printed from the IR, where enum
// members are constants and fields bit ranges. Every binary operand that is itself a different
// binary operation is parenthesised, so no reader needs the precedence table.
import type * as I from "../codegen/ir/types.ts";

interface Text {
  text: string;
  /** The binary operator at the top, if any. */
  op?: string;
}

const BV_OPS: Record<string, string> = { and: "&", or: "|", xor: "^", add: "+", sub: "-", shl: "<<", lshr: ">>" };
const CMP_OPS: Record<I.CmpOp, string> = { eq: "==", ne: "!=", ult: "<", ule: "<=", ugt: ">", uge: ">=" };
const ASSOCIATIVE = new Set(["&", "|", "^", "+", "&&", "||"]);

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** What binds tighter than `&&` and `||` without doubt: comparisons and set membership. */
const RELATION = new Set([...Object.values(CMP_OPS), "in"]);

function operand(t: Text, parent: string, right: boolean): string {
  if (t.op === undefined || (t.op === parent && !(right && !ASSOCIATIVE.has(parent)))) return t.text;
  if ((parent === "&&" || parent === "||") && RELATION.has(t.op)) return t.text;
  return `(${t.text})`;
}

function binary(op: string, a: Text, b: Text): Text {
  return { text: `${operand(a, op, false)} ${op} ${operand(b, op, true)}`, op };
}

function prefix(op: string, a: Text): Text {
  return { text: `${op}${a.op === undefined ? a.text : `(${a.text})`}` };
}

/** A register read as the rule file writes it: `read ESR_EL2 or ESR_EL1 when CAP`. */
export function sysregText(r: I.SysregChoice): string {
  return r.alternative === undefined ? `read ${r.base}` : `read ${r.base} or ${r.alternative.register} when ${r.alternative.capability}`;
}

function bv(e: I.BvExpr): Text {
  switch (e.op) {
    case "const":
      return { text: hex(e.value) };
    case "sysreg":
      return { text: sysregText(e.reg), op: e.reg.alternative === undefined ? undefined : "or" };
    case "var":
      return { text: e.id };
    case "input":
      return { text: e.reg };
    case "field":
      return { text: e.name };
    case "not":
      return prefix("~", bv(e.a));
    case "neg":
      return prefix("-", bv(e.a));
    case "and":
    case "or":
    case "xor":
    case "add":
    case "sub":
      return binary(BV_OPS[e.op], bv(e.a), bv(e.b));
    case "shl":
    case "lshr":
      return binary(BV_OPS[e.op], bv(e.a), { text: String(e.amount) });
    case "extract": {
      const a = bv(e.a);
      const base = a.op === undefined ? a.text : `(${a.text})`;
      return { text: e.width === 1 ? `${base}[${e.lo}]` : `${base}[${e.lo + e.width - 1}:${e.lo}]` };
    }
    case "zext":
    case "sext":
      // A widened constant (an enum member compared with a wider value) is just the number.
      if (e.a.op === "const" && (e.op === "zext" || (e.a.value >> BigInt(e.a.width - 1)) === 0n)) return { text: hex(e.a.value) };
      return { text: `${e.op}(${bv(e.a).text}, ${e.width})` };
    case "call":
      return { text: `${e.fn}(${e.args.map((x) => bv(x).text).join(", ")})` };
  }
}

function bool(b: I.BoolExpr): Text {
  switch (b.op) {
    case "true":
    case "false":
      return { text: b.op };
    case "cap":
      return { text: b.name };
    case "bvar":
      return { text: b.id };
    case "cmp":
      return binary(CMP_OPS[b.cmp], bv(b.a), bv(b.b));
    case "in": {
      const a = bv(b.a);
      return { text: `${a.op === undefined ? a.text : `(${a.text})`} in {${b.values.map(hex).join(", ")}}`, op: "in" };
    }
    case "not":
      return prefix("!", bool(b.a));
    case "and":
      return binary("&&", bool(b.a), bool(b.b));
    case "or":
      return binary("||", bool(b.a), bool(b.b));
    case "pred":
      return { text: `${b.name}(${b.args.map((x) => bv(x).text).join(", ")})` };
  }
}

export function bvText(e: I.BvExpr): string {
  return bv(e).text;
}

export function boolText(b: I.BoolExpr): string {
  return bool(b).text;
}

/** A statement in one line: `let far = read FAR_EL2`, `record esr_el2 = esr[31:0]`, `let par = at S1E1R(far) preserving PAR_EL1`. */
export function stmtText(s: I.Stmt): string {
  switch (s.kind) {
    case "let":
      return `let ${s.id} = ${bvText(s.value)}`;
    case "letBool":
      return `let ${s.id} = ${boolText(s.value)}`;
    case "record":
      return `record ${s.field} = ${bvText(s.value)}`;
    case "at": {
      const op = s.op.alternative === undefined ? s.op.base : `${s.op.base} or ${s.op.alternative.op} when ${s.op.alternative.capability}`;
      return `let ${s.id} = at ${op}${s.op.alternative === undefined ? "" : " "}(${bvText(s.address)})${s.preserve ? " preserving PAR_EL1" : ""}`;
    }
  }
}

/** An outcome as the rule file writes it: `exit ARM_EXCEPTION_TRAP`, `retry`, `handoff host_hvc`. */
export function outcomeText(o: I.IrOutcome): string {
  return o.kind === "exit" ? `exit ${o.name}` : o.kind === "retry" ? "retry" : `handoff ${o.target}`;
}
