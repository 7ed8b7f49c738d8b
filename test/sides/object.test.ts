// Object functions as sides (PATH.o:SYMBOL): the binding they open with and its checks against
// the object's DWARF, the capabilities the build fixes, and concrete runs as the caller calls
// the function. A small C function compiled here by the cross gcc with a fixture's binding, and
// the real Linux 6.1 and 6.12 objects against their rule files' C-like variants.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import type { IrBinding, IrModule } from "../../src/codegen/ir/types.ts";
import { HandlerRunError, type RunResult } from "../../src/runtime/run/index.ts";
import { parseScenario, type Scenario } from "../../src/runtime/scenario/index.ts";
import { kernelFits } from "../../src/sides/binding.ts";
import { bindingsFromFile, openSide, SideError, type BindingCandidate, type OpenOptions, type Side } from "../../src/sides/index.ts";
import { compile, describeWithCross, scratchDir } from "../object/cross-toolchain.ts";
import { describeWithKernel, KERNEL_VERSIONS, type KernelObject } from "../support/kernels.ts";
import { SMALL_C } from "../support/small-object.ts";

const FIXTURE = "test/fixtures/objects/small.fault";

async function failure(spec: string, options: OpenOptions): Promise<SideError> {
  try {
    await openSide(spec, options);
  } catch (e) {
    if (e instanceof SideError) return e;
    throw e;
  }
  throw new Error(`${spec} opened`);
}

/** The fixture's binding, changed by `change` on a copy of its module. */
function changed(change: (b: IrBinding, m: IrModule) => void): BindingCandidate[] {
  const m = structuredClone(compileRuleFile(FIXTURE).module);
  change(m.bindings[0], m);
  return [{ binding: m.bindings[0], module: m }];
}

function run(side: Side, s: Record<string, unknown>): RunResult {
  return side.concrete().run(parseScenario(s), { trace: true });
}

describe("kernel releases", () => {
  it.each<[string, string, boolean]>([
    ["6.12", "6.12.117", true],
    ["6.1", "6.12.117", false],
    ["6.1", "6.1.192", true],
    ["6", "6.12.117", true],
    ["6.12.117", "6.12", false],
    ["6.12", "6.12.117-1~deb12u1", true],
    ["6.12", "6.12-rc1", true],
  ])("kernel %s binds release %s: %s", (kernel, release, fits) => {
    expect(kernelFits(kernel, release)).toBe(fits);
  });
});

