// The names a piece of handler IR reads (the rule language has no shadowing, so a name is one
// binding on any path): for the C backend's declarations and the asm backend's liveness.
import type * as I from "./types.ts";
import { boolNodes, bvNodes } from "./walk.ts";

export function bvRefs(e: I.BvExpr, out: Set<string>): void {
  for (const n of bvNodes(e)) if (n.op === "var") out.add(n.id);
}

export function boolRefs(b: I.BoolExpr, out: Set<string>): void {
  for (const n of boolNodes(b)) {
    if (n.op === "var") out.add(n.id);
    else if (n.op === "bvar") out.add(n.id);
  }
}

/** Names read by one statement. */
export function stmtRefs(s: I.Stmt, out: Set<string>): void {
  if (s.kind === "let" || s.kind === "record") bvRefs(s.value, out);
  else if (s.kind === "letBool") boolRefs(s.value, out);
  else bvRefs(s.address, out);
}

/** Names read by a terminator: the guards of a decision and everything its rules' bodies read. */
export function terminatorRefs(t: I.Terminator, out: Set<string>): void {
  if (t.kind !== "decide") return;
  for (const r of t.rules) {
    if (r.guard) boolRefs(r.guard, out);
    blockRefs(r.body, 0, out);
  }
}

/** Names read by statements `from` on and by the terminator. */
export function blockRefs(b: I.Block, from: number, out: Set<string>): void {
  for (const s of b.stmts.slice(from)) stmtRefs(s, out);
  terminatorRefs(b.end, out);
}

/**
 * For each name the block reads, the index of the last statement that reads it, or
 * b.stmts.length if its terminator does. After that point the block's path never reads it again:
 * the block is the rest of every path through it (a decision's rules are paths of their own).
 */
export function lastUses(b: I.Block): Map<string, number> {
  const last = new Map<string, number>();
  b.stmts.forEach((s, i) => {
    const refs = new Set<string>();
    stmtRefs(s, refs);
    for (const id of refs) last.set(id, i);
  });
  const refs = new Set<string>();
  terminatorRefs(b.end, refs);
  for (const id of refs) last.set(id, b.stmts.length);
  return last;
}
