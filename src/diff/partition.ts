// The differing region of one capability combination described as classes in field terms. A
// model of the region not yet covered gives a point: the value of every decision feature there,
// and the way it differs (its signature). The point's class is then widened feature by feature
// (least telling first) to the largest set of values that keeps it described by that signature,
// found by bisecting the feature's values (a range that keeps the description is taken whole,
// one with no input of the signature is dropped, any other is split). The class is recorded and
// excluded from the next model, until no differing input is left outside every class.
//
// A class is exact when every input in it differs the signature's way. When no exact class fits
// a point (a field's values differ on some inputs of the class and not on others), the class is
// widened under the weaker reading: every input of it that differs, differs this way.
import { numeral } from "../equiv/model-scenario.ts";
import type { Checker, SatResult } from "../equiv/solver.ts";
import type { BoolTerm } from "../equiv/term/term.ts";
import { domain, inSet, solverFeatures, type SolverFeature } from "./features.ts";
import { signatureAt, signaturePredicate, type ComboRegion, type Signature } from "./region.ts";

/** A class of one combination: for each solver feature constrained, its values (ascending). */
export interface Cube {
  values: Map<string, number[]>;
  signature: Signature;
  exact: boolean;
}

/** The solver could not decide a question of the partition (exit 3). */
export class Undecided extends Error {}

export interface PartitionLimits {
  /** Classes per combination before giving up (the answer would be unreadable anyway). */
  maxClasses: number;
}

export const DEFAULT_PARTITION_LIMITS: PartitionLimits = { maxClasses: 400 };

async function unsat(checker: Checker, conds: BoolTerm[]): Promise<boolean> {
  const r: SatResult = await checker.check(conds);
  if (r === "unknown") throw new Undecided("the solver could not decide whether a class of inputs is described exactly");
  return r === "unsat";
}

/** The cube as one term: every constrained feature in its set. */
export function cubeTerm(region: ComboRegion, features: readonly SolverFeature[], values: ReadonlyMap<string, number[]>): BoolTerm {
  const ctx = region.combo.inputs.d.ctx;
  const parts: BoolTerm[] = [];
  for (const [name, vs] of values) {
    const f = features.find((x) => x.name === name);
    if (f === undefined) return ctx.Bool.val(false) as BoolTerm;
    parts.push(inSet(region.combo, f, vs));
  }
  return parts.length === 0 ? (ctx.Bool.val(true) as BoolTerm) : parts.length === 1 ? parts[0] : (ctx.And(...parts) as BoolTerm);
}

/**
 * The classes of one combination. `candidates` are classes of other combinations, tried first:
 * one that describes this combination's differences the same way is taken as it is (most
 * combinations differ the same way, and the same class in several lets them merge into one row).
 */
