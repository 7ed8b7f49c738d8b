// Kernel mutants: Linux 6.12's fault.h changed once each (test/support/kernel-mutants.ts), compiled
// with the tree's own command, and compared with dsl/linux-6.12.fault under its contract. Each is
// caught, by the obligation the change breaks, with a counterexample that replays on both sides;
// the unmutated object, built the same way, is equivalent (the control).
import { expect, it } from "vitest";
import { equivalence } from "../../src/equiv/equiv.ts";
import { renderJson } from "../../src/equiv/report.ts";
import { buildKernelMutant, MUTATIONS_6_12, type KernelMutation } from "../support/kernel-mutants.ts";
import { describeWithKernel } from "../support/kernels.ts";

/** The obligation each mutation must fail: 1 outcome, 2 a recorded field, 3 PAR_EL1. */
const EXPECTED: Record<string, number> = {
  "s1ptw-inverted": 1,
  "mask-narrowed": 2,
  "erratum-gate-dropped": 1,
  "par-not-restored": 3,
  "wrong-at": 1,
  "fsc-access": 1,
};

type Json = { verdict: string; obligation: { id: number; what: string }; reproduced: boolean; counterexample: Record<string, unknown>; a: { outcome: string }; b: { outcome: string } };

describeWithKernel("6.12", "kernel mutants of fault.h against dsl/linux-6.12.fault", (t) => {
  const control: KernelMutation = { name: "control", what: "no change", edits: [] };

  it("the control, compiled the same way, is equivalent", async () => {
    const obj = buildKernelMutant(t, "nvhe", control);
    const r = await equivalence("dsl/linux-6.12.fault#c", `${obj}:__get_fault_info`, { strict: false, sweep: false, fills: 1 });
    expect(r.proof.verdict).toBe("equivalent");
  });

  for (const m of MUTATIONS_6_12) {
    it(`${m.name} (${m.what}) is caught by obligation ${EXPECTED[m.name]}, and replays`, async () => {
      const obj = buildKernelMutant(t, "nvhe", m);
      const j = renderJson(await equivalence("dsl/linux-6.12.fault#c", `${obj}:__get_fault_info`, { strict: false, sweep: false, fills: 1 })) as Json;
      expect(j.verdict).toBe("different");
      expect(j.obligation.id).toBe(EXPECTED[m.name]);
      expect(j.reproduced).toBe(true);
      expect(typeof j.counterexample.esr).toBe("string");
    });
  }
});
