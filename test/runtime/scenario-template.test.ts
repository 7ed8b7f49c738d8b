// machineForScenario copies a template built once per scenario shape; scenarioMachineSetup
// describes the machine from scratch. Both must give the same machine, whatever the scenario:
// every register (the drawn ones included), the guest's X registers, SP, flags, capabilities,
// the vcpu and the stack, what AT finds on FAR, and no write recorded. Machine.clone and
// MachineConfig.from are checked here too: a copy is independent of its template and of its
// sibling copies.
import { describe, expect, it } from "vitest";
import { agreementScenarios } from "../codegen/scenarios.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, ARM64_KVM_HVHE, ARM64_WORKAROUND_834220 } from "../../src/runtime/machine/cpu-features.ts";
import { Machine, MachineStateError } from "../../src/runtime/machine/machine.ts";
import { HCR_EL2_E2H } from "../../src/runtime/machine/sysreg-access.ts";
import { storageRegisters } from "../../src/runtime/machine/sysreg-table.ts";
import { VCPU_SIZE } from "../../src/runtime/machine/vcpu-layout.ts";
import { machineForScenario, scenario, SCENARIO_LAYOUT, scenarioMachineSetup, type Scenario } from "../../src/runtime/scenario/index.ts";
import { bits } from "../../src/runtime/semantics/concrete-domain.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { S2AP } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { SCENARIO_MEMORY_MAP } from "../../src/runtime/scenario/machine-memory.ts";

const REGISTERS = storageRegisters().map((r) => r.name);

/** Everything a handler can observe of a machine at entry, as text. */
function observe(m: Machine, s: Scenario): string[] {
  const out: string[] = [`el ${m.el}`, `sp ${m.getSP()}`, `flags ${JSON.stringify(m.getFlags())}`, `caps ${[...m.capabilities].join(",")}`];
  for (const r of REGISTERS) out.push(`${r} ${m.getSysreg(r)}`);
  for (let i = 0; i < 31; i++) out.push(`x${i} ${m.getX(i)}`);
  for (let a = 0n; a < BigInt(VCPU_SIZE); a += 8n) out.push(`vcpu+${a} ${m.memory.read(SCENARIO_LAYOUT.vcpu + a, 8)}`);
  for (let a = 8n; a <= SCENARIO_LAYOUT.stackSize; a += 8n) out.push(`stack-${a} ${m.memory.read(SCENARIO_LAYOUT.stackTop - a, 8)}`);
  for (const kind of ["s1e1r", "s1e1w", "s1e1a", "s1e0r"] as const) out.push(`at ${kind} ${m.addressTranslate(kind, bits(s.far, 64)).value}`);
  out.push(`written ${[...m.writtenSysregs().keys()].join(",")}`);
  return out;
}

const special: Scenario[] = [
  scenario({ esr: 0x92000007n, far: 0x1234n, hpfar: "unknown", seed: 3 }),
  scenario({ esr: 0x9200004fn, far: 0x1234n, at: { par: 0x819n, ops: { s1e1a: 0x800n } }, seed: 4 }),
  scenario({ esr: 0x9200004fn, far: 0x5000n, at: { s2fault: { level: 1, fault: "permission" } }, caps: [ARM64_HAS_VIRT_HOST_EXTN], seed: 5 }),
  scenario({ esr: 0x9200004fn, far: 0xffff_0000_1234_5678n, at: "fault", midr: 0x411fd072n, seed: 6 }),
  // sysregs: the guest's own ESR_EL1, an HCR_EL2 without E2H under VHE (E2H is set on top), TCR_EL1.
  scenario({ esr: 0x92000007n, far: 0x1234n, caps: [ARM64_HAS_VIRT_HOST_EXTN], sysregs: { ESR_EL1: 0x1234n, HCR_EL2: 0x8000_0001n, TCR_EL1: 0x10n }, seed: 7 }),
  scenario({ esr: 0x92000007n, far: 0x1234n, caps: [ARM64_KVM_HVHE, ARM64_WORKAROUND_834220], sysregs: { VTTBR_EL2: 0n }, seed: 8 }),
];