export async function partitionCombo(region: ComboRegion, candidates: readonly Cube[] = [], limits: PartitionLimits = DEFAULT_PARTITION_LIMITS): Promise<Cube[]> {
  const { combo } = region;
  const checker = combo.checker;
  const ctx = combo.inputs.d.ctx;
  const features = solverFeatures(combo);
  const cubes: Cube[] = [];
  const outside: BoolTerm[] = [];
  for (const c of candidates) {
    if ([...c.values.keys()].some((f) => !features.some((x) => x.name === f))) continue;
    const term = cubeTerm(region, features, c.values);
    const sig = signaturePredicate(region, c.signature);
    const not = ctx.Not(sig) as BoolTerm;
    if (!(await unsat(checker, c.exact ? [term, not] : [term, region.differ, not]))) continue;
    if (await unsat(checker, [term, sig, ...outside])) continue;
    cubes.push(c);
    outside.push(ctx.Not(term) as BoolTerm);
  }
  for (;;) {
    const { result, model } = await checker.model([region.differ, ...outside]);
    if (result === "unknown") throw new Undecided("the solver could not decide whether some difference is left undescribed");
    if (result === "unsat") break;
    if (cubes.length >= limits.maxClasses) throw new Undecided(`more than ${limits.maxClasses} classes of differing inputs under capabilities {${combo.caps.join(", ")}}`);
    const { signature } = signatureAt(region, model!);
    const values = new Map<string, number[]>();
    for (const f of features) values.set(f.name, [Number(numeral(model!.eval(f.term, true).toString()))]);
    let sig = signature;
    let not = ctx.Not(signaturePredicate(region, sig)) as BoolTerm;
    const point = cubeTerm(region, features, values);
    let exact = await unsat(checker, [point, not]);
    if (!exact && !(await unsat(checker, [point, region.differ, not]))) {
      // Inputs of this point's class differ in several ways: describe it by what may differ.
      sig = { ...signature, differs: await possibleItems(region, point, signature), some: true };
      not = ctx.Not(signaturePredicate(region, sig)) as BoolTerm;
      if (!(await unsat(checker, [point, region.differ, not]))) throw new Undecided(`the inputs of one class take several ways of differing under capabilities {${combo.caps.join(", ")}}`);
    }
    const keeps = (term: BoolTerm) => unsat(checker, exact ? [term, not] : [term, region.differ, not]);
    const has = async (term: BoolTerm) => !(await unsat(checker, [term, ctx.Not(not) as BoolTerm]));
    for (const f of features) {
      const good: number[] = [];
      // The point's own value needs no question: the cube with it is the one the last feature's
      // widening (or the point's check) proved described, and the point is an input of the
      // signature, so a range holding it has one.
      const own = values.get(f.name)![0];
      const widen = async (lo: number, hi: number): Promise<void> => {
        if (lo === own && hi === own) {
          good.push(own);
          return;
        }
        const trial = new Map(values);
        trial.set(f.name, domain(f.width).slice(lo, hi + 1));
        const term = cubeTerm(region, features, trial);
        if (await keeps(term)) {
          for (let v = lo; v <= hi; v++) good.push(v);
          return;
        }
        if (lo === hi || (!(lo <= own && own <= hi) && !(await has(term)))) return;
        const mid = (lo + hi) >> 1;
        await widen(lo, mid);
        await widen(mid + 1, hi);
      };
      await widen(0, (1 << f.width) - 1);
      if (good.length === 1 << f.width) values.delete(f.name);
      else values.set(f.name, good.sort((x, y) => x - y));
    }
    if (!exact) await tighten(region, features, values, ctx.Not(not) as BoolTerm);
    cubes.push({ values, signature: sig, exact });
    outside.push(ctx.Not(cubeTerm(region, features, values)) as BoolTerm);
  }
  return cubes;
}

/**
 * A partial class keeps only the values of each feature where some input differs its way: the
 * weaker reading lets widening take values where nothing differs, which the table must not name.
 */
async function tighten(region: ComboRegion, features: readonly SolverFeature[], values: Map<string, number[]>, sig: BoolTerm): Promise<void> {
  for (const [name, vs] of [...values]) {
    const kept: number[] = [];
    const visit = async (part: number[]): Promise<void> => {
      const trial = new Map(values);
      trial.set(name, part);
      if (await unsat(region.combo.checker, [cubeTerm(region, features, trial), sig])) return;
      if (part.length === 1) {
        kept.push(part[0]);
        return;
      }
      const mid = part.length >> 1;
      await visit(part.slice(0, mid));
      await visit(part.slice(mid));
    };
    await visit(vs ?? []);
    values.set(name, kept);
  }
}

/** The items of a same-outcome signature that differ somewhere in `point` (a weak signature lists them). */
async function possibleItems(region: ComboRegion, point: BoolTerm, s: Signature): Promise<string[]> {
  const names = new Set<string>();
  for (const p of region.pairs) {
    if (p.oa !== s.oa || p.ob !== s.ob || p.outcomeDiffers) continue;
    for (const i of p.items) if (!names.has(i.name) && !(await unsat(region.combo.checker, [point, p.taken, i.differs]))) names.add(i.name);
  }
  return [...names].sort();
}
