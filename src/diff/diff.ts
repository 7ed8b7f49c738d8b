// `faultc diff A B`: every class of inputs on which A and B behave differently. Both sides are
// opened and explored exactly as `faultc equiv` does (the same side layer and symbolic
// exploration, per capability combination); the differing region of each combination is then
// described as classes in field terms (partition.ts), the classes of all combinations merged
// into rows (merge.ts), the rows checked to cover every difference, and each row given a witness
// that replays (witness.ts).
import { openSides } from "../equiv/equiv.ts";
import type { FieldPair } from "../equiv/fields.ts";
import { prove } from "../equiv/prove.ts";
import { DEFAULT_TIMEOUT_MS, solverChoice, startSolver, type SolverChoice } from "../equiv/smt/backend.ts";
import { replayTarget } from "../equiv/report.ts";
import { outcomeKey } from "../equiv/symbolic/paths.ts";
import type { BoolTerm } from "../equiv/term/term.ts";
import type { BindingCandidate } from "../sides/side.ts";
import { condition, solverFeatures } from "./features.ts";
import { mergeClasses, withCapabilities, type MergedClass } from "./merge.ts";
import { resolveMapping, type WrittenPair } from "./outcome-mapping.ts";
import { cubeTerm, partitionCombo, Undecided, type Cube } from "./partition.ts";
import { comboRegion, rulesOf, signatureKey, signaturePredicate, type ComboRegion } from "./region.ts";
import type { ClassCondition, DiffReport, DiffRow } from "./types.ts";
import { buildWitness, type Minimiser } from "./witness.ts";

export interface DiffOptions {
  strict: boolean;
  /** A's record fields compared with B's of another name (--map). */
  map?: readonly FieldPair[];
  /** Outcome pairs as written (--map-outcome, --mapping FILE). */
  mapping?: readonly WrittenPair[];
  bindings?: readonly BindingCandidate[];
  timeoutMs?: number;
  /** Who answers the proof's and the partition's questions (--solver; default FAULTC_SOLVER, else auto). */
  solver?: SolverChoice;
  /** How witnesses are minimised (minimalModel by default; tests give one that gives up). */
  minimise?: Minimiser;
}

const cubeKey = (c: Cube) => `${c.exact} ${signatureKey(c.signature)} ${JSON.stringify([...c.values].sort(([x], [y]) => (x < y ? -1 : 1)))}`;

/** The order a class's conditions are written in. */
const DISPLAY_ORDER = (f: string): number => (f === "EC" ? 0 : f === "FSC" ? 1 : f === "S1PTW" ? 2 : f === "FnV" ? 3 : f === "EA" ? 4 : f === "ESR[63:32]" ? 5 : f.startsWith("AT ") ? 6 : f.startsWith("cap ") ? 8 : 7);

function conditions(c: MergedClass): ClassCondition[] {
  return [...c.values].sort(([x], [y]) => DISPLAY_ORDER(x) - DISPLAY_ORDER(y) || (x < y ? -1 : 1)).map(([f, vs]) => condition(f, vs));
}

/** The class under one combination: undefined when its capabilities exclude the combination. */
function classIn(region: ComboRegion, c: MergedClass): BoolTerm | undefined {
  const solver = new Map<string, number[]>();
  for (const [f, vs] of c.values) {
    if (!f.startsWith("cap ")) solver.set(f, vs);
    else if (!vs.includes(region.combo.caps.includes(f.slice(4)) ? 1 : 0)) return undefined;
  }
  return cubeTerm(region, solverFeatures(region.combo), solver);
}

