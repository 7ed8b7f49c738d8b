// The children of an IR expression, written once, so that every pass that only looks for
// something (references, calls, register reads) walks the tree the same way.
import type { BoolExpr, BvExpr } from "./types.ts";

/** The bit-vector operands of a bit-vector expression. */
export function bvOperands(e: BvExpr): BvExpr[] {
  switch (e.op) {
    case "const":
    case "sysreg":
    case "var":
    case "input":
    case "field":
      return [];
    case "not":
    case "neg":
    case "shl":
    case "lshr":
    case "extract":
    case "zext":
    case "sext":
      return [e.a];
    case "and":
    case "or":
    case "xor":
    case "add":
    case "sub":
      return [e.a, e.b];
    case "call":
      return e.args;
  }
}

/** The operands of a condition: its sub-conditions and its bit-vector operands. */
export function boolOperands(b: BoolExpr): { bools: BoolExpr[]; bvs: BvExpr[] } {
  switch (b.op) {
    case "true":
    case "false":
    case "cap":
    case "bvar":
      return { bools: [], bvs: [] };
    case "cmp":
      return { bools: [], bvs: [b.a, b.b] };
    case "in":
      return { bools: [], bvs: [b.a] };
    case "not":
      return { bools: [b.a], bvs: [] };
    case "and":
    case "or":
      return { bools: [b.a, b.b], bvs: [] };
    case "pred":
      return { bools: [], bvs: b.args };
  }
}

/** Every node of `e`, pre-order. */
export function* bvNodes(e: BvExpr): Generator<BvExpr> {
  yield e;
  for (const x of bvOperands(e)) yield* bvNodes(x);
}

/** Every condition and bit-vector node under `b`, pre-order. */
export function* boolNodes(b: BoolExpr): Generator<BoolExpr | BvExpr> {
  yield b;
  const { bools, bvs } = boolOperands(b);
  for (const x of bools) yield* boolNodes(x);
  for (const x of bvs) yield* bvNodes(x);
}
