// Random fills of an input class without the solver: the class's model with some bits of each
// input replaced at random, kept only where the class's constraint still evaluates to true under
// the model (z3's model evaluation is synchronous and costs no solver call). A replacement that
// leaves the class is narrowed (one input at a time, fewer bits), then given up: inputs the class
// fixes keep the model's value, and no fill is ever asked of the solver.
import type { Z3Model } from "./sweep-classes.ts";
import type { SymValue } from "./symbolic/domain.ts";
import { numeral } from "./model-scenario.ts";
import type { Z3BitVec, Z3Bool, Z3Context } from "./z3.ts";

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
 * Values of a class's inputs: the model's, with the named inputs' terms replaced by chosen values.
 * The named terms are replaced as wholes by fresh constants once (an AT result `at_s1e1r(FAR)`
 * keeps its value when FAR changes), and a choice is the model's interpretation of those
 * constants: each evaluation is then one pass of z3's model evaluator, with no term rebuilt.
 */
export class ClassAssignment {
  private readonly params: Z3BitVec[];
  private readonly widths: number[];
  private readonly index = new Map<number, number>();
  private readonly replaced = new Map<number, Z3BitVec | Z3Bool>();
  private readonly subst: [Z3BitVec, Z3BitVec][];
  private readonly constraint: Z3Bool;
  private current: readonly bigint[] | undefined;
  readonly values: bigint[];

  constructor(
    private readonly ctx: Z3Context,
    private readonly model: Z3Model,
    /** The named inputs that are terms (constants are no inputs to choose). */
    inputs: readonly { value: { z: Z3BitVec } }[],
    constraint: Z3Bool,
  ) {
    const terms = inputs.map((n) => n.value.z);
    this.widths = terms.map((t) => t.sort.size());
    this.params = terms.map((t, i) => ctx.BitVec.const(`sweep!input!${i}`, this.widths[i]) as Z3BitVec);
    terms.forEach((t, i) => this.index.set(t.id(), i));
    this.subst = terms.map((t, i) => [t, this.params[i]]);
    this.constraint = this.param(constraint) as Z3Bool;
    this.values = terms.map((t) => numeral(model.eval(t, true).toString()));
  }

  /** `t` over the fresh constants. */
  private param(t: Z3BitVec | Z3Bool): Z3BitVec | Z3Bool {
    let r = this.replaced.get(t.id());
    if (r === undefined) {
      r = this.subst.length === 0 ? t : (this.ctx.substitute(t, ...this.subst) as Z3BitVec | Z3Bool);
      this.replaced.set(t.id(), r);
    }
    return r;
  }

  private choose(values: readonly bigint[]): void {
    values.forEach((v, i) => {
      if (this.current?.[i] !== v) this.model.updateValue(this.params[i], this.ctx.BitVec.val(v, this.widths[i]));
    });
    this.current = [...values];
  }

  value(v: SymValue, values: readonly bigint[] = this.values): bigint {
    if ("c" in v) return v.c.value;
    const i = this.index.get(v.z.id());
    if (i !== undefined) return values[i];
    this.choose(values);
    return numeral(this.model.eval(this.param(v.z), true).toString());
  }

  /** Whether `values` stay in the class. */
  holds(values: readonly bigint[]): boolean {
    this.choose(values);
    return this.ctx.isTrue(this.model.eval(this.constraint, true));
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