export async function diff(specA: string, specB: string, o: DiffOptions): Promise<DiffReport> {
  // The solver starts while the sides are read; the proof takes it.
  void startSolver(o.solver ?? solverChoice(), o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const [a, b] = await openSides(specA, specB, o.bindings);
  const proof = await prove(a, b, { strict: o.strict, ...(o.map ? { map: o.map } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.solver !== undefined ? { solver: o.solver } : {}) });
  const combos = proof.combos;
  const calls = () => combos.reduce((n, c) => n + c.checker.calls, 0);
  const base = {
    sides: { a: a.label, b: b.label },
    replay: { a: replayTarget(a), b: replayTarget(b) },
    strict: o.strict,
    contract: proof.contract === undefined ? null : { file: proof.contract.file },
    fieldMap: proof.map.map((m) => ({ a: m.a, b: m.b })),
    notCompared: proof.notCompared,
    capabilities: { enumerated: proof.enumerated, fixed: proof.fixed.map((f) => ({ name: f.name, present: f.present })) },
  };
  const unknown = (reason: string, mapping: DiffReport["mapping"] = []): DiffReport => ({ ...base, mapping, verdict: "unknown", reason, rows: [], complete: false, solverCalls: calls() });
  // An exploration that stopped (a limit, an unsupported operation) leaves combinations unexplored.
  if (combos.length < 2 ** proof.enumerated.length) return unknown(proof.verdict === "unknown" ? proof.reason : "the exploration stopped");
  const outcomes = (side: "a" | "b") => new Set(combos.flatMap((c) => (side === "a" ? c.pathsA : c.pathsB).map((p) => outcomeKey(p.outcome))));
  const mapping = resolveMapping(o.mapping ?? [], a, b, outcomes("a"), outcomes("b"));
  const regions = combos.map((combo) => comboRegion(combo, { a, b, fields: proof.fields, contract: proof.contract, mapping }));

  let merged: MergedClass[];
  const widths = new Map<string, number>();
  try {
    const classes: MergedClass[] = [];
    const seen = new Map<string, Cube>();
    for (const r of regions) {
      for (const f of solverFeatures(r.combo)) widths.set(f.name, f.width);
      const cubes = await partitionCombo(r, [...seen.values()]);
      for (const c of cubes) seen.set(cubeKey(c), c);
      classes.push(...withCapabilities(cubes, r.combo.caps, proof.enumerated));
    }
    merged = mergeClasses(classes, widths);
  } catch (e) {
    if (e instanceof Undecided) return unknown(e.message, mapping);
    throw e;
  }

  // Complete: no differing input outside every row, in any combination.
  let complete = true;
  for (const r of regions) {
    const ctx = r.combo.inputs.d.ctx;
    const rows = merged.map((c) => classIn(r, c)).filter((t): t is BoolTerm => t !== undefined);
    const res = await r.combo.checker.check([r.differ, ...rows.map((t) => ctx.Not(t) as BoolTerm)]);
    if (res !== "unsat") complete = false;
  }

  const ordered = merged
    .map((c) => ({ c, conds: conditions(c) }))
    .sort((x, y) => {
      const kx = `${signatureKey(x.c.signature)} ${x.conds.map((t) => t.text).join(", ")}`;
      const ky = `${signatureKey(y.c.signature)} ${y.conds.map((t) => t.text).join(", ")}`;
      return kx < ky ? -1 : kx > ky ? 1 : 0;
    });
  const rows: DiffRow[] = [];
  for (const { c, conds } of ordered) {
    let built: DiffRow | undefined;
    for (const r of regions) {
      const cls = classIn(r, c);
      if (cls === undefined) continue;
      const sig = signaturePredicate(r, c.signature);
      const query = c.exact ? [cls, sig] : [cls, r.differ, sig];
      if ((await r.combo.checker.check(query)) !== "sat") continue;
      // The paths of each side the class's differing inputs take, as the rules they enter.
      const paths = { a: new Map<string, string[]>(), b: new Map<string, string[]>() };
      for (const p of r.pairs) {
        if (p.oa !== c.signature.oa || p.ob !== c.signature.ob) continue;
        if ((await r.combo.checker.check([...query, p.taken])) !== "sat") continue;
        paths.a.set(JSON.stringify(rulesOf(p.a)), rulesOf(p.a));
        paths.b.set(JSON.stringify(rulesOf(p.b)), rulesOf(p.b));
      }
      const sorted = (m: Map<string, string[]>) => [...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, v]) => v);
      let w;
      try {
        w = await buildWitness(r, query, c.signature, a, b, mapping, { a: sorted(paths.a), b: sorted(paths.b) }, o.timeoutMs, o.minimise);
      } catch (e) {
        if (e instanceof Undecided) return unknown(e.message, mapping);
        throw e;
      }
      built = { id: rows.length + 1, class: { conditions: conds, text: conds.map((t) => t.text).join(", ") || "every input" }, differs: c.signature.differs, a: w.a, b: w.b, witness: w.witness, exact: c.exact };
      break;
    }
    if (built === undefined) throw new Error(`internal: row '${conds.map((t) => t.text).join(", ")}' has no input in any combination`);
    rows.push(built);
  }
  // A witness the solver could not minimise still replays, but it is not the answer the report
  // promises: the rows are shown, the verdict is undecided (exit 3).
  const notMinimal = rows.filter((r) => r.witness.undecided !== undefined).map((r) => r.id);
  if (notMinimal.length > 0) return { ...base, mapping, verdict: "unknown", reason: `the solver gave up minimising the witness of row ${notMinimal.join(", ")} (shown: a model of its class, not the smallest)`, rows, complete, solverCalls: calls() };
  return { ...base, mapping, verdict: rows.length === 0 ? "same" : "different", rows, complete, solverCalls: calls() };
}
