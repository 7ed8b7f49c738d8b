// Real instructions at EL1 against QEMU (issue 14, "The syndrome of a data abort"): the guest
// executes each instruction class (single-register loads/stores of every size and sign, writeback
// forms, pairs, SIMD/FP, load-acquire/store-release, exclusives, LDTR/STTR, PRFM, DC ZVA, DC/IC by
// VA) against stage-2 (and, for LDTR/STTR, stage-1) faults; the model predicts the whole ESR
// (instruction syndrome included), FAR, HPFAR and ESR_EL1/FAR_EL1 from the same instruction text.
// QEMU 7.2's departure met here, named and pinned: "cmo-nop" (DC/IC by VA executed as no-ops).
//
// More set-ups: FAULTC_ORACLE_SYNDROME_TRAPS=400 (default 200); another stream: FAULTC_ORACLE_SEED=n.
import { beforeAll, describe, expect, it } from "vitest";
import {
  compareTrap, formatTrapCheck, generateTrapCases, observeTraps, missingOracleTools, ORACLE_INSTALL,
  type QemuTrapRun, type TrapCase, type TrapObservation,
} from "../../src/oracle/index.ts";
import { SYNDROME_INSTRUCTIONS, SYNDROME_TRAP_KINDS } from "../../src/oracle/syndrome-cases.ts";
import { parseGuestInstruction } from "../../src/runtime/scenario/guest-instruction.ts";
import type { HandlerTarget } from "../../src/runtime/run/types.ts";

