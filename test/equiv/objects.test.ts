// Object functions as sides of `faultc equiv`: the real Linux 6.1 and 6.12 objects proven
// equivalent to their rule files under the contract for every capability combination their
// builds allow (and under --strict), a version's rule file against the other version's object
// with its counterexample replayed, and small functions compiled here with deliberate
// differences: a decoded counterexample that replays with `faultc run`, a returned value the
// binding does not map, a callee-saved register clobbered, and two builds no system runs both of.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { equivalence } from "../../src/equiv/equiv.ts";
import { IncomparableSides } from "../../src/equiv/prove.ts";
import { renderJson } from "../../src/equiv/report.ts";
import { parseScenario, scenarioToOptions } from "../../src/runtime/scenario/index.ts";
import { bindingsFromFile } from "../../src/sides/index.ts";
import { cli } from "../cli/harness.ts";
import { compile, describeWithCross, scratchDir } from "../object/cross-toolchain.ts";
import { describeWithKernel, KERNEL_VERSIONS } from "../support/kernels.ts";
import { SMALL_C, smallC as C } from "../support/small-object.ts";

const FIXTURE = "test/fixtures/objects/small.fault";

type Json = {
  verdict: string;
  obligation: { id: number; what: string } | null;
  counterexample: Record<string, unknown>;
  reproduced: boolean;
  capabilities: string[][];
  a: { outcome: string; fault: Record<string, string> };
  b: { outcome: string; returned?: string; fault: Record<string, string>; callee_saved_restored?: boolean };
};

/** The run result's JSON without what depends on the run's tracing. */
const result = (j: Record<string, unknown>) => ({ ...j, trace: [] });

for (const version of KERNEL_VERSIONS) {
  describeWithKernel(version, `Linux ${version}'s objects against dsl/linux-${version}.fault`, (t) => {
    const combos = version === "6.1" ? 4 : 16;
    for (const object of ["nvhe", "vhe"] as const) {
      const spec = () => `${path.relative(process.cwd(), t.objects[object])}:__get_fault_info`;

      it(`${object}: equivalent under the contract, for every capability combination the build allows; the sweep agrees`, async () => {
        const r = await equivalence(`dsl/linux-${version}.fault#c`, spec(), { strict: false, sweep: true, fills: 1 });
        expect(r.proof.verdict).toBe("equivalent");
        expect(r.proof.contract?.file).toBe(`dsl/linux-${version}.fault`);
        expect(r.proof.combos).toHaveLength(combos);
        // VHE as the build fixes it, ARM64_ALWAYS_SYSTEM as documented, in every combination.
        for (const c of r.proof.combos) expect([c.caps.includes("ARM64_HAS_VIRT_HOST_EXTN"), c.caps.includes("ARM64_ALWAYS_SYSTEM")]).toEqual([object === "vhe", true]);
        expect(r.proof.enumerated).toContain("ARM64_WORKAROUND_1508412");
        expect(r.proof.assumed).toEqual([{ side: "b", text: `dsl/linux-${version}.fault:${r.b.binding?.line} binds __get_fault_info when ESR_EL2.EC in {IABT_LOW, DABT_LOW, WATCHPT_LOW}` }]);
        expect(r.proof.recordedByCaller).toEqual(["A.esr_el2"]);
        expect(r.sweep?.disagreements).toEqual([]);
        expect(r.sweep?.scenarios).toBeGreaterThan(combos);
      });

      it(`${object}: and with --strict (the binding's when still assumed)`, async () => {
        const r = await equivalence(`dsl/linux-${version}.fault#c`, spec(), { strict: true, sweep: false, fills: 1 });
        expect(r.proof.verdict).toBe("equivalent");
        expect(r.proof.assumed).toHaveLength(1);
      });
    }
  });
}

