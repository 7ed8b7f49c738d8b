// The prover's model of AT: per operation an uninterpreted function of the VA whose values are
// PAR_EL1's, and between operations on one VA the facts of one walk (AArch64.AT: the operations
// differ only in the permission check after the walk; AT S1E1A, FEAT_ATS1A, checks none).
import { beforeAll, describe, expect, it } from "vitest";
import { Checker } from "../../src/equiv/solver.ts";
import { SymbolicDomain, type SymValue } from "../../src/equiv/symbolic/domain.ts";
import { SymbolicInputs } from "../../src/equiv/symbolic/inputs.ts";
import { termContext, type BoolTerm } from "../../src/equiv/term/term.ts";

describe("AT in the symbolic inputs", () => {
  let d: SymbolicDomain;
  beforeAll(async () => {
    d = new SymbolicDomain(termContext());
  });

  /** A fresh problem: S1E1R and S1E1A on FAR, and S1E1A on another VA. */
  function problem() {
    const inputs = new SymbolicInputs(d, false);
    const far = inputs.sysreg("FAR_EL2");
    const r = inputs.at("s1e1r", far);
    const a = inputs.at("s1e1a", far);
    const elsewhere = inputs.at("s1e1a", inputs.sysreg("HPFAR_EL2"));
    const checker = new Checker(d.ctx, () => inputs.axioms);
    const is = (p: SymValue, value: bigint, hi = 63, lo = 0): BoolTerm => d.term(p).extract(hi, lo).eq(d.ctx.BitVec.val(value, hi - lo + 1)) as BoolTerm;
    const ok = (p: SymValue) => is(p, 0n, 0, 0);
    /** F=1 with FST = `fsc` (PAR[6:1]) and S (PAR[9]). */
    const fault = (p: SymValue, fsc: bigint, s: bigint) => d.ctx.And(is(p, 1n, 0, 0), is(p, fsc, 6, 1), is(p, s, 9, 9)) as BoolTerm;
    const sat = async (...conds: BoolTerm[]) => checker.check(conds);
    return { inputs, r, a, elsewhere, ok, fault, sat, same: (x: SymValue, y: SymValue) => d.term(x).eq(d.term(y)) as BoolTerm };
  }

  it("S1E1R may meet a permission fault where S1E1A succeeds, never the other way round", async () => {
    const p = problem();
    expect(await p.sat(p.fault(p.r, 0x0fn, 0n), p.ok(p.a))).toBe("sat");
    expect(await p.sat(p.ok(p.r), d.ctx.Not(p.ok(p.a)) as BoolTerm)).toBe("unsat");
  });

  it("both succeeding give the same PAR; a walk's fault (translation, stage 2 on the walk) is both operations'", async () => {
    const p = problem();
    expect(await p.sat(p.ok(p.r), p.ok(p.a), d.ctx.Not(p.same(p.r, p.a)) as BoolTerm)).toBe("unsat");
    expect(await p.sat(p.fault(p.r, 0x07n, 0n), d.ctx.Not(p.same(p.r, p.a)) as BoolTerm)).toBe("unsat");
    expect(await p.sat(p.fault(p.a, 0x0dn, 1n), d.ctx.Not(p.same(p.r, p.a)) as BoolTerm)).toBe("unsat");
    expect(await p.sat(p.fault(p.r, 0x07n, 0n))).toBe("sat");
  });

  it("S1E1A never reports a stage-1 permission fault; a stage-2 permission fault on the walk it may", async () => {
    const p = problem();
    for (const fsc of [0x0cn, 0x0dn, 0x0en, 0x0fn]) expect(await p.sat(p.fault(p.a, fsc, 0n))).toBe("unsat");
    expect(await p.sat(p.fault(p.a, 0x0fn, 1n))).toBe("sat");
  });

  it("operations on different VAs are unrelated", async () => {
    const p = problem();
    expect(await p.sat(p.ok(p.r), p.ok(p.a), p.fault(p.elsewhere, 0x07n, 0n))).toBe("sat");
    expect(p.inputs.axioms).toHaveLength(3 + 2 + 1);
  });
});
