// faultc's own terms (src/equiv/term): made once per structure, sorts checked where they are made,
// and evaluated in an assignment as z3 evaluates them: random terms over every operator the
// prover builds, each evaluated by term/evaluate.ts and by z3-solver's own model evaluation under
// the same assignment of its constants (z3 is the oracle), and printed for a native z3 that must
// accept the text and agree on the value; and evaluated compiled (term/compiled.ts, as the sweep
// does), in assignments derived from one another, as term/evaluate.ts evaluates them afresh.
import { describe, expect, it } from "vitest";
import { evaluateTerm, type TermValue } from "../../src/equiv/term/evaluate.ts";
import { ProgramValues, Reach, TermProgram } from "../../src/equiv/term/compiled.ts";
import { termContext, type Term } from "../../src/equiv/term/term.ts";
import { TermPrinter } from "../../src/equiv/smt/print.ts";
import { WasmSession } from "../../src/equiv/smt/wasm.ts";
import { onPath } from "../../src/equiv/smt/backend.ts";
import { NativeSession } from "../../src/equiv/smt/native.ts";
import { bitVecConstant, bitVecFunction, boolConstant } from "../../src/equiv/smt/symbols.ts";

const ctx = termContext();

/** splitmix64: the same terms on every machine. */
function prng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return z ^ (z >> 31n);
  };
}

const WIDTHS = [1, 8, 16, 32, 64];
const bvConsts = WIDTHS.map((w) => bitVecConstant(ctx, `term_test_x${w}`, w));
const boolConst = boolConstant(ctx, "term_test_b");
const at = bitVecFunction(ctx, "term_test_f", 64, 64);

/** A random term of `sort`, at most `depth` deep, over every operator the prover makes. */
function randomTerm(next: () => bigint, sort: "bool" | number, depth: number): Term {
  const pick = (n: number) => Number(next() % BigInt(n));
  if (sort === "bool") {
    if (depth === 0) return pick(3) === 0 ? ctx.Bool.val(pick(2) === 0) : boolConst;
    const w = WIDTHS[pick(WIDTHS.length)];
    const x = () => randomTerm(next, w, depth - 1);
    const b = () => randomTerm(next, "bool", depth - 1);
    switch (pick(11)) {
      case 0: return x().eq(x());
      case 1: return x().ult(x());
      case 2: return x().ule(x());
      case 3: return x().slt(x());
      case 4: return x().sle(x());
      case 5: return x().ugt(x());
      case 6: return ctx.And(b(), b(), b());
      case 7: return ctx.Or(b(), b());
      case 8: return ctx.Not(b());
      case 9: return ctx.Implies(b(), b());
      default: return ctx.AtMost([b(), b(), b()], pick(3));
    }
  }
  const w = sort;
  if (depth === 0) return pick(2) === 0 ? ctx.BitVec.val(next(), w) : bvConsts[WIDTHS.indexOf(w)] ?? ctx.BitVec.val(next(), w);
  const x = () => randomTerm(next, w, depth - 1);
  const amount = () => (pick(2) === 0 ? ctx.BitVec.val(BigInt(pick(w + 2)), w) : x());
  const narrower = WIDTHS.filter((v) => v < w);
  switch (pick(w === 64 ? 17 : 16)) {
    case 0: return x().add(x());
    case 1: return x().sub(x());
    case 2: return x().mul(x());
    case 3: return x().and(x());
    case 4: return x().or(x());
    case 5: return x().xor(x());
    case 6: return x().not();
    case 7: return x().shl(amount());
    case 8: return x().lshr(amount());
    case 9: return x().shr(amount());
    case 10: return ctx.If(randomTerm(next, "bool", depth - 1), x(), x());
    case 11: {
      const from = WIDTHS.filter((v) => v >= w)[pick(WIDTHS.filter((v) => v >= w).length)];
      const lo = pick(from - w + 1);
      return randomTerm(next, from, depth - 1).extract(lo + w - 1, lo);
    }
    case 12:
    case 13: {
      if (narrower.length === 0) return x().add(x());
      const from = narrower[pick(narrower.length)];
      const y = randomTerm(next, from, depth - 1);
      return pick(2) === 0 ? y.zeroExt(w - from) : y.signExt(w - from);
    }
    case 14:
    case 15: {
      if (narrower.length === 0 || w === 1) return x().xor(x());
      const hi = narrower[pick(narrower.length)];
      const rest = w - hi;
      return ctx.Concat(randomTerm(next, hi, depth - 1), WIDTHS.includes(rest) ? randomTerm(next, rest, depth - 1) : ctx.BitVec.val(next(), rest));
    }
    default: return at.call(x());
  }
}

