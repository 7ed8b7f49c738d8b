// The seed's "before" code (refs/kvm-2016-before.S) on the machine model, with a fake translator
// for AT. Expected values are worked out by hand from the seed's assembly, FACTS.md and the Arm ARM.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";
import { Machine, type MachineConfig } from "../../src/runtime/machine/machine.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import type { AddressTranslator, TranslationInput } from "../../src/runtime/machine/address-translator.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220 } from "../../src/runtime/machine/cpu-features.ts";
import { VCPU_ESR_EL2, VCPU_FAR_EL2, VCPU_HPFAR_EL2 } from "../../src/runtime/machine/vcpu-layout.ts";

const REF = fileURLToPath(new URL("../../refs/kvm-2016-before.S", import.meta.url));
const parsed = parseProgram(readFileSync(REF, "utf8"), { file: "refs/kvm-2016-before.S" });

const VCPU = 0x40010000n;
const STACK_TOP = 0x40020000n;
const GUEST_PAR = 0x0000000012345b81n; // an earlier failed translation of the guest's own
const FAR = 0xffff000012345678n;
const GUEST_X = [0x1111n, 0x2222n, 0x3333n, 0x4444n];
const ARM_EXCEPTION_TRAP = 1n;

function fakeTranslator(par: bigint, calls: TranslationInput[]): AddressTranslator {
  return (input) => {
    calls.push(input);
    return par;
  };
}

const noTranslation: AddressTranslator = () => {
  throw new Error("AT must not run on this path");
};

function scenario(esr: bigint, extra: Partial<MachineConfig> & { capabilities?: string[] } = {}) {
  const m = new Machine({
    translator: noTranslation,
    ...extra,
    sysregs: { ESR_EL2: esr, FAR_EL2: FAR, HPFAR_EL2: 0xbad0n, TPIDR_EL2: VCPU, PAR_EL1: GUEST_PAR, VTTBR_EL2: 0x0001000080000000n, ...extra.sysregs },
    x: { 0: GUEST_X[0], 1: GUEST_X[1], 2: GUEST_X[2], 3: GUEST_X[3] },
    sp: STACK_TOP,
  });
  const program = loadProgram(parsed, m.capabilities);
  const result = runProgram(program, m, { entry: "el1_sync" });
  const fault = {
    esr: m.memory.read(VCPU + BigInt(VCPU_ESR_EL2), 4),
    far: m.memory.read(VCPU + BigInt(VCPU_FAR_EL2), 8),
    hpfar: m.memory.read(VCPU + BigInt(VCPU_HPFAR_EL2), 8),
  };
  return { m, result, fault };
}

/** x0-x3 as the guest had them, saved by save_x0_to_x3 just below STACK_TOP. */
function expectGuestRegistersOnStack(m: Machine): void {
  expect(m.getSP()).toBe(STACK_TOP - 32n);
  expect(m.memory.read(STACK_TOP - 16n, 8)).toBe(GUEST_X[0]);
  expect(m.memory.read(STACK_TOP - 8n, 8)).toBe(GUEST_X[1]);
  expect(m.memory.read(STACK_TOP - 32n, 8)).toBe(GUEST_X[2]);
  expect(m.memory.read(STACK_TOP - 24n, 8)).toBe(GUEST_X[3]);
}

