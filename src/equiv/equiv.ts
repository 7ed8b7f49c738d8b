// `faultc equiv A B`: open both sides, prove, and on a difference build the counterexample.
import { buildCounterexample } from "./counterexample.ts";
import type { FieldPair } from "./fields.ts";
import { prove } from "./prove.ts";
import type { EquivReport } from "./report.ts";
import { openSide } from "../sides/open.ts";
import { sweep } from "./sweep.ts";

export interface EquivOptions {
  strict: boolean;
  sweep: boolean;
  /** Random fills per input class in the sweep. */
  fills: number;
  timeoutMs?: number;
  /** A's record fields compared with B's of another name (--map A_FIELD=B_FIELD). */
  map?: readonly FieldPair[];
  progress?: (done: number, total: number) => void;
}

export async function equivalence(specA: string, specB: string, o: EquivOptions): Promise<EquivReport> {
  const t0 = performance.now();
  const a = await openSide(specA);
  const b = await openSide(specB);
  const proof = await prove(a, b, { strict: o.strict, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.map ? { map: o.map } : {}) });
  const report: EquivReport = { a, b, strict: o.strict, proof, seconds: 0 };
  if (proof.verdict === "different") report.counterexample = await buildCounterexample(proof.failure, a, b);
  if (o.sweep) report.sweep = await sweep(a, b, proof, { fills: o.fills, strict: o.strict, ...(o.progress ? { progress: o.progress } : {}) });
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
