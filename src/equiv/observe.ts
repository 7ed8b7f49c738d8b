// What a contract observes, shared by the proof and the sweep: the field pairs compared for an
// outcome, where a field its conditions name is read, and the outcome of a concrete run in the
// same words as a symbolic path's.
import type { RunResult } from "../runtime/run/types.ts";
import type { BoolExpr } from "../codegen/ir/types.ts";
import type { FieldPair } from "./fields.ts";
import type { ContractUsed } from "./prove.ts";
import { outcomeKey, UNMAPPED_RETURN, type PathOutcome } from "./symbolic/paths.ts";

/**
 * The pairs observed on `outcome`: the contract's clause for it (its field names are its own
 * side's), or every pair.
 */
export function observedFields(contract: ContractUsed | undefined, outcome: string, pairs: readonly FieldPair[]): { pair: FieldPair; when: BoolExpr | undefined }[] {
  const clause = contract?.contract.clauses.find((c) => outcomeKey(c.outcome.kind === "exit" ? { kind: "exit", code: c.outcome.code } : c.outcome) === outcome);
  if (contract === undefined || clause === undefined) return pairs.map((pair) => ({ pair, when: undefined }));
  return clause.fields.flatMap((f) => {
    const pair = pairs.find((p) => p[contract.side] === f.name);
    return pair === undefined ? [] : [{ pair, when: f.when }];
  });
}

/**
 * Where a field named in a contract's condition is read: on side A when it is in a pair (so that
 * both sides' fields are judged by the same value), else on the contract's own side.
 */
export function whenFieldSource(contract: ContractUsed | undefined, pairs: readonly FieldPair[], name: string): { side: "a" | "b"; field: string } {
  const owner = contract?.side ?? "a";
  const pair = pairs.find((p) => p[owner] === name);
  return pair !== undefined ? { side: "a", field: pair.a } : { side: owner, field: name };
}

/**
 * A concrete run's outcome as `outcomeKey` writes a path's: "exit 0x1", "retry", "handoff NAME";
 * a function's own outcomes ("returns 0x5", "brk #0x800") as they are.
 */
export function runOutcomeKey(r: RunResult): string {
  if (r.outcome.includes(" ")) return r.outcome;
  return r.outcome === "exit" ? `exit 0x${(r.exitCode ?? 0n).toString(16)}` : r.outcome === "retry" ? "retry" : `handoff ${r.outcome}`;
}

/** Whether a concrete run's outcome is the symbolic path's: any returned value the binding does not map is the one unmapped outcome. */
export function sameOutcome(runKey: string, o: PathOutcome): boolean {
  return o.kind === "unmapped" ? runKey.startsWith("returns ") : runKey === outcomeKey(o);
}

/** An outcome key as a verb phrase: "exits 0x1", "retries", "hands off to host_hvc". */
export function outcomePhrase(key: string): string {
  if (key.startsWith("exit ")) return `exits ${key.slice(5)}`;
  if (key === "retry") return "retries";
  if (key.startsWith("handoff ")) return `hands off to ${key.slice(8)}`;
  if (key.startsWith("returns ")) return key;
  if (key.startsWith("brk ")) return `takes ${key} (BUG())`;
  return `ends with ${key}`;
}