const missing = missingOracleTools();
const TRAPS = Number(process.env.FAULTC_ORACLE_SYNDROME_TRAPS ?? 200);
const SEED = Number(process.env.FAULTC_ORACLE_SEED ?? 1);
if (missing.length > 0 && !process.env.CI) {
  console.warn(`QEMU syndrome oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);
}
if (missing.length > 0 && process.env.CI) {
  describe("QEMU oracle (instruction syndrome)", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

/**
 * Negative controls: QEMU executes another instruction than the one the model predicts from (same
 * address, same tables): a sign-extending load for a zero-extending one (SSE), another transfer
 * register (SRT), a W register for an X one (SF, SAS).
 */
function controls(): TrapCase[] {
  const [base] = generateTrapCases(SEED + 1000, 1, ["iss-load-store"]);
  return ["ldrh w5, [x2]", "ldr x9, [x0]", "ldr w3, [x0]"].map((instruction, i) => ({ ...base, index: i, instruction, summary: `control: QEMU runs '${instruction}', the model predicts '${base.input.instruction}'` }));
}

describe.skipIf(missing.length > 0)("QEMU oracle (real instructions at EL1: the syndrome of a data abort)", () => {
  const cases = generateTrapCases(SEED, TRAPS, SYNDROME_TRAP_KINDS);
  const ctl = controls();
  let run: QemuTrapRun;
  let variants: HandlerTarget[];
  let observations: TrapObservation[];
  beforeAll(async () => {
    ({ run, variants, observations } = await observeTraps(cases, ctl));
  }, 120_000);

  const verdicts = (o: TrapObservation) => new Set(o.checks.map((k) => k.verdict));

  it(`${TRAPS} set-ups (seed ${SEED}): every compared value agrees, modulo the named departure`, () => {
    const bad = observations.flatMap((o) => o.checks.filter((k) => k.verdict === "mismatch").map((k) => formatTrapCheck(o, k)));
    const lines = SYNDROME_TRAP_KINDS.map((kind) => {
      const of = observations.filter((o) => o.trapCase.kind === kind);
      const agree = of.filter((o) => [...verdicts(o)].every((v) => v === "agree" || v === "unknown")).length;
      const nop = of.filter((o) => verdicts(o).has("cmo-nop")).length;
      return `${kind}: ${of.length} run, ${agree} agree${nop > 0 ? `, ${nop} cmo-nop` : ""}`;
    });
    console.log(`syndrome oracle: ${lines.join("; ")}; QEMU ${run.ms.toFixed(0)} ms per boot`);
    expect(bad).toEqual([]);
    // Every instruction of every kind ran.
    for (const kind of SYNDROME_TRAP_KINDS) {
      const ran = new Set(observations.filter((o) => o.trapCase.kind === kind).map((o) => o.trapCase.instruction));
      expect([...ran].sort(), kind).toEqual([...SYNDROME_INSTRUCTIONS[kind]].sort());
    }
  });

  it("ISV=1 came up for single-register loads/stores and acquire/release, ISV=0 for the others (QEMU's own ESR_EL2)", () => {
    const el2 = observations.filter((o) => o.prediction.taken === "el2" && o.qemu.outcome === "exit" && !verdicts(o).has("cmo-nop"));
    const isv = (o: TrapObservation) => (o.qemu.esr >> 24n) & 1n;
    for (const o of el2) {
      const insn = parseGuestInstruction(o.trapCase.instruction);
      const single = (insn.operation === "load" || insn.operation === "store") && insn.registerCount === 1 && !insn.simdFp && insn.writeback === "none" && !insn.exclusive;
      expect(isv(o), o.trapCase.summary).toBe(single ? 1n : 0n);
    }
    expect(el2.some((o) => isv(o) === 1n && ((o.qemu.esr >> 14n) & 1n) === 1n)).toBe(true); // AR came up
    expect(el2.some((o) => isv(o) === 1n && ((o.qemu.esr >> 21n) & 1n) === 1n)).toBe(true); // SSE came up
  });

  it("LDTR/STTR at EL1: EL0's stage-1 permissions, EL1's exception class in ESR_EL1 (DABT_CUR)", () => {
    const el1 = observations.filter((o) => o.trapCase.kind === "unprivileged" && o.prediction.taken === "el1");
    expect(el1.length).toBeGreaterThan(0);
    for (const o of el1) expect(o.qemu.esrEl1 >> 26n, o.trapCase.summary).toBe(0x25n);
  });

  it("PRFM reports no fault on either side", () => {
    const pf = observations.filter((o) => o.trapCase.kind === "prefetch");
    expect(pf.length).toBeGreaterThan(0);
    for (const o of pf) {
      expect(o.prediction).toMatchObject({ taken: "none", prefetchFault: {} });
      expect(o.checks[0]).toMatchObject({ qemu: "none", verdict: "agree" });
    }
  });

  it("pinned, named: QEMU 7.2 executes DC/IC by VA as no-ops (cmo-nop), where the model reports CM=1, WnR=1", () => {
    const cmo = observations.filter((o) => o.trapCase.kind === "cache-maintenance");
    const nop = cmo.filter((o) => verdicts(o).has("cmo-nop"));
    expect(nop.length).toBeGreaterThan(0);
    for (const o of nop) {
      expect(o.qemu.esr).toBe(0x5a00_0052n); // QEMU: the guest's hvc #0x52 (completed)
      const esr = o.prediction.taken === "el2" ? o.prediction.scenario.esr : o.prediction.taken === "el1" ? o.prediction.esr : 0n;
      expect(esr & 0x140n, o.trapCase.summary).toBe(0x140n); // CM and WnR
    }
    // Where the model says a DC op completes (no stage-2 Permission fault for DC), both agree.
    expect(cmo.some((o) => o.prediction.taken === "none" && o.checks[0].verdict === "agree")).toBe(true);
  });

  it("negative controls: QEMU running another instruction than the model's is caught on ESR_EL2 alone", () => {
    ctl.forEach((c, i) => {
      const o = compareTrap(c, run.traps[cases.length + i], run.midr, variants);
      const failed = o.checks.filter((k) => k.verdict === "mismatch").map((k) => k.what);
      expect(failed, c.summary).toEqual(["ESR_EL2"]);
    });
  });
});
