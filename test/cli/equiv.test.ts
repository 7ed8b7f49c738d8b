// `faultc equiv` and `faultc refs` as users meet them: exit codes, the JSON form, usage errors,
// "unknown" when the symbolic model cannot follow a side, errors in a side (located, exit 1), and
// records paired with --map.
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

describe("faultc equiv: errors in a side are located, exit 1, before any verdict", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "faultc-equiv-"));
  const asm = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each<[string, string, (file: string) => string]>([
    ["no entry label", "start:\n\teret\n", (f) => `${f}: error: no label 'el1_sync' (the entry point) in the program`],
    ["an UNDEFINED access", "el1_sync:\n\tmrs\tx0, far_el12\n\teret\n", (f) => `${f}:2:2: error: mrs\tx0, far_el12: FAR_EL12 is UNDEFINED at EL2 when HCR_EL2.E2H == 0 (capabilities: none)`],
    ["a path off the end", "el1_sync:\n\tmrs\tx1, esr_el2\n\tcbz\tx1, 1f\n\teret\n1:\n\tmov\tx0, #1\n", (f) => `${f}:6:2: error: a path runs off the end of the program after 'mov\tx0, #1' (capabilities: none)`],
  ])("%s", async (what, text, message) => {
    const file = asm(`${what.replaceAll(" ", "-")}.S`, text);
    for (const order of [[file, "dsl/kvm-2016.fault#c"], ["dsl/kvm-2016.fault#c", file]]) {
      expect(await run(["equiv", "--no-sweep", ...order])).toEqual({ code: 1, stdout: "", stderr: `${message(file)}\n` });
    }
  });

  it("both sides exit with different codes: the outcome obligation names both", async () => {
    const two = asm("exit2.S", "el1_sync:\n\tmov\tx1, #2\n\tb\t__guest_exit\n");
    const one = asm("exit1.S", "el1_sync:\n\tmov\tx1, #1\n\tb\t__guest_exit\n");
    const r = await run(["equiv", "--no-sweep", two, one]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Different: obligation 1 (outcome) fails: side A exits 0x2, side B exits 0x1.");
    const j = JSON.parse((await run(["equiv", "--no-sweep", "--json", one, two])).stdout) as { obligation: { what: string }; reproduced: boolean };
    expect(j).toMatchObject({ obligation: { what: "side A exits 0x1, side B exits 0x2" }, reproduced: true });
  });
});

describe("faultc equiv: records that name their fields differently", () => {
  const renamed = "test/fixtures/equiv/kvm-2016-renamed.fault#c";
  const map = ["--map", "esr_el2=syndrome", "--map", "far_el2=address", "--map", "hpfar_el2=ipa"];

  it("share no field: an error naming both records' fields, exit 1", async () => {
    expect(await run(["equiv", "--no-sweep", "refs/kvm-2016-before.S", renamed])).toEqual({
      code: 1,
      stdout: "",
      stderr: `faultc equiv: the fault records share no field: side A (refs/kvm-2016-before.S) has esr_el2, far_el2, hpfar_el2; side B (${renamed}) has syndrome, address, ipa; say which correspond with --map A_FIELD=B_FIELD\n`,
    });
  });

  it("mapped: equivalent under B's contract, whose conditions read a mapped field; the report prints the mapping", async () => {
    const r = await run(["equiv", "refs/kvm-2016-before.S", renamed, ...map]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fields mapped (--map): A.esr_el2 = B.syndrome, A.far_el2 = B.address, A.hpfar_el2 = B.ipa\n");
    expect(r.stdout).toContain("agreeing with the proof");
    const j = JSON.parse((await run(["equiv", "--no-sweep", "--json", "refs/kvm-2016-before.S", renamed, ...map])).stdout) as { verdict: string; map: unknown };
    expect(j).toMatchObject({ verdict: "equivalent", map: { esr_el2: "syndrome", far_el2: "address", hpfar_el2: "ipa" } });
  });

  it("mapped the wrong way round: different on the pair, and the counterexample shows it", async () => {
    const r = await run(["equiv", "--no-sweep", "--json", "refs/kvm-2016-before.S", renamed, "--map", "esr_el2=syndrome", "--map", "far_el2=ipa", "--map", "hpfar_el2=address"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { obligation: { id: number; what: string }; reproduced: boolean; a: { fault: Record<string, string> }; b: { fault: Record<string, string> } };
    expect([j.obligation.id, j.obligation.what, j.reproduced]).toEqual([2, "field hpfar_el2=address on exit 0x1", true]);
    expect(j.a.fault.hpfar_el2).not.toBe(j.b.fault.address);
  });

  it.each<[string[], string]>([
    [["--map", "esr_el2"], "--map must be A_FIELD=B_FIELD (a field of side A's record, one of side B's), got 'esr_el2'"],
    [["--map", "esr=syndrome"], "--map esr=syndrome: side A (refs/kvm-2016-before.S) has no field 'esr' (it has esr_el2, far_el2, hpfar_el2)"],
    [["--map", "esr_el2=syn"], `--map esr_el2=syn: side B (${renamed}) has no field 'syn' (it has syndrome, address, ipa)`],
    [["--map", "esr_el2=syndrome", "--map", "esr_el2=ipa"], "--map: side A's field 'esr_el2' is mapped twice"],
  ])("a bad --map is a usage error: %j", async (flags, message) => {
    const r = await run(["equiv", "--no-sweep", "refs/kvm-2016-before.S", renamed, ...flags]);
    expect([r.code, r.stdout, r.stderr.split("\n")[0]]).toEqual([2, "", `faultc equiv: ${message}`]);
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
