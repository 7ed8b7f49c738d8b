// The prover's model of AT S12E1R/W and S12E0R/W: each an uninterpreted function of the VA, related
// to the other operations on the same VA only by the facts of src/equiv/symbolic/at-stage12-axioms.ts.
// Two kinds of check: what those facts allow and forbid, and that they are sound, i.e. that the
// PAR_EL1 values the MMU model gives all nine AT operations on one VA of real two-stage tables
// (src/oracle/at12-cases.ts, the set-ups the QEMU oracle runs) always satisfy them.
import { beforeAll, describe, expect, it } from "vitest";
import { Checker } from "../../src/equiv/solver.ts";
import { SymbolicDomain, type SymValue } from "../../src/equiv/symbolic/domain.ts";
import { SymbolicInputs } from "../../src/equiv/symbolic/inputs.ts";
import { termContext, type BoolTerm } from "../../src/equiv/term/term.ts";
import { generateAt12Cases } from "../../src/oracle/at12-cases.ts";
import { sysregOf } from "../../src/oracle/at-oracle.ts";
import { translateAtOperation } from "../../src/runtime/mmu/at-operation.ts";
import { AT_KINDS, atTraits, type AtKind } from "../../src/runtime/semantics/at-operations.ts";

describe("AT S12* in the symbolic inputs", () => {
  let d: SymbolicDomain;
  beforeAll(async () => {
    d = new SymbolicDomain(termContext());
  });

  function problem(ops: readonly AtKind[]) {
    const inputs = new SymbolicInputs(d, false);
    const far = inputs.sysreg("FAR_EL2");
    const par = Object.fromEntries(ops.map((op) => [op, inputs.at(op, far)])) as Record<AtKind, SymValue>;
    const checker = new Checker(d.ctx, () => inputs.axioms);
    const is = (p: SymValue, value: bigint, hi = 63, lo = 0): BoolTerm => d.term(p).extract(hi, lo).eq(d.ctx.BitVec.val(value, hi - lo + 1)) as BoolTerm;
    const ok = (p: SymValue) => is(p, 0n, 0, 0);
    const notOk = (p: SymValue) => d.ctx.Not(ok(p)) as BoolTerm;
    /** F=1 with FST (PAR[6:1]), S (PAR[9]) and PTW (PAR[8]). */
    const fault = (p: SymValue, fsc: bigint, s: bigint, ptw = 0n) => d.ctx.And(is(p, 1n, 0, 0), is(p, fsc, 6, 1), is(p, s, 9, 9), is(p, ptw, 8, 8)) as BoolTerm;
    const differ = (x: SymValue, y: SymValue) => d.ctx.Not(d.term(x).eq(d.term(y))) as BoolTerm;
    return { inputs, par, ok, notOk, fault, differ, is, sat: (...conds: BoolTerm[]) => checker.check(conds) };
  }

  it("a fault of the stage-1 walk is every operation's: S1E1R's translation fault or PTW fault is S12E1R's and S12E0W's", async () => {
    const p = problem(["s1e1r", "s12e1r", "s12e0w"]);
    for (const [fsc, s, ptw] of [[0x07n, 0n, 0n], [0x0bn, 0n, 0n], [0x06n, 1n, 1n], [0x0fn, 1n, 1n]] as const) {
      expect(await p.sat(p.fault(p.par.s1e1r, fsc, s, ptw), p.differ(p.par.s12e1r, p.par.s1e1r))).toBe("unsat");
      expect(await p.sat(p.fault(p.par.s12e0w, fsc, s, ptw), p.differ(p.par.s12e1r, p.par.s12e0w))).toBe("unsat");
    }
  });

  it("S12E1R and S1E1R check the same stage-1 permission: S1E1R's permission fault is S12E1R's, S12E1R's success means S1E1R's", async () => {
    const p = problem(["s1e1r", "s12e1r", "s12e0r"]);
    expect(await p.sat(p.fault(p.par.s1e1r, 0x0fn, 0n), p.differ(p.par.s12e1r, p.par.s1e1r))).toBe("unsat");
    expect(await p.sat(p.ok(p.par.s12e1r), p.notOk(p.par.s1e1r))).toBe("unsat");
    // EL0 may be refused at stage 1 where EL1 is not.
    expect(await p.sat(p.fault(p.par.s12e0r, 0x0fn, 0n), p.ok(p.par.s12e1r))).toBe("sat");
  });

  it("stage 2 of the output IPA may fault where stage 1 succeeds; both-successful S12 operations agree; a stage-1 PAR says nothing of the PA", async () => {
    const p = problem(["s1e1r", "s12e1r", "s12e1w"]);
    expect(await p.sat(p.ok(p.par.s1e1r), p.fault(p.par.s12e1r, 0x07n, 1n))).toBe("sat");
    expect(await p.sat(p.ok(p.par.s12e1r), p.fault(p.par.s12e1w, 0x0fn, 1n))).toBe("sat");
    expect(await p.sat(p.ok(p.par.s12e1r), p.ok(p.par.s12e1w), p.differ(p.par.s12e1r, p.par.s12e1w))).toBe("unsat");
    expect(await p.sat(p.ok(p.par.s1e1r), p.ok(p.par.s12e1r), p.differ(p.par.s12e1r, p.par.s1e1r))).toBe("sat");
    // A successful S12 operation means stage 1 walked to a leaf: no S1 operation meets a walk fault.
    expect(await p.sat(p.ok(p.par.s12e1w), p.fault(p.par.s1e1r, 0x07n, 0n))).toBe("unsat");
  });

  it("stage-1 operations keep their own facts: no axiom is added between two stage-1 operations beyond the walk's", () => {
    const stage1Only = problem(["s1e1r", "s1e1a"]);
    const withS12 = problem(["s1e1r", "s1e1a", "s12e1r"]);
    // Two format axioms, S1E1A's no-permission-fault, one walk relation; then S12E1R's format and its two relations.
    expect(stage1Only.inputs.axioms).toHaveLength(4);
    expect(withS12.inputs.axioms).toHaveLength(4 + 1 + 2);
  });

  it("sound: the MMU model's PAR_EL1 for all nine operations on one VA satisfy every fact, over two-stage set-ups", async () => {
    const cases = generateAt12Cases(7, 16);
    const seen = new Set<string>();
    let checked = 0;
    for (const c of cases) {
      for (const va of c.probes) {
        const values = new Map(AT_KINDS.map((op) => [op, translateAtOperation({ va, ...atTraits(op), sysreg: sysregOf(c.registers), memory: c.memory, paMaxBits: 44 })]));
        const p = problem(AT_KINDS);
        const fixed = AT_KINDS.map((op) => p.is(p.par[op], values.get(op)!));
        expect(await p.sat(...fixed), `${c.summary}, VA 0x${va.toString(16)}: ${[...values].map(([k, v]) => `${k} 0x${v.toString(16)}`).join(", ")}`).toBe("sat");
        const ok = (op: AtKind) => (values.get(op)! & 1n) === 0n;
        seen.add(`${ok("s1e1r")}:${ok("s12e1r")}:${ok("s12e1w")}:${ok("s12e0r")}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
    // The set-ups reach the combinations the facts distinguish: stage 1 succeeding with stage 2 of
    // the output faulting, S12 successes, EL0 refused where EL1 is not, writes refused where reads are not.
    for (const k of ["true:false:false:false", "true:true:true:true", "true:true:true:false", "true:true:false:true", "false:false:false:false"]) expect([...seen], k).toContain(k);
  }, 600_000);
});