describeWithCross("an object function with a binding (a small C function)", () => {
  const dir = scratchDir("object-side");
  const obj = compile(dir, "small.c", SMALL_C, ["-O2", "-g"]);
  const spec = `${obj}:get_fault_ipa`;
  const bindings = bindingsFromFile(FIXTURE);

  it("opens with the binding given: the record where the struct's DWARF has the fields, the binding as reports name it", async () => {
    const side = await openSide(spec, { bindings });
    expect([side.label, side.kind, side.symbolic.kind]).toEqual([spec, "object", "machine-code"]);
    // struct small_fault { syndrome @0, address @8, ipa @16 } behind the record pointer, at faultc's record base 0x40.
    expect(side.layout).toEqual({ address: { offset: 0x48, size: 8 }, ipa: { offset: 0x50, size: 8 } });
    expect(side.binding).toEqual({ symbol: "get_fault_ipa", handler: "small", file: FIXTURE, line: 29, kernel: undefined, release: undefined, when: "ESR_EL2.EC in {DABT_LOW}", struct: { name: "small_fault", from: obj } });
    expect([...(side.fixedCapabilities ?? [])]).toEqual([]);
    expect(side.module?.file).toBe(FIXTURE);
    if (side.symbolic.kind !== "machine-code" || side.symbolic.call === undefined) throw new Error("no call");
    expect(side.symbolic.entry).toBe("get_fault_ipa");
    expect(side.symbolic.load([]).instructions).toHaveLength(11);
  });

  it("the rule file it is compared with gives the binding too (peerBindings), and the bundled rule files do not bind it", async () => {
    expect((await openSide(spec, { peerBindings: bindings })).binding?.file).toBe(FIXTURE);
    const e = await failure(spec, {});
    expect([e.usage, e.message]).toEqual([false, `${obj}: error: no binding of get_fault_ipa in the bundled rule files: a rule file says how the function does a handler's work with 'binding get_fault_ipa for HANDLER { ... }' (docs/LANGUAGE.md, "Bindings"); give it with --binding FILE.fault`]);
  });

  it("runs as its caller calls it: x0 = ESR_EL2, x1 = the record; its return mapped, the record read, the trace at symbol+offset", async () => {
    const side = await openSide(spec, { bindings });
    const r = run(side, { esr: "0x92000007", far: "0x1234", hpfar: "0x50" });
    expect([r.outcome, r.exitCode, r.returned, Object.fromEntries(r.fault), r.calleeSavedRestored]).toEqual(["exit", 1n, 1n, { address: 0x1234n, ipa: 0x50n }, true]);
    expect(r.trace.map((t) => t.loc)).toEqual(["+0x0", "+0x4", "+0x8", "+0xc", "+0x10", "+0x14", "+0x18", "+0x1c", "+0x20"].map((o) => `${obj}:get_fault_ipa${o === "+0x0" ? "" : o}`));
    expect(r.trace[0].text).toBe("mrs x2, far_el2");
    expect(r.trace[4].stores).toEqual([{ address: 0x6000_0048n, size: 8, value: 0x1234n }]);
    const perm = run(side, { esr: "0x9200000f", far: "0x1234", hpfar: "0x50" });
    expect([perm.outcome, perm.returned, Object.fromEntries(perm.fault)]).toEqual(["retry", 0n, { address: 0n, ipa: 0n }]);
  });

  it("a scenario its caller does not call it on (the binding's when) is an error; a returned value not mapped is an outcome of its own", async () => {
    const side = await openSide(spec, { bindings });
    expect(() => run(side, { esr: "0x82000007" })).toThrow(new HandlerRunError(`${spec}: error: the function is not called on this scenario (${FIXTURE}:29 binds get_fault_ipa when ESR_EL2.EC in {DABT_LOW})`));
    const onlyTrue = await openSide(spec, { bindings: changed((b) => void (b.returns.cases = b.returns.cases.filter((c) => c.value === 1n))) });
    expect(run(onlyTrue, { esr: "0x9200000f" }).outcome).toBe("returns 0x0");
  });

  it("a binding the object disagrees with is an error at the binding: a member the struct lacks, a member of another size, a struct its DWARF lacks", async () => {
    const renamed = changed((b, m) => {
      b.record!.fields = ["address", "ipa_"];
      m.handlers[0].record.fields.push({ name: "ipa_", width: 64, offset: 0x58, size: 8 });
    });
    expect((await failure(spec, { bindings: renamed })).message).toBe(`${FIXTURE}:29: error: binding get_fault_ipa: struct small_fault has no member 'ipa_' in the DWARF of ${obj} (its members: syndrome, address, ipa)`);
    const narrow = changed((_, m) => {
      const f = m.handlers[0].record.fields.find((x) => x.name === "address")!;
      Object.assign(f, { width: 32, size: 4 });
    });
    expect((await failure(spec, { bindings: narrow })).message).toBe(`${FIXTURE}:29: error: binding get_fault_ipa: member 'address' of struct small_fault is 8 bytes in the DWARF of ${obj}, but field address of record small_fault is 32 bits, stored as 4 bytes`);
    const otherStruct = changed((b) => void (b.record!.struct = "kvm_vcpu_fault_info"));
    expect((await failure(spec, { bindings: otherStruct })).message).toMatch(new RegExp(`^${obj.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: error: struct kvm_vcpu_fault_info: .*no struct kvm_vcpu_fault_info`));
    const noDwarf = compile(dir, "small-nodebug.c", SMALL_C, ["-O2"]);
    const e = await failure(`${noDwarf}:get_fault_ipa`, { bindings });
    // (the object layer's words for it: src/object/dwarf.ts)
    expect([e.usage, e.message.startsWith(`${noDwarf}: error: struct small_fault: `), e.message]).toEqual([false, true, expect.stringContaining("no DWARF debugging information")]);
  });

  it("of several bindings, the kernel release picks one; none or several fitting is an error listing them", async () => {
    const kernel = (k: string | undefined) => changed((b) => void (b.kernel = k))[0];
    // Outside a build tree the release is unknown: the only binding, whatever its kernel.
    expect((await openSide(spec, { bindings: [kernel("6.12")] })).binding?.kernel).toBe("6.12");
    const two = [kernel("6.1"), { ...kernel("6.12"), binding: { ...kernel("6.12").binding, origin: { file: "x.fault", line: 3, column: 1, rule: undefined } } }];
    const e = await failure(spec, { bindings: two });
    expect([e.usage, e.message]).toEqual([true, `${obj}: 2 bindings of get_fault_ipa in the rule files given with --binding fit the object (in no kernel build tree, so its release is unknown): ${FIXTURE}:29 (kernel "6.1"), x.fault:3 (kernel "6.12"); give the one to use with --binding FILE.fault`]);
  });

  it("the kbuild command beside the object fixes VHE: present for -D__KVM_VHE_HYPERVISOR__, absent for -D__KVM_NVHE_HYPERVISOR__", async () => {
    for (const [flag, present] of [["__KVM_VHE_HYPERVISOR__", true], ["__KVM_NVHE_HYPERVISOR__", false]] as const) {
      const sub = path.join(dir, flag);
      mkdirSync(sub, { recursive: true });
      const copy = path.join(sub, "small.o");
      copyFileSync(obj, copy);
      writeFileSync(path.join(sub, ".small.o.cmd"), `savedcmd_hyp/small.o := aarch64-linux-gnu-gcc -O2 -g -D${flag} -c -o hyp/small.o small.c\n\nsource_hyp/small.o := small.c\n`);
      const side = await openSide(`${copy}:get_fault_ipa`, { bindings });
      const fixed = side.fixedCapabilities?.get("ARM64_HAS_VIRT_HOST_EXTN");
      expect([fixed?.present, fixed?.kind]).toEqual([present, "build"]);
      expect(fixed?.reason).toContain(`-D${flag} (${path.join(sub, ".small.o.cmd")})`);
      if (present) expect(run(side, { esr: "0x92000007" }).meta.capabilities).toEqual(["ARM64_HAS_VIRT_HOST_EXTN"]);
      else expect(() => run(side, { esr: "0x92000007", caps: ["ARM64_HAS_VIRT_HOST_EXTN"] })).toThrow(`${copy}:get_fault_ipa: error: the scenario has ARM64_HAS_VIRT_HOST_EXTN, but this code never runs with it: compiled with -D${flag}`);
    }
  });

  it("a function that returns anywhere but to its caller is an error where it returns", async () => {
    const asm = compile(dir, "elsewhere.S", "\t.text\n\t.globl get_fault_ipa\n\t.type get_fault_ipa, %function\nget_fault_ipa:\n\tmov x30, xzr\n\tret\n\t.size get_fault_ipa, .-get_fault_ipa\n", []);
    const side = await openSide(`${asm}:get_fault_ipa`, { bindings: changed((b) => void (b.record = undefined)) });
    expect(() => run(side, { esr: "0x92000007" })).toThrow(`${asm}:get_fault_ipa+0x4: error: 'ret' returns to 0x0, not to the caller (x30 was 0xffff8000c0de0000 at the call)`);
  });
});