describe("scenario machines made from templates", () => {
  it("are the machines scenarioMachineSetup describes", () => {
    const mix = [...special, ...agreementScenarios([ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220], 2).filter((_, i) => i % 7 === 0)];
    for (const s of mix) {
      for (const derive of [true, false]) {
        const fromTemplate = machineForScenario(s, { deriveCapabilitiesFromMidr: derive });
        const setup = scenarioMachineSetup(s, { deriveCapabilitiesFromMidr: derive });
        expect(observe(fromTemplate.machine, s)).toEqual(observe(new Machine(setup.config), s));
        expect(fromTemplate.meta.capabilities).toEqual(setup.meta.capabilities);
        expect([...fromTemplate.meta.arbitrary]).toEqual([...setup.meta.arbitrary]);
      }
    }
  });

  it("of one shape answer AT each as its own `at` says: \"fault\" after {\"par\"} on the same FAR", () => {
    // Both forms leave FAR unmapped (one template); the {"par"} form's PARs are its scenario's alone.
    const far = 0x7_7000n;
    const par = scenario({ esr: 0x9200004fn, far, at: { par: 0x80_0000n }, seed: 9 });
    const fault = scenario({ esr: 0x9200004fn, far, at: "fault", seed: 9 });
    for (const s of [par, fault, par]) expect(observe(machineForScenario(s).machine, s)).toEqual(observe(new Machine(scenarioMachineSetup(s).config), s));
  });

  it("of one FAR and `at` but another MIDR or capabilities are machines of their own", () => {
    const shapes = [undefined, 0x411fd072n, 0x411fd073n, 0x411fd070n].flatMap((midr) =>
      [[], [ARM64_HAS_VIRT_HOST_EXTN], [ARM64_WORKAROUND_834220, ARM64_HAS_VIRT_HOST_EXTN]].map((caps) => scenario({ esr: 0x9200004fn, far: 0x4000_1234n, caps, ...(midr !== undefined ? { midr } : {}), seed: 10 })),
    );
    for (const s of [...shapes, ...shapes.reverse()]) {
      for (const derive of [true, false]) {
        const m = machineForScenario(s, { deriveCapabilitiesFromMidr: derive }).machine;
        expect(observe(m, s)).toEqual(observe(new Machine(scenarioMachineSetup(s, { deriveCapabilitiesFromMidr: derive }).config), s));
      }
    }
  });

  it("hold the guest tables a builder started afresh builds, word for word (the machine's go on from a fork of one blank builder)", () => {
    const cases: [Scenario, (b: TranslationTableBuilder) => void][] = [
      [scenario({ esr: 0x9200004fn, far: 0x1234n, at: { ok: 0x8000_1000n }, seed: 1 }), (b) => b.mapStage1(0x1000n, 0x8000_1000n, 0x1000n)],
      [scenario({ esr: 0x9200004fn, far: 0xffff_0000_1234_5678n, at: "fault", seed: 2 }), (b) => b.mapStage1(0xffff_0000_1234_4000n, 0x1234_4000n, 0x1000n)],
      [scenario({ esr: 0x9200004fn, far: 0xffff_ff80_2b54_b988n, at: { ok: 0x9_0000_0000n }, seed: 4 }), (b) => b.mapStage1(0xffff_ff80_2b54_b000n, 0x9_0000_0000n, 0x1000n)],
      // No "at": FAR's page mapped to the IPA of its number, in either half; {"par"}: as "fault".
      [scenario({ esr: 0x9200004fn, far: 0x4000_2345n, seed: 7 }), (b) => b.mapStage1(0x4000_2000n, 0x4000_2000n, 0x1000n)],
      [scenario({ esr: 0x9200004fn, far: 0xffff_ff80_0000_1234n, seed: 8 }), (b) => b.mapStage1(0xffff_ff80_0000_1000n, 0xffff_ff80_0000_1000n, 0x1000n)],
      [scenario({ esr: 0x9200004fn, far: 0x4000_2345n, at: { par: 0x80fn }, seed: 9 }), (b) => b.mapStage1(0x4000_3000n, 0x4000_3000n, 0x1000n)],
      // Beyond both VA ranges: nothing mapped, no TTBR1 tables.
      [scenario({ esr: 0x9200004fn, far: 0x8000_0000_0000_1000n, at: "fault", seed: 5 }), () => {}],
      [scenario({ esr: 0x9200004fn, far: 0x0080_0000_0000_1000n, at: "fault", seed: 6 }), () => {}],
      [scenario({ esr: 0x9200004fn, far: 0x5000n, at: { s2fault: { level: 1, fault: "permission" } }, seed: 3 }), (b) => {
        b.mapStage1(0x5000n, 0x5000n, 0x1000n);
        b.updateStage2Leaf(b.stage1TableIpa(0x5000n, 1), { s2ap: S2AP.NONE });
      }],
    ];
    for (const [s, build] of cases) {
      const fresh = new PhysicalMemory(SCENARIO_MEMORY_MAP);
      const builder = new TranslationTableBuilder({ memory: fresh, tablePool: SCENARIO_LAYOUT.tablePool, stage2: { ipaBits: SCENARIO_LAYOUT.stage2IpaBits } });
      build(builder);
      const m = machineForScenario(s).machine;
      for (const [name, value] of Object.entries(builder.registers())) expect([name, m.getSysreg(name)]).toEqual([name, value]);
      // The pool's first 64 pages hold every table these set-ups allocate.
      for (let a = SCENARIO_LAYOUT.tablePool.base; a < SCENARIO_LAYOUT.tablePool.base + 64n * 4096n; a += 8n) {
        if (m.memory.read(a, 8) !== fresh.read(a, 8)) expect(`0x${a.toString(16)}: ${m.memory.read(a, 8)}`).toBe(`0x${a.toString(16)}: ${fresh.read(a, 8)}`);
      }
    }
  });

  it("keep E2H set on top of a given HCR_EL2 under VHE", () => {
    const { machine } = machineForScenario(special[4]);
    expect(machine.getSysreg("HCR_EL2")).toBe(0x8000_0001n | HCR_EL2_E2H);
  });

  it("share nothing that one of them writes", () => {
    const s = scenario({ esr: 0x92000007n, far: 0x1234n, seed: 1 });
    const a = machineForScenario(s).machine;
    a.writeSysreg("ESR_EL1", bits(1n, 64));
    a.writeX(0, bits(2n, 64));
    a.memory.write(SCENARIO_LAYOUT.vcpu, 8, 3n);
    a.memory.write(a.getSysreg("TTBR0_EL1"), 8, 0n);
    const b = machineForScenario(s).machine;
    expect(observe(b, s)).toEqual(observe(new Machine(scenarioMachineSetup(s).config), s));
  });
});

