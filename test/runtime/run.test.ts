// HandlerTarget for assembly: outcomes and their names, the recorded fault fields, system registers,
// the retry obligations (GPRs, SP, PAR_EL1), traces, the per-capability load cache, and located
// errors. (Naming and opening targets: test/sides/open.test.ts.)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AsmError } from "../../src/runtime/asm/errors.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220 } from "../../src/runtime/machine/cpu-features.ts";
import {
  AssemblyTarget, EXTERNAL_HANDLER_NAMES, HandlerRunError, KVM_2016_RECORD_LAYOUT, runResultToJson,
} from "../../src/runtime/run/index.ts";
import { arbitraryValue, parseScenario, scenario, SCENARIO_LAYOUT } from "../../src/runtime/scenario/index.ts";

const REF_PATH = fileURLToPath(new URL("../../refs/kvm-2016-before.S", import.meta.url));
const seed = AssemblyTarget.fromSource(readFileSync(REF_PATH, "utf8"), "refs/kvm-2016-before.S");

function asm(source: string, entry = "el1_sync"): AssemblyTarget {
  return AssemblyTarget.fromSource(source, "t.S", { entry });
}

describe("AssemblyTarget on the seed's before code", () => {
  it("reads the 2016 fault record with the vcpu layout", () => {
    expect(KVM_2016_RECORD_LAYOUT).toEqual({ esr_el2: { offset: 0x40, size: 4 }, far_el2: { offset: 0x48, size: 8 }, hpfar_el2: { offset: 0x50, size: 8 } });
    expect(seed.layout).toBe(KVM_2016_RECORD_LAYOUT);
    expect(seed.label).toBe("refs/kvm-2016-before.S");
  });

  it("permission fault: exit 1 with the IPA from AT; PAR_EL1 written (AT, msr) and back to the guest's", () => {
    const r = seed.run(parseScenario({ esr: "0x9200004f", far: "0x1234", par: "0x12345b81", at: { ok: "0x80001000" } }));
    expect(r.outcome).toBe("exit");
    expect(r.exitCode).toBe(1n);
    expect(r.fault).toEqual(new Map([["esr_el2", 0x9200004fn], ["far_el2", 0x1234n], ["hpfar_el2", 0x800010n]]));
    expect(r.sysregs).toEqual(new Map([["PAR_EL1", 0x12345b81n]]));
    expect(r.parPreserved).toBe(true);
    expect(r.gprsRestored).toBeUndefined();
    expect(r.trace).toEqual([]);
    expect(r.steps).toBe(34);
  });

  it("translation fault: HPFAR_EL2 read directly; PAR_EL1 is reported although nothing wrote it", () => {
    const r = seed.run(parseScenario({ esr: "0x92000007", far: "0x1234", hpfar: "0x10", par: "0x5" }));
    expect(r.fault.get("hpfar_el2")).toBe(0x10n);
    expect(r.sysregs).toEqual(new Map([["PAR_EL1", 5n]]));
  });

  it("stage 1 faults now: retry with x0-x30, SP and PAR_EL1 restored, nothing recorded (the record stays zero)", () => {
    const r = seed.run(parseScenario({ esr: "0x9200004f", far: "0x1234", at: "fault" }));
    expect(r.outcome).toBe("retry");
    expect(r.exitCode).toBeUndefined();
    expect(r.fault).toEqual(new Map([["esr_el2", 0n], ["far_el2", 0n], ["hpfar_el2", 0n]]));
    expect(r.gprsRestored).toBe(true);
    expect(r.spRestored).toBe(true);
    expect(r.parPreserved).toBe(true);
  });

  it("a stage-2 fault on the AT walk (PTW) also fails the translation: retry", () => {
    expect(seed.run(parseScenario({ esr: "0x9200004f", far: "0x1234", at: { s2fault: { level: 2 } } })).outcome).toBe("retry");
  });

  it("FP_ASIMD hands over to fpsimd_guest_restore (the rule language's name)", () => {
    const r = seed.run(scenario({ esr: 0x1e000000n }));
    expect(r.outcome).toBe("fpsimd_guest_restore");
    expect(r.fault).toEqual(new Map([["esr_el2", 0n], ["far_el2", 0n], ["hpfar_el2", 0n]]));
    expect(r.gprsRestored).toBeUndefined();
  });

  it("ARM64_WORKAROUND_834220 from MIDR r1p2: a translation fault goes through AT", () => {
    const r = seed.run(parseScenario({ esr: "0x92000007", far: "0x1234", hpfar: "0x77770", midr: "0x411fd072", at: { ok: "0x80001000" } }));
    expect(r.meta.capabilities).toEqual([ARM64_WORKAROUND_834220]);
    expect(r.fault.get("hpfar_el2")).toBe(0x800010n);
  });

  it("results depend only on the scenario (one parsed program, many runs)", () => {
    const s = parseScenario({ esr: "0x9200004f", far: "0x1234", seed: 3 });
    const a = runResultToJson(seed.run(s, { trace: true }));
    seed.run(parseScenario({ esr: "0x92000007", caps: [ARM64_WORKAROUND_834220] }));
    expect(runResultToJson(seed.run(s, { trace: true }))).toEqual(a);
  });

  it("loads once per capability set, whatever the order", () => {
    const a = seed.load([ARM64_WORKAROUND_834220, ARM64_HAS_VIRT_HOST_EXTN]);
    expect(seed.load([ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220])).toBe(a);
    expect(seed.load([])).not.toBe(a);
  });

  it("traces each instruction: location, text, registers and memory written", () => {
    const s = parseScenario({ esr: "0x9200004f", far: "0x1234", par: "0x5", at: { ok: "0x80001000" }, seed: 2 });
    const r = seed.run(s, { trace: true });
    expect(r.trace.length).toBe(r.steps);
    const [first, , third] = r.trace;
    // save_x0_to_x3 expands at its invocation (line 26): stp x0, x1, [sp, #-16]!
    expect(first).toEqual({
      index: 0,
      loc: "refs/kvm-2016-before.S:26:2",
      text: "stp x0, x1, [sp, #-16]!",
      writes: new Map([["sp", SCENARIO_LAYOUT.stackTop - 16n]]),
      stores: [
        { address: SCENARIO_LAYOUT.stackTop - 16n, size: 8, value: arbitraryValue(2, "x0") },
        { address: SCENARIO_LAYOUT.stackTop - 8n, size: 8, value: arbitraryValue(2, "x1") },
      ],
    });
    expect(third).toMatchObject({ loc: "refs/kvm-2016-before.S:28:2", text: "mrs x1, esr_el2", writes: new Map([["x1", 0x9200004fn]]), stores: [] });
    const at = r.trace.find((t) => t.text.startsWith("at "));
    expect(at?.writes).toEqual(new Map([["PAR_EL1", 0xff00000080001b80n]]));
    const last = r.trace[r.trace.length - 1];
    expect(last.text).toBe("b __guest_exit");
    expect(r.trace.find((t) => t.text.startsWith("cmp"))?.writes.has("nzcv")).toBe(true);
  });
});

