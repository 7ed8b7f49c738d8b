// `faultc equiv` and `faultc refs` as users meet them: exit codes, the JSON form, usage errors,
// and "unknown" when the symbolic model cannot follow a side.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe("faultc equiv", () => {
  it("equivalent: exit 0, the obligations listed as proven, the contract printed", async () => {
    const r = await run(["equiv", "--no-sweep", "ref:kvm-2016-before", "dsl/kvm-2016.fault#c"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("contract: from dsl/kvm-2016.fault");
    expect(r.stdout).toContain("assume ESR_EL2[63:32] == 0;");
    expect(r.stdout.match(/ proven$/gm)).toHaveLength(4);
    expect(r.stdout).toContain("Equivalent: every obligation holds on every input");
  });

  it("different with --json: exit 1 and replayable scenario and results", async () => {
    const r = await run(["equiv", "--json", "--no-sweep", "--strict", "ref:kvm-2016-before", "dsl/kvm-2016.fault#c"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { verdict: string; obligation: { id: number }; counterexample: { esr: string }; a: { outcome: string }; b: { outcome: string } };
    expect(j.verdict).toBe("different");
    expect(j.obligation.id).toBe(1);
    expect(j.counterexample.esr).toBe("0x48000000c");
    // The counterexample replays with faultc run as it stands.
    const replay = await run(["run", "ref:kvm-2016-before", "--esr", j.counterexample.esr, "--at", "fault"]);
    expect(replay.code).toBe(0);
    expect((JSON.parse(replay.stdout) as { outcome: string }).outcome).toBe(j.a.outcome);
  });

  it("unknown (exit 3) when a side does something the symbolic model cannot follow", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-equiv-"));
    const file = path.join(dir, "symbolic-load.S");
    // A load from an address that depends on ESR_EL2: not supported symbolically.
    writeFileSync(file, "el1_sync:\n\tsave_x0_to_x3\n\tmrs\tx1, esr_el2\n\tldr\tx2, [x1]\n\trestore_x0_to_x3\n\teret\n");
    const r = await run(["equiv", "--no-sweep", file, "dsl/kvm-2016.fault#c"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Unknown: .*symbolic address/);
  });

  it("usage errors exit 2", async () => {
    expect((await run(["equiv", "dsl/kvm-2016.fault#c"])).code).toBe(2);
    expect((await run(["equiv", "nonsense", "dsl/kvm-2016.fault#c"])).code).toBe(2);
    expect((await run(["equiv", "--fills", "0", "a.S", "b.S"])).code).toBe(2);
  });

  it("a rule file with errors: its diagnostics, exit 1", async () => {
    const r = await run(["equiv", "test/fixtures/check/width-mismatch.fault#c", "dsl/kvm-2016.fault#c"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("width-mismatch.fault:5:16: error:");
  });
});

describe("faultc refs", () => {
  it("lists the bundled references", async () => {
    const r = await run(["refs"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ref:kvm-2016-before\s+refs\/kvm-2016-before\.S/m);
    expect(r.stdout).toMatch(/^ref:kvm-2016-after\s+refs\/kvm-2016-after\.ts/m);
  });
});