describe("Machine copies", () => {
  it("clone: the same state, then independent both ways", () => {
    const m = new Machine({ sysregs: { ESR_EL2: 5n }, x: { 1: 7n }, capabilities: [ARM64_HAS_VIRT_HOST_EXTN] });
    m.writeSysreg("HCR_EL2", bits(0x8000_0000n, 64)); // E2H cleared by a write: the copy keeps it cleared
    const c = m.clone();
    expect(c.getSysreg("HCR_EL2")).toBe(0x8000_0000n);
    expect(c.getSysreg("ESR_EL2")).toBe(5n);
    expect(c.getX(1)).toBe(7n);
    expect(c.writtenSysregs().size).toBe(0); // m's write is m's
    c.writeSysreg("ESR_EL2", bits(6n, 64));
    m.writeSysreg("FAR_EL2", bits(8n, 64));
    expect(m.getSysreg("ESR_EL2")).toBe(5n);
    expect(c.getSysreg("FAR_EL2")).toBe(0n);
    expect(m.clone().getSysreg("FAR_EL2")).toBe(8n);
  });

  it("from: what a copy's configuration gives applies on top; MIDR and capabilities stay the template's, its memory unless another is given", () => {
    const t = new Machine({ sysregs: { ESR_EL2: 5n }, sp: 0x100n });
    t.memory.write(0x1000n, 8, 7n);
    const c = new Machine({ from: t, sysregs: { ESR_EL2: 9n }, sp: 0x200n, x: { 0: 1n } });
    expect([c.getSysreg("ESR_EL2"), c.getSP(), c.getX(0), t.getSysreg("ESR_EL2"), t.getSP(), t.getX(0)]).toEqual([9n, 0x200n, 1n, 5n, 0x100n, 0n]);
    expect(c.memory.read(0x1000n, 8)).toBe(7n);
    const own = new PhysicalMemory();
    own.write(0x1000n, 8, 8n);
    const d = new Machine({ from: t, memory: own });
    expect([d.memory === own, d.memory.read(0x1000n, 8), t.memory.read(0x1000n, 8), d.getSysreg("ESR_EL2")]).toEqual([true, 8n, 7n, 5n]);
    expect(() => new Machine({ from: t, midr: 1n })).toThrow(MachineStateError);
    expect(() => new Machine({ from: t, capabilities: [] })).toThrow(MachineStateError);
  });
});