describe("refs/kvm-2016-before.S", () => {
  it("parses once; the 834220 alternative patches three instructions in place", () => {
    const plain = loadProgram(parsed, []);
    const patched = loadProgram(parsed, [ARM64_WORKAROUND_834220]);
    expect(plain.instructions.length).toBe(patched.instructions.length);
    const differing = plain.instructions.flatMap((insn, i) => (insn.insn.op === patched.instructions[i].insn.op ? [] : [i]));
    expect(differing.length).toBe(3);
    expect(differing.map((i) => patched.instructions[i].insn.op)).toEqual(["nop", "nop", "nop"]);
  });

  it("permission fault (ESR 0x9200004f, L3 write): IPA from AT, fault record stored, exit with ARM_EXCEPTION_TRAP", () => {
    const calls: TranslationInput[] = [];
    // PAR: ATTR 0xff, PA 0x80001000, bit 11 RES1, NS, SH 0b11: 0xff00000080001b80.
    const { m, result, fault } = scenario(0x9200004fn, { translator: fakeTranslator(0xff00000080001b80n, calls) });
    expect(result.outcome).toEqual({ kind: "guest-exit", exitCode: ARM_EXCEPTION_TRAP });
    expect(calls.map((c) => [c.va, c.access])).toEqual([[FAR, "read"]]); // AT S1E1R on FAR_EL2
    // ubfx #12, #36 keeps PA[47:12] = 0x80001; lsl #4 puts it at HPFAR's FIPA: 0x800010.
    expect(fault).toEqual({ esr: 0x9200004fn, far: FAR, hpfar: 0x800010n });
    expect(m.getX(0)).toBe(VCPU);
    expect(m.getX(1)).toBe(ARM_EXCEPTION_TRAP);
    expectGuestRegistersOnStack(m);
    // PAR_EL1 went through the stack and back: written (by AT and by msr), final value the guest's.
    expect(m.getSysreg("PAR_EL1")).toBe(GUEST_PAR);
    expect(result.sysregWrites).toEqual(new Map([["PAR_EL1", GUEST_PAR]]));
    expect(m.memory.read(STACK_TOP - 48n, 8)).toBe(GUEST_PAR);
  });

  it("str w1 stores only the 32-bit ESR (the 2016 u32 esr_el2)", () => {
    // With bit 32 set, `lsr x2, x1, #26` gives EC 0x64 (the 2016 code did not mask it), so this
    // takes the "not an abort" path to 1:, which stores all three fields as well.
    const { fault, m } = scenario(0x0000000192000007n, { sysregs: { HPFAR_EL2: 0x800010n } });
    expect(fault.esr).toBe(0x92000007n);
    expect(m.memory.read(VCPU + BigInt(VCPU_ESR_EL2) + 4n, 4)).toBe(0n);
  });

  it("failing AT (PAR.F=1): back to the guest with eret, x0-x3 and PAR_EL1 restored, nothing stored", () => {
    const calls: TranslationInput[] = [];
    const { m, result, fault } = scenario(0x9200004fn, { translator: fakeTranslator(0x80bn, calls) });
    expect(result.outcome).toEqual({ kind: "eret" });
    expect(calls.length).toBe(1);
    expect([0, 1, 2, 3].map((i) => m.getX(i))).toEqual(GUEST_X);
    expect(m.getSP()).toBe(STACK_TOP);
    expect(m.getSysreg("PAR_EL1")).toBe(GUEST_PAR);
    expect(fault).toEqual({ esr: 0n, far: 0n, hpfar: 0n });
  });

  it("translation fault (ESR 0x92000007): HPFAR_EL2 is read directly, no AT", () => {
    const { result, fault } = scenario(0x92000007n, { sysregs: { HPFAR_EL2: 0x800010n } });
    expect(result.outcome).toEqual({ kind: "guest-exit", exitCode: ARM_EXCEPTION_TRAP });
    expect(fault).toEqual({ esr: 0x92000007n, far: FAR, hpfar: 0x800010n });
    expect(result.sysregWrites.size).toBe(0);
  });

  it("a permission fault on a stage-1 walk (S1PTW, ESR 0x9200008f) trusts HPFAR_EL2", () => {
    const { result, fault } = scenario(0x9200008fn, { sysregs: { HPFAR_EL2: 0x1800000n } });
    expect(result.outcome).toEqual({ kind: "guest-exit", exitCode: ARM_EXCEPTION_TRAP });
    expect(fault.hpfar).toBe(0x1800000n);
  });

  it("instruction abort permission fault (ESR 0x8200000f) takes the AT path too", () => {
    const calls: TranslationInput[] = [];
    const { fault } = scenario(0x8200000fn, { translator: fakeTranslator(0x0000000040201000n, calls) });
    expect(calls.length).toBe(1);
    expect(fault.hpfar).toBe(0x402010n);
  });

  describe("with ARM64_WORKAROUND_834220", () => {
    it("a translation fault goes through AT as well, and HPFAR_EL2 is ignored", () => {
      const calls: TranslationInput[] = [];
      const { result, fault } = scenario(0x92000007n, {
        capabilities: [ARM64_WORKAROUND_834220],
        sysregs: { HPFAR_EL2: 0x123450n },
        translator: fakeTranslator(0xff00000080001b80n, calls),
      });
      expect(result.outcome).toEqual({ kind: "guest-exit", exitCode: ARM_EXCEPTION_TRAP });
      expect(calls.length).toBe(1);
      expect(fault.hpfar).toBe(0x800010n);
    });

    it("the capability derived from MIDR r1p2 has the same effect; a stage-1 fault now re-enters the guest", () => {
      const calls: TranslationInput[] = [];
      const { result } = scenario(0x92000007n, {
        midr: 0x411fd072n,
        deriveCapabilitiesFromMidr: true,
        translator: fakeTranslator(0x809n, calls), // F=1, FST 0x04: stage 1 faults
      });
      expect(result.outcome).toEqual({ kind: "eret" });
      expect(calls.length).toBe(1);
    });

    it("S1PTW still reads HPFAR_EL2 directly", () => {
      const { fault } = scenario(0x92000086n, { capabilities: [ARM64_WORKAROUND_834220], sysregs: { HPFAR_EL2: 0x800010n } });
      expect(fault.hpfar).toBe(0x800010n);
    });
  });

  it("HVC64 with VTTBR_EL2 == 0 is the host's call: x0-x3 restored, host HVC handler", () => {
    const { m, result } = scenario(0x5a000000n, { sysregs: { VTTBR_EL2: 0n } });
    expect(result.outcome).toEqual({ kind: "handler", name: "__kvm_handle_stub_hvc" });
    expect([0, 1, 2, 3].map((i) => m.getX(i))).toEqual(GUEST_X);
    expect(m.getSP()).toBe(STACK_TOP);
  });

  it("HVC64 from a guest (VTTBR_EL2 != 0) is a trap: ESR stored, exit with ARM_EXCEPTION_TRAP", () => {
    const { result, fault } = scenario(0x5a000000n, { sysregs: { HPFAR_EL2: 0x77770n } });
    expect(result.outcome).toEqual({ kind: "guest-exit", exitCode: ARM_EXCEPTION_TRAP });
    // Not an abort: the 2016 code still records FAR and HPFAR, whatever they hold.
    expect(fault).toEqual({ esr: 0x5a000000n, far: FAR, hpfar: 0x77770n });
  });

  it("FP_ASIMD (ESR 0x1e000000) goes to the lazy FP/SIMD restore with x0-x3 still on the stack", () => {
    const { m, result, fault } = scenario(0x1e000000n);
    expect(result.outcome).toEqual({ kind: "handler", name: "__fpsimd_guest_restore" });
    expectGuestRegistersOnStack(m);
    expect(fault).toEqual({ esr: 0n, far: 0n, hpfar: 0n });
  });

  it("on a VHE machine the before code behaves the same (it names the EL2 registers directly)", () => {
    const calls: TranslationInput[] = [];
    const { result, fault } = scenario(0x9200004fn, {
      capabilities: [ARM64_HAS_VIRT_HOST_EXTN],
      translator: fakeTranslator(0xff00000080001b80n, calls),
    });
    expect(result.outcome).toEqual({ kind: "guest-exit", exitCode: ARM_EXCEPTION_TRAP });
    expect(fault).toEqual({ esr: 0x9200004fn, far: FAR, hpfar: 0x800010n });
  });

  it("one parsed program, many runs: results do not depend on earlier runs", () => {
    const a = scenario(0x92000007n, { sysregs: { HPFAR_EL2: 0x800010n } });
    scenario(0x9200004fn, { translator: fakeTranslator(0x80bn, []) });
    const b = scenario(0x92000007n, { sysregs: { HPFAR_EL2: 0x800010n } });
    expect(b.fault).toEqual(a.fault);
    expect(b.result.trace).toEqual(a.result.trace);
  });
});