describe("faultc's terms", () => {
  it("are made once per structure: the same operator on the same arguments is the same term, with the same id", () => {
    const [x, y] = [bvConsts[4], ctx.BitVec.val(5n, 64)];
    expect(x.add(y)).toBe(x.add(y));
    expect(x.add(y).id()).toBe(x.add(y).id());
    expect(x.add(y)).not.toBe(y.add(x));
    expect(ctx.BitVec.val(-1n, 8)).toBe(ctx.BitVec.val(255n, 8));
    expect(ctx.BitVec.val(1n, 8)).not.toBe(ctx.BitVec.val(1n, 16));
    expect(ctx.And(x.eq(y), ctx.Bool.val(true)).sort).toBe("bool");
    expect(x.extract(15, 8).width).toBe(8);
    expect(ctx.Concat(x, x.extract(3, 0)).width).toBe(68);
  });

  it("have static sorts: an operator given the wrong sorts is an internal error where the term is made", () => {
    const [x8, x64] = [bvConsts[1], bvConsts[4]];
    expect(() => x8.add(x64)).toThrow(/internal: operands of sorts 8 and 64/);
    expect(() => x8.eq(boolConst)).toThrow(/internal: = of sorts 8 and bool/);
    expect(() => ctx.And(x8 as Term)).toThrow(/a bit-vector where a Boolean was expected/);
    expect(() => x8.extract(8, 0)).toThrow(/extract 8 0 of a 8-bit term/);
    expect(() => at.call(x8)).toThrow(/term_test_f applied to a term of sort 8/);
  });

  it("evaluate compiled as one at a time: 300 random terms as one program, in chains of assignments that each replace a few leaves, against term/evaluate.ts on each assignment afresh", () => {
    const next = prng(31n);
    for (let round = 0; round < 4; round++) {
      const program = new TermProgram();
      const terms = Array.from({ length: 300 }, (_, i) => randomTerm(next, i % 3 === 0 ? "bool" : WIDTHS[i % WIDTHS.length], 5));
      // Half the terms added now, half after the first assignments are made (a program grows as the sweep registers terms).
      terms.slice(0, 150).forEach((t) => program.add(t));
      const random = (t: Term): TermValue => (t.sort === "bool" ? next() % 2n === 0n : next() & ((1n << BigInt(t.width)) - 1n));
      /** The reference: constants by name, each application (an AT result) valued as a whole, whatever its argument. */
      const reference = (leaves: ReadonlyMap<Term, TermValue>) => {
        const consts = new Map<string, TermValue>();
        const memo = new Map<Term, TermValue>();
        for (const [t, v] of leaves) t.args.length === 0 ? consts.set(t.op, v) : memo.set(t, v);
        return (t: Term) => evaluateTerm(t, { consts, functions: new Map() }, memo);
      };
      const leafValues = new Map<Term, TermValue>();
      const base = new ProgramValues(program);
      const setLeaves = () => {
        for (const i of program.leaves) {
          const t = program.terms[i];
          if (!leafValues.has(t)) leafValues.set(t, random(t));
          base.set(i, leafValues.get(t)!);
        }
      };
      setLeaves();
      // Every leaf a possible input: more than 31 of them, so that some share a bit of the reach masks.
      const inputs = [...program.leaves];
      const reach = new Reach(program, inputs);
      let chain: { values: ProgramValues; leaves: Map<Term, TermValue> }[] = [{ values: base, leaves: leafValues }];
      for (let step = 0; step < 12; step++) {
        if (step === 4) {
          terms.slice(150).forEach((t) => program.add(t));
          // The new leaves get values in the root assignment, which every later one inherits.
          setLeaves();
          chain = chain.map((c) => ({ ...c, leaves: new Map([...leafValues, ...c.leaves]) }));
        }
        const parent = chain[Number(next() % BigInt(chain.length))];
        const chosen = inputs.filter(() => next() % 8n === 0n);
        const leaves = new Map(parent.leaves);
        let changed = 0;
        for (const i of chosen) {
          const v = random(program.terms[i]);
          leaves.set(program.terms[i], v);
          changed |= reach.bit(i);
        }
        const child = new ProgramValues(program, { values: parent.values, reach, changed });
        for (const i of chosen) child.set(i, leaves.get(program.terms[i])!);
        chain.push({ values: child, leaves });
        // Each assignment in the chain, its terms asked in a random order (a parent's values may be computed after its child is made).
        for (const c of chain) {
          const ref = reference(c.leaves);
          const added = terms.filter((t) => program.indexOf(t) !== undefined);
          for (let k = 0; k < 60; k++) {
            const t = added[Number(next() % BigInt(added.length))];
            expect(c.values.get(program.indexOf(t)!), `term ${new TermPrinter("p.").inline(t)}`).toBe(ref(t));
          }
        }
      }
    }
  });

  it("compiled, a leaf with no value given is an internal error, never a default", () => {
    const program = new TermProgram();
    const t = program.add(bvConsts[1].add(ctx.BitVec.val(1n, 8)));
    expect(() => new ProgramValues(program).get(t)).toThrow(/internal: term_test_x8 evaluated with no value given/);
  });

  it("evaluate as z3 evaluates them: 400 random terms under random assignments, against z3-solver's model evaluation", async () => {
    const next = prng(11n);
    for (let round = 0; round < 4; round++) {
      const values = new Map<string, TermValue>();
      const session = new WasmSession(10_000);
      for (const c of bvConsts) {
        const v = next() & ((1n << BigInt(c.width)) - 1n);
        values.set(c.op, v);
        session.assert(c.eq(ctx.BitVec.val(v, c.width)));
      }
      const b = next() % 2n === 0n;
      values.set(boolConst.op, b);
      session.assert(b ? boolConst : ctx.Not(boolConst));
      const table = new Map<bigint, bigint>();
      const terms = Array.from({ length: 100 }, (_, i) => randomTerm(next, i % 3 === 0 ? "bool" : WIDTHS[i % WIDTHS.length], 4));
      // The function's value at every argument the terms apply it to: fixed, and told to z3.
      const memo = new Map<Term, TermValue>();
      const assignment = { consts: values, functions: new Map([[at.name, table]]) };
      const apps: Term[] = [];
      const collect = (t: Term) => {
        for (const a of t.args) collect(a);
        if (t.op === at.name && !apps.includes(t)) apps.push(t);
      };
      terms.forEach(collect);
      for (const app of apps) {
        const arg = evaluateTerm(app.args[0], assignment, memo) as bigint;
        if (!table.has(arg)) table.set(arg, next());
        session.assert(app.eq(ctx.BitVec.val(table.get(arg)!, 64)));
      }
      expect(await session.check([])).toBe("sat");
      const model = await session.model([]);
      const ours = new Map<Term, TermValue>();
      for (const t of terms) {
        const v = evaluateTerm(t, assignment, ours);
        const text = typeof v === "boolean" ? String(v) : t.width % 4 === 0 ? `#x${v.toString(16).padStart(t.width / 4, "0")}` : `#b${v.toString(2).padStart(t.width, "0")}`;
        expect(model.eval(t, true).toString(), `term ${new TermPrinter("p.").inline(t)}`).toBe(text);
      }
      session.release();
    }
  });

  const z3 = onPath("z3");
  if (z3 === undefined && process.env.CI) {
    it("has z3 (CI)", () => {
      throw new Error("z3 is not on PATH; CI must install it (apt-get install z3)");
    });
  }
  it.skipIf(z3 === undefined)(`printed as SMT-LIB 2, are read by a native z3 as they are meant${z3 === undefined ? " (skipped: no z3 on PATH)" : ""}`, async () => {
    const next = prng(12n);
    const session = await NativeSession.open("z3", "z3", 10_000);
    try {
      for (let i = 0; i < 60; i++) {
        const t = randomTerm(next, i % 2 === 0 ? "bool" : WIDTHS[i % WIDTHS.length], 4);
        const values = new Map<string, TermValue>();
        const facts: Term[] = [];
        for (const c of bvConsts) {
          const v = next() & ((1n << BigInt(c.width)) - 1n);
          values.set(c.op, v);
          facts.push(c.eq(ctx.BitVec.val(v, c.width)));
        }
        values.set(boolConst.op, i % 3 === 0);
        facts.push(i % 3 === 0 ? boolConst : ctx.Not(boolConst));
        const table = new Map<bigint, bigint>();
        const assignment = { consts: values, functions: new Map([[at.name, table]]) };
        const memo = new Map<Term, TermValue>();
        const visit = (u: Term) => {
          for (const a of u.args) visit(a);
          if (u.op === at.name) {
            const arg = evaluateTerm(u.args[0], assignment, memo) as bigint;
            if (!table.has(arg)) table.set(arg, next());
            facts.push(u.eq(ctx.BitVec.val(table.get(arg)!, 64)));
          }
        };
        visit(t);
        const v = evaluateTerm(t, assignment, memo);
        // Under that assignment z3 finds t has no other value than faultc's: it read the text as meant.
        const other = ctx.Not(t.eq(typeof v === "boolean" ? ctx.Bool.val(v) : ctx.BitVec.val(v, t.width)));
        expect(await session.check([...facts, other]), new TermPrinter("p.").inline(t)).toBe("unsat");
        expect(await session.check(facts)).toBe("sat");
      }
    } finally {
      session.release();
    }
  });
});