describe("AT results kept across a template's copies (machine/at-memo.ts)", () => {
  const s = scenario({ esr: 0x9200004fn, far: 0x1234n, at: { ok: 0x8000_1000n }, seed: 2 });
  const at = (m: Machine, va = s.far) => m.addressTranslate("s1e1r", bits(va, 64)).value;

  it("are reused only while the registers and pages the walk read are the same", () => {
    const fresh = () => machineForScenario(s).machine;
    expect(at(fresh())).toBe(0xff00000080001b80n);
    expect(at(fresh())).toBe(0xff00000080001b80n); // kept
    // A copy that wrote its level-0 table walks again, and so does a later AT of the same machine.
    const m = fresh();
    expect(at(m)).toBe(0xff00000080001b80n);
    m.memory.write(m.getSysreg("TTBR0_EL1"), 8, 0n);
    expect(at(m) & 1n).toBe(1n);
    expect(at(fresh())).toBe(0xff00000080001b80n);
    // Another register value the walk reads: walked again (SCTLR_EL1.M clear: no stage-1 translation).
    const n = fresh();
    n.writeSysreg("SCTLR_EL1", bits(n.getSysreg("SCTLR_EL1") & ~1n, 64));
    const direct = new Machine(scenarioMachineSetup(s).config);
    direct.writeSysreg("SCTLR_EL1", bits(direct.getSysreg("SCTLR_EL1") & ~1n, 64));
    expect(at(n)).toBe(at(direct));
    expect(at(n)).not.toBe(0xff00000080001b80n);
    expect(at(fresh())).toBe(0xff00000080001b80n);
  });

  it("walk once per (operation, VA) and state: counted on a translator of the test's", () => {
    let walks = 0;
    const translator = (input: { va: bigint; sysreg: (name: string) => bigint; memory: { read(a: bigint, size: 8): bigint } }) => {
      walks++;
      return input.va + input.sysreg("TTBR0_EL1") + input.memory.read(0x1000n, 8);
    };
    const m = new Machine({ translator, sysregs: { TTBR0_EL1: 0x10n } });
    m.memory.write(0x1000n, 8, 0x100n);
    const par = (x: Machine, va = 1n) => x.addressTranslate("s1e1r", bits(va, 64)).value;
    expect([par(m), par(m), walks]).toEqual([0x111n, 0x111n, 2]); // m's own page: never kept
    const c = m.clone(); // m's pages are shared from now on
    expect([par(c), par(c), par(m.clone()), walks]).toEqual([0x111n, 0x111n, 0x111n, 3]);
    expect([par(c, 2n), par(c, 2n), walks]).toEqual([0x112n, 0x112n, 4]); // another VA
    expect([c.addressTranslate("s1e1w", bits(1n, 64)).value, walks]).toEqual([0x111n, 5]); // another operation
    const d = m.clone();
    d.writeSysreg("TTBR0_EL1", bits(0x20n, 64));
    expect([par(d), walks]).toEqual([0x121n, 6]);
    const e = m.clone();
    e.memory.write(0x1000n, 8, 0x200n);
    expect([par(e), par(m.clone()), walks]).toEqual([0x211n, 0x111n, 7]);
  });

  it("a translator of the scenario's own ({par}) is its own", () => {
    const p = scenario({ esr: 0x9200004fn, far: 0x1234n, at: { par: 0x819n }, seed: 2 });
    const q = scenario({ esr: 0x9200004fn, far: 0x1234n, at: { par: 0x811n }, seed: 2 });
    expect(at(machineForScenario(p).machine)).toBe(0x819n);
    expect(at(machineForScenario(q).machine)).toBe(0x811n);
  });
});
