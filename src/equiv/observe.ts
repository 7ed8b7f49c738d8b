// What a contract observes, shared by the proof and the sweep: the fields compared for an
// outcome, and the outcome of a concrete run in the same words as a symbolic path's.
import type { RunResult } from "../runtime/run/types.ts";
import type { BoolExpr } from "../codegen/ir/types.ts";
import type { ContractUsed } from "./prove.ts";
import { outcomeKey } from "./symbolic/paths.ts";

/** The fields observed on `outcome`: the contract's clause for it, or every common field. */
export function observedFields(contract: ContractUsed | undefined, outcome: string, common: readonly string[]): { name: string; when: BoolExpr | undefined }[] {
  const clause = contract?.contract.clauses.find((c) => outcomeKey(c.outcome.kind === "exit" ? { kind: "exit", code: c.outcome.code } : c.outcome) === outcome);
  return clause === undefined ? common.map((name) => ({ name, when: undefined })) : clause.fields.filter((f) => common.includes(f.name));
}

/** A concrete run's outcome as `outcomeKey` writes a path's: "exit 0x1", "retry", "handoff NAME". */
export function runOutcomeKey(r: RunResult): string {
  return r.outcome === "exit" ? `exit 0x${(r.exitCode ?? 0n).toString(16)}` : r.outcome === "retry" ? "retry" : `handoff ${r.outcome}`;
}
