// The JSON forms of run results (docs/RUN.md): hex strings for 64-bit values, stable key order.
import { hex } from "../scenario/index.ts";
import type { RunResult, TraceEntry } from "./types.ts";

/**
 * Keys can be names from rule files (record fields): Object.fromEntries defines each as an own
 * property, so that `__proto__` is a key like any other (assigning it would set the prototype).
 */
function hexRecord(m: ReadonlyMap<string, bigint>): Record<string, string> {
  return Object.fromEntries([...m].map(([k, v]) => [k, hex(v)]));
}

export function traceEntryToJson(t: TraceEntry): Record<string, unknown> {
  return {
    index: t.index,
    loc: t.loc,
    insn: t.text,
    writes: hexRecord(t.writes),
    ...(t.stores.length > 0 ? { stores: t.stores.map((s) => ({ address: hex(s.address), size: s.size, value: hex(s.value) })) } : {}),
  };
}

/** {"outcome","exit_code"?,"returned"?,"fault","sysregs","gprs_restored"?,"sp_restored"?,"callee_saved_restored"?,"par_preserved","steps","meta","trace"} */
export function runResultToJson(r: RunResult): Record<string, unknown> {
  return {
    outcome: r.outcome,
    ...(r.exitCode !== undefined ? { exit_code: hex(r.exitCode) } : {}),
    ...(r.returned !== undefined ? { returned: hex(r.returned) } : {}),
    fault: hexRecord(r.fault),
    sysregs: hexRecord(r.sysregs),
    ...(r.gprsRestored !== undefined ? { gprs_restored: r.gprsRestored } : {}),
    ...(r.spRestored !== undefined ? { sp_restored: r.spRestored } : {}),
    ...(r.calleeSavedRestored !== undefined ? { callee_saved_restored: r.calleeSavedRestored } : {}),
    par_preserved: r.parPreserved,
    steps: r.steps,
    meta: {
      seed: r.meta.seed,
      caps: [...r.meta.capabilities],
      arbitrary: hexRecord(r.meta.arbitrary),
    },
    trace: r.trace.map(traceEntryToJson),
  };
}
