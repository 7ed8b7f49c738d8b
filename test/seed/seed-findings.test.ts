// The seed's own C, compiled by gcc, against the seed's assembly from before the patch: the same
// verdicts and the same three findings as the TypeScript transcription (test/equiv/findings.test.ts),
// now about the code the compiler made of the patch. The binding is dsl/kvm-2016.fault's (or a
// findings fixture's, whose contract is one step weaker).
import { mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { buildSeedC } from "../../scripts/seed-c.ts";
import { equivalence } from "../../src/equiv/equiv.ts";
import { renderJson } from "../../src/equiv/report.ts";
import { bindingsFromFile } from "../../src/sides/index.ts";
import { describeWithCross } from "../object/cross-toolchain.ts";
import { describeWithSeed } from "./seed-file.ts";

type Json = { verdict: string; obligation: { id: number; what: string }; counterexample: Record<string, unknown>; reproduced: boolean; a: { outcome: string; fault: Record<string, string> }; b: { outcome: string; fault: Record<string, string> } };

describeWithSeed(() =>
  describeWithCross("the seed's compiled __populate_fault_info against refs/kvm-2016-before.S", () => {
  const obj = `${buildSeedC(mkdtempSync(path.join(os.tmpdir(), "faultc-seed-c-")))}:__populate_fault_info`;
  const find = async (strict: boolean, bindingFile?: string): Promise<Json> =>
    renderJson(await equivalence("refs/kvm-2016-before.S", obj, { strict, sweep: false, fills: 1, ...(bindingFile ? { bindings: bindingsFromFile(bindingFile) } : {}) })) as Json;

  it("is equivalent under dsl/kvm-2016.fault's contract", async () => {
    const r = await equivalence("refs/kvm-2016-before.S", obj, { strict: false, sweep: true, fills: 1 });
    expect(r.proof.verdict).toBe("equivalent");
    expect(r.sweep?.disagreements ?? []).toEqual([]);
  });

  it("1. ESR_EL2 bits above 31 change the decision (--strict)", async () => {
    const j = await find(true);
    expect([j.verdict, j.obligation.id, j.reproduced]).toEqual(["different", 1, true]);
    expect(j.counterexample).toMatchObject({ esr: "0x48000000c", far: "0x0", at: { par: "0x801" } });
    expect([j.a.outcome, j.b.outcome]).toEqual(["exit", "retry"]);
  });

  it("2. FAR and HPFAR recorded for traps that are not aborts", async () => {
    const j = await find(false, "test/fixtures/findings/kvm-2016-assume-only.fault");
    expect([j.verdict, j.obligation.id, j.obligation.what, j.reproduced]).toEqual(["different", 2, "field far_el2 on exit 0x1", true]);
    expect(j.counterexample).toMatchObject({ esr: "0x0", far: "0x1" });
    expect([j.a.fault.far_el2, j.b.fault.far_el2]).toEqual(["0x1", "0x0"]);
  });

  it("3. the syndrome recorded before re-entering the guest", async () => {
    const j = await find(false, "test/fixtures/findings/kvm-2016-retry-observed.fault");
    expect([j.verdict, j.obligation.id, j.obligation.what, j.reproduced]).toEqual(["different", 2, "field esr_el2 on retry", true]);
    expect(j.counterexample).toMatchObject({ esr: "0x8000000c", at: { par: "0x801" } });
    expect([j.a.fault.esr_el2, j.b.fault.esr_el2]).toEqual(["0x0", "0x8000000c"]);
  });
}),
);
