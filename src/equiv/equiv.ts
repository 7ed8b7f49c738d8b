// `faultc equiv A B`: open both sides, prove, and on a difference build the counterexample.
import { buildCounterexample } from "./counterexample.ts";
import type { FieldPair } from "./fields.ts";
import { prove, releaseProof } from "./prove.ts";
import { DEFAULT_TIMEOUT_MS, solverChoice, startSolver, type SolverChoice } from "./smt/backend.ts";
import type { EquivReport } from "./report.ts";
import { bindingsOf } from "../sides/binding.ts";
import { parseSideName } from "../sides/name.ts";
import { openSide } from "../sides/open.ts";
import type { BindingCandidate, Side } from "../sides/side.ts";
import { sweep } from "./sweep.ts";

export interface EquivOptions {
  strict: boolean;
  sweep: boolean;
  /** Random fills per input class in the sweep. */
  fills: number;
  timeoutMs?: number;
  /** A's record fields compared with B's of another name (--map A_FIELD=B_FIELD). */
  map?: readonly FieldPair[];
  /** For an object function side: the bindings to choose from (--binding FILE.fault), and only these. */
  bindings?: readonly BindingCandidate[];
  progress?: (done: number, total: number) => void;
  /** Which solver answers (--solver); by default FAULTC_SOLVER's choice, else auto. */
  solver?: SolverChoice;
}

/**
 * Both sides, opened so that an object function may take its binding from the rule file on the
 * other side: a side that is no object function is opened first.
 */
export async function openSides(specA: string, specB: string, bindings?: readonly BindingCandidate[]): Promise<[Side, Side]> {
  const isObject = (spec: string) => parseSideName(spec)?.kind === "object";
  const open = (spec: string, peer: Side | undefined) =>
    openSide(spec, { ...(bindings !== undefined ? { bindings } : {}), ...(peer?.module !== undefined ? { peerBindings: bindingsOf(peer.module) } : {}) });
  if (isObject(specA) && !isObject(specB)) {
    const b = await open(specB, undefined);
    return [await open(specA, b), b];
  }
  const a = await open(specA, undefined);
  return [a, await open(specB, a)];
}

export async function equivalence(specA: string, specB: string, o: EquivOptions): Promise<EquivReport> {
  const t0 = performance.now();
  // The solver starts while the sides are read; the proof takes it.
  void startSolver(o.solver ?? solverChoice(), o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const [a, b] = await openSides(specA, specB, o.bindings);
  const proof = await prove(a, b, { strict: o.strict, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.map ? { map: o.map } : {}), ...(o.solver ? { solver: o.solver } : {}) });
  const report: EquivReport = { a, b, strict: o.strict, proof, seconds: 0 };
  try {
    if (proof.verdict === "different") report.counterexample = await buildCounterexample(proof.failure, a, b);
    if (o.sweep) report.sweep = await sweep(a, b, proof, { fills: o.fills, strict: o.strict, ...(o.progress ? { progress: o.progress } : {}) });
  } finally {
    releaseProof(proof);
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