/** Scenarios inside the bindings' when (the three memory-fault ECs), over the paths of __get_fault_info. */
const KERNEL_SCENARIOS: Record<string, unknown>[] = [
  { esr: "0x92000007", far: "0x1234", hpfar: "0x50" }, // DABT_LOW translation L3: HPFAR trusted
  { esr: "0x9200004f", far: "0x1234", at: { ok: "0x80001000" }, par: "0x12345b81" }, // permission L3 write: AT
  { esr: "0x9200004f", far: "0x1234", at: "fault", par: "0x12345b81" }, // AT fails: re-enter the guest
  { esr: "0x92000086", far: "0x5678", hpfar: "0x60" }, // S1PTW: HPFAR trusted
  { esr: "0x82000007", far: "0x2000", hpfar: "0x70", midr: "0x411fd072" }, // IABT_LOW on an erratum-834220 CPU: AT
  { esr: "0xd2000000", far: "0x3000", hpfar: "0x80" }, // WATCHPT_LOW
  { esr: "0x9200000d", far: "0x4000", at: { par: "0x80d", s1e1a: "0xff00000000004b80" } }, // S1E1R fails on permission, S1E1A does not
];

for (const version of KERNEL_VERSIONS) {
  describeWithKernel(version, `Linux ${version}'s __get_fault_info objects`, (t) => {
    const capsOf = (object: KernelObject): string[][] => {
      const vhe = object === "vhe" ? ["ARM64_HAS_VIRT_HOST_EXTN"] : [];
      const s1poe = version === "6.12" ? [["ARM64_HAS_S1POE"]] : [];
      const hvhe = version === "6.12" && object === "nvhe" ? [["ARM64_KVM_HVHE"]] : [];
      return [[], ["ARM64_WORKAROUND_1508412"], ...s1poe, ...hvhe].map((c) => [...vhe, ...c]);
    };
    for (const object of ["nvhe", "vhe"] as const) {
      const spec = () => `${path.relative(process.cwd(), t.objects[object])}:__get_fault_info`;

      it(`${object}: the bundled rule file's binding for release ${version}, the build's VHE, the record where the struct has it`, async () => {
        const side = await openSide(spec());
        expect(side.binding).toMatchObject({ symbol: "__get_fault_info", handler: "fixup_guest_exit", file: `dsl/linux-${version}.fault`, kernel: version, when: "ESR_EL2.EC in {IABT_LOW, DABT_LOW, WATCHPT_LOW}", struct: { name: "kvm_vcpu_fault_info" } });
        expect(side.binding?.release?.startsWith(`${version}.`)).toBe(true);
        expect(side.fixedCapabilities?.get("ARM64_HAS_VIRT_HOST_EXTN")).toMatchObject({ present: object === "vhe", kind: "build" });
        expect(side.fixedCapabilities?.get("ARM64_ALWAYS_SYSTEM")).toMatchObject({ present: true, kind: "default" });
        // struct kvm_vcpu_fault_info { u64 esr_el2; u64 far_el2; u64 hpfar_el2; u64 disr_el1; }, the record at 0x40.
        expect(side.layout).toEqual({ far_el2: { offset: 0x48, size: 8 }, hpfar_el2: { offset: 0x50, size: 8 } });
        expect(side.notes?.length).toBeGreaterThan(0);
      });

      it(`${object}: runs agree with dsl/linux-${version}.fault#c on the memory-fault scenarios`, async () => {
        const side = await openSide(spec());
        const rule = (await openSide(`dsl/linux-${version}.fault#c`)).concrete();
        for (const caps of capsOf(object)) {
          for (const s of KERNEL_SCENARIOS) {
            const scenario: Scenario = parseScenario({ ...s, caps });
            const [o, r] = [side.concrete().run(scenario), rule.run(scenario)];
            const where = JSON.stringify({ ...s, caps });
            expect([o.outcome, o.exitCode], where).toEqual([r.outcome, r.exitCode]);
            if (o.outcome === "exit") expect([o.fault.get("far_el2"), o.fault.get("hpfar_el2")], where).toEqual([r.fault.get("far_el2"), r.fault.get("hpfar_el2")]);
            expect([o.sysregs.get("PAR_EL1"), o.parPreserved, o.calleeSavedRestored], where).toEqual([r.sysregs.get("PAR_EL1"), r.parPreserved, true]);
          }
        }
      });
    }
  });
}
