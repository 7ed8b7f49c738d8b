// The machine's system registers: table encodings (checked against the Arm ARM's register index by
// hand), the VHE access rules, the EL rules, erratum 834220 detection, and the written-register record.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";
import { Machine, type MachineConfig } from "../../src/runtime/machine/machine.ts";
import { RunError, runProgram } from "../../src/runtime/machine/interpreter.ts";
import { SYSREG_TABLE, genericSysregName, sysregByName } from "../../src/runtime/machine/sysreg-table.ts";
import { resolveSysregAccess } from "../../src/runtime/machine/sysreg-access.ts";
import {
  ARM64_HAS_VIRT_HOST_EXTN, ARM64_KVM_HVHE, ARM64_WORKAROUND_834220, capabilitiesFromMidr, hasErratum834220,
} from "../../src/runtime/machine/cpu-features.ts";

function run(source: string, config: MachineConfig = {}) {
  const m = new Machine(config);
  const result = runProgram(loadProgram(parseProgram(`${source}\n\teret\n`, { file: "sys.S" }), m.capabilities), m);
  return { m, result };
}

describe("system register table", () => {
  it.each([
    ["HPFAR_EL2", "S3_4_C6_C0_4"],
    ["ESR_EL2", "S3_4_C5_C2_0"],
    ["FAR_EL2", "S3_4_C6_C0_0"],
    ["ESR_EL1", "S3_0_C5_C2_0"],
    ["FAR_EL1", "S3_0_C6_C0_0"],
    ["PAR_EL1", "S3_0_C7_C4_0"],
    ["TPIDR_EL2", "S3_4_C13_C0_2"],
    ["ELR_EL2", "S3_4_C4_C0_1"],
    ["SPSR_EL2", "S3_4_C4_C0_0"],
    ["HCR_EL2", "S3_4_C1_C1_0"],
    ["VTTBR_EL2", "S3_4_C2_C1_0"],
    ["VTCR_EL2", "S3_4_C2_C1_2"],
    ["TTBR0_EL1", "S3_0_C2_C0_0"],
    ["TTBR1_EL1", "S3_0_C2_C0_1"],
    ["TCR_EL1", "S3_0_C2_C0_2"],
    ["MAIR_EL1", "S3_0_C10_C2_0"],
    ["SCTLR_EL1", "S3_0_C1_C0_0"],
    ["MIDR_EL1", "S3_0_C0_C0_0"],
    ["ESR_EL12", "S3_5_C5_C2_0"],
    ["FAR_EL12", "S3_5_C6_C0_0"],
    ["TTBR0_EL12", "S3_5_C2_C0_0"],
    ["TTBR1_EL12", "S3_5_C2_C0_1"],
    ["TCR_EL12", "S3_5_C2_C0_2"],
    ["MAIR_EL12", "S3_5_C10_C2_0"],
    ["SCTLR_EL12", "S3_5_C1_C0_0"],
  ])("%s is %s", (name, generic) => {
    const reg = sysregByName(name);
    expect(reg).toBeDefined();
    expect(genericSysregName(reg!.encoding)).toBe(generic);
  });

  it("names and encodings are unique; every redirection names a register of the table", () => {
    expect(new Set(SYSREG_TABLE.map((r) => r.name)).size).toBe(SYSREG_TABLE.length);
    expect(new Set(SYSREG_TABLE.map((r) => genericSysregName(r.encoding))).size).toBe(SYSREG_TABLE.length);
    for (const r of SYSREG_TABLE) {
      if (r.vheRedirect) expect(sysregByName(r.vheRedirect)?.name).toBe(r.vheRedirect);
      if (r.el12Of) expect(sysregByName(r.el12Of)?.vheRedirect).toBeDefined();
    }
  });

  it("mrs by generic encoding reaches the same register as by name", () => {
    const { m } = run("\tmrs x0, s3_4_c6_c0_4\n\tmrs x1, S3_0_C7_C4_0", { sysregs: { HPFAR_EL2: 0x800010n, PAR_EL1: 0x80bn } });
    expect(m.getX(0)).toBe(0x800010n);
    expect(m.getX(1)).toBe(0x80bn);
  });
});

