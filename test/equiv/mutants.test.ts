// Deliberately wrong variants (test/fixtures/mutants/) are each caught, with a counterexample
// that replays on the concrete model and names the obligation the mutation breaks.
import { describe, expect, it } from "vitest";
import { equivalence } from "../../src/equiv/equiv.ts";

const cases = [
  ["s1ptw-inverted", 1, "the S1PTW test inverted: aborts on a stage-1 walk take the AT path"],
  ["mask-widened", 2, "a 40-bit mask lets PA[51:48] (FEAT_LPA) into HPFAR"],
  ["mask-narrowed", 2, "a 32-bit mask drops PA[47:44]"],
  ["par-not-restored", 3, "the guest's PAR_EL1 is left holding AT's result"],
  ["erratum-gate-dropped", 1, "a translation fault on an erratum-834220 CPU trusts HPFAR"],
  ["vhe-alias-removed", 1, "without VHE, esr_el1 is the guest's ESR, not the trap's"],
] as const;

describe("rule-file mutants against dsl/kvm-2016.fault", () => {
  it.each(cases)("%s is caught by obligation %i (%s)", async (name, obligation) => {
    const r = await equivalence("dsl/kvm-2016.fault#c", `test/fixtures/mutants/${name}.fault#c`, { strict: true, sweep: false, fills: 1 });
    expect(r.proof.verdict).toBe("different");
    if (r.proof.verdict !== "different") return;
    expect(r.proof.failure.obligation.id).toBe(obligation);
    expect(r.counterexample?.reproduced).toBe(true);
  });
});

describe("an assembly mutant against dsl/kvm-2016-el1-sync.fault", () => {
  it("the ccmp condition flipped (ne -> eq) in the seed's before code is caught", async () => {
    const r = await equivalence("dsl/kvm-2016-el1-sync.fault#c", "test/fixtures/mutants/before-ccmp-flipped.S", { strict: true, sweep: false, fills: 1 });
    expect(r.proof.verdict).toBe("different");
    expect(r.counterexample?.reproduced).toBe(true);
  });

  it("obligation 4: an assembly side that re-enters the guest without restoring x0-x3 is caught", async () => {
    const { readFileSync, writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-mutant-"));
    const file = path.join(dir, "no-restore.S");
    const text = readFileSync("refs/kvm-2016-before.S", "utf8");
    const mutated = text.replace(/3:\s*restore_x0_to_x3/, "3:\tadd\tsp, sp, #32");
    expect(mutated).not.toBe(text);
    writeFileSync(file, mutated);
    const r = await equivalence("dsl/kvm-2016-el1-sync.fault#c", file, { strict: true, sweep: false, fills: 1 });
    expect(r.proof.verdict).toBe("different");
    if (r.proof.verdict !== "different") return;
    expect(r.proof.failure.obligation.id).toBe(4);
    expect(r.counterexample?.reproduced).toBe(true);
  });
});
