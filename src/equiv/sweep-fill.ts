// Random fills of an input class without the solver: the class's model with some bits of each
// input replaced at random, kept only where the class's constraint still evaluates to true
// (faultc's own evaluation, sweep-eval.ts: no solver call). A replacement that leaves the class is
// narrowed (one input at a time, fewer bits), then given up: inputs the class fixes keep the
// model's value, and no fill is ever asked of the solver.
import type { SymValue } from "./symbolic/domain.ts";
import type { Assignment, CombinationTerms } from "./sweep-eval.ts";
import type { Reach, TermValue } from "./term/compiled.ts";
import type { BvTerm, BoolTerm, Term } from "./term/term.ts";

/** Deterministic PRNG (splitmix64) for the random fills. */
export function* randomWords(seed: bigint): Generator<bigint> {
  let x = seed;
  const M = (1n << 64n) - 1n;
  for (;;) {
    x = (x + 0x9e3779b97f4a7c15n) & M;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    yield z ^ (z >> 31n);
  }
}

export interface NamedInput {
  name: string;
  value: SymValue;
}

/**
 * Values of a class's inputs: the model's, with the named inputs replaced by chosen values. A
 * named input is replaced as a whole (an AT result `at_s1e1r(FAR)` keeps its value when FAR
 * changes): it is a leaf of the evaluation, as each AT result is.
 */
export class ClassAssignment {
  private readonly inputs: Term[];
  private readonly widths: number[];
  private readonly index = new Map<number, number>();
  /** The constraint's conditions, as nodes of the combination's program. */
  private readonly constraint: number[];
  /** What each subterm reaches of the named inputs. */
  private readonly reach: Reach;
  /** Choices evaluated lately (the model's first, always kept): a new choice is evaluated from the nearest. */
  private readonly known: { values: readonly bigint[]; at: Assignment }[];
  readonly values: bigint[];

  constructor(
    private readonly terms: CombinationTerms,
    private readonly model: Assignment,
    /** The named inputs that are terms (constants are no inputs to choose). */
    inputs: readonly { value: { z: BvTerm } }[],
    constraint: readonly BoolTerm[],
  ) {
    this.inputs = inputs.map((n) => terms.tree(n.value.z));
    inputs.forEach((n, i) => this.index.set(n.value.z.id(), i));
    const values = this.inputs.map((t) => model.bits(t));
    this.widths = values.map((v) => v.w);
    this.values = values.map((v) => v.v);
    this.constraint = constraint.map((c) => terms.node(c));
    this.reach = terms.reach(this.inputs);
    this.known = [{ values: this.values, at: model }];
  }

  /** The assignment of `values`: the nearest known one's, with the inputs that differ replaced. */
  private at(values: readonly bigint[]): Assignment {
    let nearest = this.known[0];
    let distance = Infinity;
    for (const k of this.known) {
      let d = 0;
      for (let i = 0; i < values.length; i++) if (values[i] !== k.values[i]) d++;
      if (d < distance) [nearest, distance] = [k, d];
    }
    if (distance === 0) return nearest.at;
    const replaced = new Map<Term, TermValue>();
    values.forEach((v, i) => {
      if (v !== nearest.values[i]) replaced.set(this.inputs[i], v);
    });
    const at = nearest.at.with(replaced, this.reach);
    this.known.push({ values: [...values], at });
    // A few kept: the model's, and the choices a fill is building on.
    if (this.known.length > 4) this.known.splice(1, 1);
    return at;
  }

  value(v: SymValue, values: readonly bigint[] = this.values): bigint {
    if ("c" in v) return v.c.value;
    const i = this.index.get(v.z.id());
    if (i !== undefined) return values[i];
    return this.at(values).bits(this.terms.tree(v.z)).v;
  }

  /**
   * Whether `values` stay in the class. The condition that failed last is evaluated first: a
   * fill that leaves the class mostly leaves it by the same condition (the one fixing bits of an
   * input), so a rejected fill costs that condition's evaluation, not the conditions before it.
   * Which comes first changes only the cost: the answer is the conjunction's.
   */
  holds(values: readonly bigint[]): boolean {
    const at = this.at(values);
    const failed = this.constraint.findIndex((c) => !at.truthAt(c));
    if (failed > 0) this.constraint.unshift(...this.constraint.splice(failed, 1));
    return failed < 0;
  }

  /**
   * Another point of the class: every input with a random quarter of its bits replaced, if that
   * stays in the class; else each input in turn with an eighth of its bits replaced where that
   * does. `consistent` vets a whole choice beyond the constraint (one AT result per operation
   * and VA). At most 1 + one evaluation per input.
   */
  randomFill(rand: Generator<bigint>, consistent: (values: readonly bigint[]) => boolean): bigint[] {
    const word = () => rand.next().value as bigint;
    const masks = this.widths.map((w) => [word() & word(), word() & word() & word()].map((m) => m & ((1n << BigInt(w)) - 1n)));
    const randoms = this.widths.map(() => word());
    const replace = (v: bigint, i: number, m: bigint) => (v & ~m) | (randoms[i] & m);
    const ok = (vs: bigint[]) => consistent(vs) && this.holds(vs);
    // Every input at once first: the common case when the class fixes few bits.
    const all = this.values.map((v, i) => replace(v, i, masks[i][0]));
    if (ok(all)) return all;
    // Else one input at a time, an eighth of its bits.
    const chosen = [...this.values];
    for (let i = 0; i < chosen.length; i++) {
      if (masks[i][1] === 0n) continue;
      const next = [...chosen];
      next[i] = replace(chosen[i], i, masks[i][1]);
      if (ok(next)) chosen[i] = next[i];
    }
    return chosen;
  }
}
