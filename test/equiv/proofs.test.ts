// The verdicts the product exists for: the seed's before (assembly) and after (C) versions are
// equivalent under the contract dsl/kvm-2016.fault states and different without it; every
// bundled rule file's two generated variants are equivalent strictly; the rule files agree with
// the seed's references. Each proof is cross-checked by the sweep.
import { describe, expect, it } from "vitest";
import { equivalence } from "../../src/equiv/equiv.ts";
import { renderJson } from "../../src/equiv/report.ts";
import { parseScenario } from "../../src/runtime/scenario/index.ts";

const opts = { strict: false, sweep: true, fills: 2 };

describe("the seed's two versions", () => {
  it("before (assembly) and dsl/kvm-2016.fault#c are equivalent under the rule file's contract", async () => {
    const r = await equivalence("refs/kvm-2016-before.S", "dsl/kvm-2016.fault#c", opts);
    expect(r.proof.verdict).toBe("equivalent");
    expect(r.proof.contract?.file).toBe("dsl/kvm-2016.fault");
    expect(r.proof.combos.map((c) => c.caps)).toEqual([[], ["ARM64_HAS_VIRT_HOST_EXTN"], ["ARM64_WORKAROUND_834220"], ["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220"]]);
    expect(r.sweep?.disagreements).toEqual([]);
    expect(r.sweep?.scenarios).toBeGreaterThan(50);
  });

  it("and different with --strict: the first failing obligation is the outcome, on an ESR with bits above 31", async () => {
    const r = await equivalence("refs/kvm-2016-before.S", "dsl/kvm-2016.fault#c", { ...opts, strict: true });
    expect(r.proof.verdict).toBe("different");
    const json = renderJson(r) as { verdict: string; obligation: { id: number }; counterexample: object; a: { outcome: string }; b: { outcome: string }; reproduced: boolean };
    expect(json.verdict).toBe("different");
    expect(json.obligation.id).toBe(1);
    expect(json.reproduced).toBe(true);
    const s = parseScenario(json.counterexample);
    // The minimal input: an abort class with a bit above 31 that the u8 cast drops (bit 34).
    expect(s.esr >> 32n).not.toBe(0n);
    expect(json.a.outcome).not.toBe(json.b.outcome);
    expect(r.sweep?.disagreements).toEqual([]);
  });

  it("the hand transcription of the seed's C and dsl/kvm-2016.fault#c are equivalent strictly", async () => {
    const r = await equivalence("ref:kvm-2016-after", "dsl/kvm-2016.fault#c", { ...opts, strict: true });
    expect(r.proof.verdict).toBe("equivalent");
    expect(r.sweep?.disagreements).toEqual([]);
  });

  it("the seed's before assembly and dsl/kvm-2016-el1-sync.fault#c are equivalent strictly", async () => {
    const r = await equivalence("refs/kvm-2016-before.S", "dsl/kvm-2016-el1-sync.fault#c", { ...opts, strict: true });
    expect(r.proof.verdict).toBe("equivalent");
  });
});

describe.each(["dsl/kvm-2016.fault", "dsl/kvm-2016-el1-sync.fault", "dsl/linux-6.1.fault", "dsl/linux-6.12.fault", "dsl/linux-6.15.fault", "dsl/xen.fault"])("%s", (file) => {
  it("asm-like and C-like variants are equivalent strictly", async () => {
    const r = await equivalence(`${file}#asm`, `${file}#c`, { ...opts, strict: true, fills: 1 });
    expect(r.proof.verdict).toBe("equivalent");
    expect(r.sweep?.disagreements).toEqual([]);
  });
});