describe("VHE and EL access rules", () => {
  const regs = { ESR_EL1: 0x1111n, ESR_EL2: 0x2222n, FAR_EL1: 0x3333n, FAR_EL2: 0x4444n, PAR_EL1: 0x5555n, TCR_EL1: 0x6666n, TCR_EL2: 0x7777n };

  it("a VHE machine boots with HCR_EL2.E2H set", () => {
    expect(new Machine({ capabilities: [ARM64_HAS_VIRT_HOST_EXTN] }).getSysreg("HCR_EL2")).toBe(1n << 34n);
    expect(new Machine().getSysreg("HCR_EL2")).toBe(0n);
  });

  it("so does one whose nVHE hypervisor runs under hVHE (ARM64_KVM_HVHE): its *_EL1 accesses reach *_EL2", () => {
    expect(new Machine({ capabilities: [ARM64_KVM_HVHE] }).getSysreg("HCR_EL2")).toBe(1n << 34n);
    const { m } = run("\tmrs x0, esr_el1\n\tmrs x1, far_el1", { capabilities: [ARM64_KVM_HVHE], sysregs: regs });
    expect([m.getX(0), m.getX(1)]).toEqual([0x2222n, 0x4444n]);
  });

  it("with E2H=1, *_EL1 reaches *_EL2 and *_EL12 reaches EL1; PAR_EL1 and MIDR_EL1 are not redirected", () => {
    const { m, result } = run(
      "\tmrs x0, esr_el1\n\tmrs x1, esr_el12\n\tmrs x2, far_el1\n\tmrs x3, far_el12\n\tmrs x4, par_el1\n\tmrs x5, tcr_el1\n\tmrs x6, tcr_el12\n\tmrs x7, midr_el1\n\tmsr far_el1, x0\n\tmsr esr_el12, x3",
      { capabilities: [ARM64_HAS_VIRT_HOST_EXTN], sysregs: regs, midr: 0x411fd072n },
    );
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => m.getX(i))).toEqual([0x2222n, 0x1111n, 0x4444n, 0x3333n, 0x5555n, 0x7777n, 0x6666n, 0x411fd072n]);
    expect(result.sysregWrites).toEqual(new Map([["ESR_EL1", 0x3333n], ["FAR_EL2", 0x2222n]]));
  });

  it("with E2H=0, *_EL1 is the EL1 register and *_EL12 is UNDEFINED, reported at the instruction", () => {
    const { m } = run("\tmrs x0, esr_el1\n\tmrs x1, esr_el2", { sysregs: regs });
    expect([m.getX(0), m.getX(1)]).toEqual([0x1111n, 0x2222n]);
    expect(() => run("\tnop\n\tmrs x1, esr_el12", { sysregs: regs })).toThrow(
      new RunError({ file: "sys.S", line: 2, column: 2 }, "mrs x1, esr_el12: ESR_EL12 is UNDEFINED at EL2 when HCR_EL2.E2H == 0"),
    );
  });

  it("EL2 registers are UNDEFINED at EL1; read-only registers reject writes", () => {
    expect(() => resolveSysregAccess("HPFAR_EL2", "read", { el: 1, e2h: false })).toThrow("HPFAR_EL2 is UNDEFINED at EL1");
    expect(() => resolveSysregAccess("FAR_EL12", "read", { el: 1, e2h: true })).toThrow("FAR_EL12 is UNDEFINED at EL1");
    expect(resolveSysregAccess("FAR_EL1", "read", { el: 1, e2h: true })).toBe("FAR_EL1");
    expect(() => run("\tmsr midr_el1, x0")).toThrow("MIDR_EL1 is read-only");
  });
});

describe("erratum 834220 and capabilities", () => {
  it.each([
    [0x410fd070n, true], // Cortex-A57 r0p0
    [0x410fd071n, true], // r0p1
    [0x411fd070n, true], // r1p0
    [0x411fd072n, true], // r1p2, the last affected (FACTS.md)
    [0x411fd073n, false], // r1p3
    [0x412fd070n, false], // r2p0
    [0x410fd034n, false], // Cortex-A53 r0p4
    [0x410fd080n, false], // Cortex-A72 r0p0
    [0x420fd070n, false], // another implementer's part 0xD07
    [0x4100d070n, false], // architecture field not 0xF
  ])("MIDR %s: %s", (midr, affected) => {
    expect(hasErratum834220(midr)).toBe(affected);
    expect(capabilitiesFromMidr(midr).has(ARM64_WORKAROUND_834220)).toBe(affected);
  });

  it("a machine derives its capabilities from MIDR only when asked", () => {
    expect(new Machine({ midr: 0x411fd072n }).capabilities.has(ARM64_WORKAROUND_834220)).toBe(false);
    const m = new Machine({ midr: 0x411fd072n, deriveCapabilitiesFromMidr: true, capabilities: [ARM64_HAS_VIRT_HOST_EXTN] });
    expect([...m.capabilities].sort()).toEqual([ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220]);
    expect(m.getSysreg("MIDR_EL1")).toBe(0x411fd072n);
  });
});

describe("written system registers and AT", () => {
  it("reports every register written, with its final value; reads are not writes", () => {
    const { result } = run("\tmrs x0, esr_el2\n\tmsr tpidr_el2, x1\n\tmsr par_el1, x1\n\tmsr par_el1, x2", { x: { 1: 5n, 2: 6n } });
    expect(result.sysregWrites).toEqual(new Map([["PAR_EL1", 6n], ["TPIDR_EL2", 5n]]));
  });

  it("AT writes PAR_EL1 from the translator, which sees the real EL1 registers even under VHE", () => {
    const seen: string[] = [];
    const { m, result } = run("\tat s1e1w, x0\n\tmrs x1, par_el1", {
      capabilities: [ARM64_HAS_VIRT_HOST_EXTN],
      sysregs: { TCR_EL1: 0x6666n, TCR_EL2: 0x7777n },
      x: { 0: 0x1234n },
      translator: (input) => {
        seen.push(`${input.va.toString(16)} ${input.access} ${input.sysreg("TCR_EL1").toString(16)}`);
        return 0x80001000n;
      },
    });
    expect(seen).toEqual(["1234 write 6666"]);
    expect(m.getX(1)).toBe(0x80001000n);
    expect(result.sysregWrites).toEqual(new Map([["PAR_EL1", 0x80001000n]]));
  });

  it("without a fake translator, AT runs the MMU model: with SCTLR_EL1.M=0 the VA is the output address", () => {
    // Stage 1 off: AArch64.AT reports a flat translation, PAR.F = 0 and PA = VA.
    const { m } = run("\tat s1e1r, x0\n\tmrs x1, par_el1", { x: { 0: 0x40001234n } });
    expect(m.getX(1) & 1n).toBe(0n);
    expect(m.getX(1) & 0x0000fffffffff000n).toBe(0x40001000n);
  });
});
