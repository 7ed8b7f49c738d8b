// Prints expressions back as rule-language text: for messages, for comparing conditions, and
// for the comments that tie generated code to its rule.
import type * as A from "./ast.ts";

const precedence: Record<A.BinaryOp, number> = {
  "||": 1, "&&": 2,
  "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
  "|": 4, "^": 5, "&": 6, "<<": 7, ">>": 7, "+": 8, "-": 8,
};

export function printExpr(e: A.Expr, parent = 0): string {
  switch (e.kind) {
    case "int":
      return e.text;
    case "bool":
      return String(e.value);
    case "name":
      return e.name.text;
    case "field":
      return `${printExpr(e.target, 10)}.${e.field.text}`;
    case "slice":
      return `${printExpr(e.target, 10)}[${e.hi.value}${e.lo === undefined ? "" : `:${e.lo.value}`}]`;
    case "call":
      return `${e.callee.text}(${e.args.map((a) => printExpr(a)).join(", ")})`;
    case "unary":
      return `${e.op}${printExpr(e.operand, 9)}`;
    case "binary": {
      const p = precedence[e.op];
      const text = `${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`;
      return p < parent ? `(${text})` : text;
    }
    case "in": {
      const set = e.set.kind === "setLiteral" ? `{${e.set.elements.map((x) => printExpr(x)).join(", ")}}` : e.set.name.text;
      const text = `${printExpr(e.operand, 4)} ${e.negated ? "not in" : "in"} ${set}`;
      return 3 < parent ? `(${text})` : text;
    }
    case "read":
      return `read ${printAlternative(e.register)}`;
    case "at":
      return `at ${printAlternative(e.op)}(${printExpr(e.address)})${e.preserving ? ` preserving ${e.preserving.text}` : ""}`;
  }
}

export function printAlternative(a: A.Alternative): string {
  return a.replacement ? `${a.base.text} or ${a.replacement.name.text} when ${a.replacement.capability.text}` : a.base.text;
}
