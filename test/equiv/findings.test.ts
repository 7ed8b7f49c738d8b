// The findings of docs/FINDINGS.md, each kept as a test: the difference is found, by the
// obligation the document names, with the minimal scenario it prints, and the scenario replays.
import { describe, expect, it } from "vitest";
import { equivalence } from "../../src/equiv/equiv.ts";
import { renderJson } from "../../src/equiv/report.ts";

type Json = { verdict: string; obligation: { id: number; what: string }; counterexample: Record<string, unknown>; reproduced: boolean; a: { outcome: string; fault: Record<string, string> }; b: { outcome: string; fault: Record<string, string> } };

async function find(a: string, b: string, strict: boolean): Promise<Json> {
  const r = await equivalence(a, b, { strict, sweep: false, fills: 1 });
  return renderJson(r) as Json;
}

describe("the seed's before and after versions", () => {
  it("1. ESR_EL2 bits above 31 change the decision", async () => {
    const j = await find("refs/kvm-2016-before.S", "dsl/kvm-2016.fault#c", true);
    expect([j.verdict, j.obligation.id, j.reproduced]).toEqual(["different", 1, true]);
    expect(j.counterexample).toMatchObject({ esr: "0x48000000c", far: "0x0", at: { par: "0x801" } });
    expect([j.a.outcome, j.b.outcome]).toEqual(["exit", "retry"]);
  });

  it("2. FAR and HPFAR recorded for traps that are not aborts", async () => {
    const j = await find("refs/kvm-2016-before.S", "test/fixtures/findings/kvm-2016-assume-only.fault#c", false);
    expect([j.verdict, j.obligation.id, j.obligation.what, j.reproduced]).toEqual(["different", 2, "field far_el2 on exit 0x1", true]);
    expect(j.counterexample).toMatchObject({ esr: "0x0", far: "0x1" });
    expect([j.a.fault.far_el2, j.b.fault.far_el2]).toEqual(["0x1", "0x0"]);
  });

  it("3. the syndrome recorded before re-entering the guest", async () => {
    const j = await find("refs/kvm-2016-before.S", "test/fixtures/findings/kvm-2016-retry-observed.fault#c", false);
    expect([j.verdict, j.obligation.id, j.obligation.what, j.reproduced]).toEqual(["different", 2, "field esr_el2 on retry", true]);
    expect(j.counterexample).toMatchObject({ esr: "0x8000000c", at: { par: "0x801" } });
    expect([j.a.fault.esr_el2, j.b.fault.esr_el2]).toEqual(["0x0", "0x8000000c"]);
  });
});

describe("Linux 6.15", () => {
  it("esr_fsc_is_addr_sz_fault accepts 0x25 where the Arm ARM's level -1 address size fault is 0x29", async () => {
    const j = await find("dsl/linux-6.15.fault#c", "test/fixtures/findings/linux-6.15-addrsz-arm-arm.fault#c", true);
    expect([j.verdict, j.obligation.id, j.reproduced]).toEqual(["different", 1, true]);
    expect(j.counterexample).toMatchObject({ esr: "0x80000025", at: { par: "0x801" } });
    expect([j.a.outcome, j.b.outcome]).toEqual(["exit", "retry"]);
  });
});