describeWithKernel("6.12", "the command the issue names", (t) => {
  it("faultc equiv dsl/linux-6.12.fault#c .../nvhe/switch.nvhe.o:__get_fault_info says equivalent, with no other flag", async () => {
    const obj = path.relative(process.cwd(), t.objects.nvhe);
    const r = await cli(["equiv", "dsl/linux-6.12.fault#c", `${obj}:__get_fault_info`]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("Equivalent: every obligation holds on every input, for every capability combination.");
    expect(r.stdout).toContain('binding of side B: dsl/linux-6.12.fault:');
    expect(r.stdout).toContain("ARM64_HAS_VIRT_HOST_EXTN absent (side B: compiled with -D__KVM_NVHE_HYPERVISOR__");
    expect(r.stdout).toContain("fields the function's caller records (not compared): A.esr_el2");
    expect(r.stdout).toMatch(/Sweep: \d+ scenarios in .* agreeing with the proof/);
  });
});

describeWithKernel("6.12", "Linux 6.1's rule file against Linux 6.12's object", (t) => {
  it("different: 6.12 translates with AT S1E1A under ARM64_HAS_S1POE, which succeeds where 6.1's S1E1R meets a permission fault; the counterexample replays", async () => {
    const obj = path.relative(process.cwd(), t.objects.nvhe);
    const r = await equivalence("dsl/linux-6.1.fault#c", `${obj}:__get_fault_info`, { strict: false, sweep: false, fills: 1 });
    const j = renderJson(r) as Json;
    expect([j.verdict, j.obligation?.id, j.reproduced]).toEqual(["different", 1, true]);
    expect(r.b.binding?.file).toBe("dsl/linux-6.12.fault");
    expect(j.obligation?.what).toBe("side A retries, side B exits 0x2");
    const s = parseScenario(j.counterexample);
    expect(s.caps).toContain("ARM64_HAS_S1POE");
    if (s.at === undefined || typeof s.at !== "object" || !("par" in s.at)) throw new Error("no PAR in the counterexample");
    expect(s.at.par & 1n).toBe(1n);
    expect((s.at.ops?.s1e1a ?? s.at.par) & 1n).toBe(0n);
    // faultc run with the printed options gives side B's result.
    const replay = await cli(["run", `${obj}:__get_fault_info`, "--binding", "dsl/linux-6.12.fault", ...scenarioToOptions(s)]);
    expect(replay.code).toBe(0);
    expect(result(JSON.parse(replay.stdout))).toEqual(result(j.b));
  });
});

describeWithCross("small compiled functions with deliberate differences", () => {
  const dir = scratchDir("object-equiv");
  const bindings = bindingsFromFile(FIXTURE);

  it("a permission fault re-entered only at level 3: obligation 1, the smallest input decoded, replayed by faultc run with the options and the JSON printed", async () => {
    const obj = compile(dir, "small.c", SMALL_C, ["-O2", "-g"]);
    const spec = `${obj}:get_fault_ipa`;
    const r = await equivalence(`${FIXTURE}#c`, spec, { strict: false, sweep: true, fills: 2 });
    const j = renderJson(r) as Json;
    expect([j.verdict, j.obligation?.id, j.obligation?.what, j.reproduced]).toEqual(["different", 1, "side A retries, side B exits 0x1", true]);
    // The fewest set bits: DABT_LOW with a permission fault at level 0 (FSC 0x0c), everything else zero.
    expect(j.counterexample).toMatchObject({ esr: "0x9000000c", far: "0x0", hpfar: "0x0" });
    expect(r.sweep?.disagreements).toEqual([]);
    const s = parseScenario(j.counterexample);
    const byOptions = await cli(["run", spec, "--binding", FIXTURE, ...scenarioToOptions(s)]);
    expect(byOptions.code).toBe(0);
    expect(result(JSON.parse(byOptions.stdout))).toEqual(result(j.b));
    const byJson = await cli(["run", spec, "--binding", FIXTURE, "--jsonl"], JSON.stringify(j.counterexample) + "\n");
    expect(result(JSON.parse(byJson.stdout))).toEqual(result(j.b));
    const text = await cli(["equiv", "--no-sweep", `${FIXTURE}#c`, spec]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`| faultc run ${spec} --binding ${FIXTURE} --jsonl`);
    expect(text.stdout).toContain("ESR_EL2      = 0x9000000c  EC=DABT_LOW (0x24)");
  });

  it("a returned value the binding does not map is an outcome that matches nothing", async () => {
    const obj = compile(dir, "unmapped.c", C("\tunsigned long far = read_sysreg(far_el2);\n\tif ((esr & 0x3c) == 0x0c)\n\t\treturn 0;\n\tf->address = far;\n\tf->ipa = read_sysreg(hpfar_el2);\n\treturn 1;"), ["-O2", "-g"]);
    const m = structuredClone(bindings[0].module);
    m.bindings[0].returns.cases = m.bindings[0].returns.cases.filter((c) => c.value === 1n);
    const r = await equivalence(`${FIXTURE}#c`, `${obj}:get_fault_ipa`, { strict: false, sweep: true, fills: 1, bindings: [{ binding: m.bindings[0], module: m }] });
    const j = renderJson(r) as Json;
    expect([j.verdict, j.obligation?.what, j.reproduced]).toEqual(["different", "side A retries, side B returns a value its binding does not map", true]);
    expect([j.b.outcome, j.b.returned]).toEqual(["returns 0x0", "0x0"]);
    expect(r.sweep?.disagreements).toEqual([]);
  });

  it("the same logic, but x19 clobbered behind the compiler's back: obligation 4 (callee-saved registers)", async () => {
    const obj = compile(dir, "clobber.c", C('\tunsigned long far = read_sysreg(far_el2);\n\tasm volatile("mov x19, %0" : : "r"(esr));\n\tif ((esr & 0x3c) == 0x0c)\n\t\treturn 0;\n\tf->address = far;\n\tf->ipa = read_sysreg(hpfar_el2);\n\treturn 1;'), ["-O2", "-g"]);
    const spec = `${obj}:get_fault_ipa`;
    const r = await equivalence(`${FIXTURE}#c`, spec, { strict: false, sweep: true, fills: 1, bindings });
    const j = renderJson(r) as Json;
    expect([j.verdict, j.obligation?.id, j.obligation?.what, j.reproduced]).toEqual(["different", 4, `${spec} returns with x19-x29 or SP changed`, true]);
    expect(j.b.callee_saved_restored).toBe(false);
    expect(r.sweep?.disagreements).toEqual([]);
  });

  it("a VHE build and an nVHE build of one function: no system runs both, an error before any proof", async () => {
    const obj = compile(dir, "both.c", SMALL_C, ["-O2", "-g"]);
    const copies = ["__KVM_VHE_HYPERVISOR__", "__KVM_NVHE_HYPERVISOR__"].map((flag) => {
      const sub = path.join(dir, flag);
      mkdirSync(sub, { recursive: true });
      copyFileSync(obj, path.join(sub, "both.o"));
      writeFileSync(path.join(sub, ".both.o.cmd"), `savedcmd_hyp/both.o := gcc -D${flag} -c -o hyp/both.o both.c\n`);
      return `${path.join(sub, "both.o")}:get_fault_ipa`;
    });
    await expect(equivalence(copies[0], copies[1], { strict: false, sweep: false, fills: 1, bindings })).rejects.toThrow(IncomparableSides);
    const r = await cli(["equiv", "--binding", FIXTURE, ...copies]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^faultc equiv: no system runs both sides: side A \(.*\) runs only with ARM64_HAS_VIRT_HOST_EXTN \(compiled with -D__KVM_VHE_HYPERVISOR__ .*\), side B \(.*\) never \(compiled with -D__KVM_NVHE_HYPERVISOR__ .*\)\n$/);
  });
});

describe("--binding", () => {
  it("is for object functions only (a usage error elsewhere); a rule file without bindings is an input error", async () => {
    const r = await cli(["equiv", "--binding", FIXTURE, "dsl/kvm-2016.fault#c", "dsl/kvm-2016.fault#asm"]);
    expect([r.code, r.stderr.split("\n")[0]]).toEqual([2, "faultc equiv: --binding is for a side that is an object function (PATH.o:SYMBOL)"]);
    const x = await cli(["equiv", "--binding", "dsl/xen.fault", "dsl/kvm-2016.fault#c", "x.o:f"]);
    expect([x.code, x.stderr]).toEqual([1, "dsl/xen.fault: error: the rule file declares no binding (--binding names a rule file with 'binding SYMBOL for HANDLER { ... }')\n"]);
  });
});