describe("AssemblyTarget on other programs", () => {
  it("maps kernel symbols to the rule language's handler names in one table", () => {
    expect(EXTERNAL_HANDLER_NAMES).toEqual(new Map([["__kvm_handle_stub_hvc", "host_hvc"], ["__fpsimd_guest_restore", "fpsimd_guest_restore"]]));
    expect(asm("el1_sync: b __kvm_handle_stub_hvc").run(scenario({ esr: 0n })).outcome).toBe("host_hvc");
    // A symbol without a rule-language name keeps its own.
    expect(asm("el1_sync: b __hyp_panic").run(scenario({ esr: 0n })).outcome).toBe("__hyp_panic");
  });

  it("catches a retry that does not restore the guest's registers, stack or PAR_EL1", () => {
    const sloppy = asm(`
el1_sync:
	save_x0_to_x3
	mrs	x2, far_el2
	at	s1e1r, x2
	eret`);
    const r = sloppy.run(parseScenario({ esr: "0x9200004f", far: "0x1000", par: "0x5" }));
    expect(r.outcome).toBe("retry");
    expect(r.gprsRestored).toBe(false);
    expect(r.spRestored).toBe(false);
    expect(r.parPreserved).toBe(false);
    expect(r.sysregs.get("PAR_EL1")).toBe(0xff00000000001b80n);
  });

  it("reports every field of the record; a partial store shows the zeroed vcpu around it", () => {
    const t = asm(`
el1_sync:
	mrs	x0, tpidr_el2
	mrs	x1, esr_el2
	strb	w1, [x0, #VCPU_ESR_EL2]
	mov	x1, #ARM_EXCEPTION_TRAP
	b	__guest_exit`);
    const r = t.run(scenario({ esr: 0x92000045n }));
    expect(r.fault).toEqual(new Map([["esr_el2", 0x45n], ["far_el2", 0n], ["hpfar_el2", 0n]]));
  });

  it("under VHE, mrs esr_el1 at EL2 reads ESR_EL2; without VHE it reads the guest's arbitrary ESR_EL1", () => {
    const t = asm(`
el1_sync:
	mrs	x0, tpidr_el2
	mrs	x1, esr_el1
	str	w1, [x0, #VCPU_ESR_EL2]
	b	__guest_exit`);
    expect(t.run(scenario({ esr: 0x92000007n, caps: [ARM64_HAS_VIRT_HOST_EXTN] })).fault.get("esr_el2")).toBe(0x92000007n);
    expect(t.run(scenario({ esr: 0x92000007n, seed: 4 })).fault.get("esr_el2")).toBe(arbitraryValue(4, "ESR_EL1") & 0xffffffffn);
  });

  it("reports runs that cannot complete as located HandlerRunErrors", () => {
    const undef = asm("el1_sync:\n\tmrs\tx0, esr_el12\n\teret");
    expect(() => undef.run(scenario({ esr: 0n }))).toThrow(HandlerRunError);
    expect(() => undef.run(scenario({ esr: 0n }))).toThrow(/^t\.S:2:2: error: mrs\tx0, esr_el12: ESR_EL12 is UNDEFINED at EL2 when HCR_EL2\.E2H == 0$/);
    const loop = asm("el1_sync:\n1:\tb\t1b");
    expect(() => loop.run(scenario({ esr: 0n }), { maxSteps: 50 })).toThrow(/^t\.S:2:4: error: no exit after 50 instructions$/);
    expect(() => asm("start: eret")).toThrow(new HandlerRunError("t.S: error: no label 'el1_sync' (the entry point) in the program"));
    expect(asm("start: eret", "start").run(scenario({ esr: 0n })).outcome).toBe("retry");
  });

  it("bad assembly is an AsmError at its location", () => {
    expect(() => asm("el1_sync:\n\tfrob x0")).toThrow(new AsmError({ file: "t.S", line: 2, column: 2 }, "unknown mnemonic 'frob'"));
  });
});
