// Scenarios: the strict JSON parser (every error path, exact messages), the JSON form, and
// machineForScenario: registers from the scenario, real guest tables whose walk decides what AT
// finds, seeded arbitrary state recorded in the metadata, never silently zero.
import { describe, expect, it } from "vitest";
import { ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220 } from "../../src/runtime/machine/cpu-features.ts";
import { HCR_EL2_E2H, HCR_EL2_VM } from "../../src/runtime/machine/sysreg-access.ts";
import { VCPU_SIZE } from "../../src/runtime/machine/vcpu-layout.ts";
import { bits } from "../../src/runtime/semantics/concrete-domain.ts";
import {
  arbitraryValue, machineForScenario, splitmix64, parseScenario, scenario, SCENARIO_LAYOUT, ScenarioError, scenarioToJson, scenarioToOptions, unknownHpfarValue,
} from "../../src/runtime/scenario/index.ts";

function parseError(input: unknown): string {
  try {
    parseScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error("expected a ScenarioError");
}

describe("parseScenario", () => {
  it("reads the issue's example", () => {
    const s = parseScenario('{"esr":"0x92000045","far":"0x1234","hpfar":"0x10","par":"0x0","at":{"ok":"0x80001000"},"caps":["ARM64_WORKAROUND_834220"],"midr":"0x411fd072"}');
    expect(s).toEqual({ esr: 0x92000045n, far: 0x1234n, hpfar: 0x10n, par: 0n, at: { ok: 0x80001000n }, caps: [ARM64_WORKAROUND_834220], midr: 0x411fd072n, seed: 0 });
  });

  it("defaults every key but esr", () => {
    expect(parseScenario({ esr: "0x1" })).toEqual({ esr: 1n, far: 0n, hpfar: 0n, par: 0n, at: undefined, caps: [], seed: 0 });
  });

  it("reads the other at forms, hpfar unknown and a seed", () => {
    expect(parseScenario({ esr: "0x0", at: "fault" }).at).toBe("fault");
    expect(parseScenario({ esr: "0x0", at: { s2fault: {} } }).at).toEqual({ s2fault: { level: 3, fault: "translation" } });
    expect(parseScenario({ esr: "0x0", at: { s2fault: { level: 1, fault: "permission" } } }).at).toEqual({ s2fault: { level: 1, fault: "permission" } });
    expect(parseScenario({ esr: "0x0", hpfar: "unknown", seed: 42 })).toMatchObject({ hpfar: "unknown", seed: 42 });
    expect(parseScenario({ esr: "0xFFFFFFFFFFFFFFFF" }).esr).toBe((1n << 64n) - 1n);
  });

  it("round-trips through scenarioToJson", () => {
    const text = '{"esr":"0x92000045","far":"0x1234","hpfar":"unknown","par":"0x0","at":{"s2fault":{"level":2,"fault":"access-flag"}},"caps":["ARM64_HAS_VIRT_HOST_EXTN"],"midr":"0x411fd072","seed":9}';
    expect(JSON.stringify(scenarioToJson(parseScenario(text)))).toBe(text);
    expect(parseScenario(scenarioToJson(parseScenario(text)))).toEqual(parseScenario(text));
  });

  it.each([
    ["{", /^not valid JSON: /],
    ["[1]", /^a scenario must be a JSON object, got \[1\]$/],
    ["null", /^a scenario must be a JSON object, got null$/],
  ])("rejects %s", (text, message) => {
    expect(parseError(text)).toMatch(message);
  });

  it.each<[unknown, string]>([
    [{ far: "0x1" }, 'missing key "esr"'],
    [{ esr: "0x1", fa: "0x1" }, 'unknown key "fa" (expected one of esr, far, hpfar, par, at, caps, midr, seed, sysregs)'],
    [{ esr: 1234 }, '"esr" must be a hex string like "0x1234", got 1234'],
    [{ esr: "1234" }, '"esr" must be a hex string like "0x1234", got "1234"'],
    [{ esr: "0x" }, '"esr" must be a hex string like "0x1234", got "0x"'],
    [{ esr: "0x12g" }, '"esr" must be a hex string like "0x1234", got "0x12g"'],
    [{ esr: "-0x1" }, '"esr" must be a hex string like "0x1234", got "-0x1"'],
    [{ esr: "0x1", far: "0x10000000000000000" }, '"far" value 0x10000000000000000 does not fit in 64 bits'],
    [{ esr: "0x1", hpfar: "maybe" }, '"hpfar" must be a hex string like "0x1234", got "maybe"'],
    [{ esr: "0x1", par: null }, '"par" must be a hex string like "0x1234", got null'],
    [{ esr: "0x1", midr: "0x1_0" }, '"midr" must be a hex string like "0x1234", got "0x1_0"'],
    [{ esr: "0x1", caps: "ARM64_WORKAROUND_834220" }, '"caps" must be an array of capability names, got "ARM64_WORKAROUND_834220"'],
    [{ esr: "0x1", caps: [1] }, '"caps" must be an array of capability names, got [1]'],
    [{ esr: "0x1", caps: ["ARM64_HAS_VHE"] }, 'unknown capability "ARM64_HAS_VHE" in "caps" (known: ARM64_HAS_VIRT_HOST_EXTN, ARM64_WORKAROUND_834220, ARM64_HAS_S1POE, ARM64_KVM_HVHE, ARM64_ALWAYS_SYSTEM, ARM64_WORKAROUND_1508412)'],
    [{ esr: "0x1", caps: ["ARM64_HAS_S1POE", "ARM64_HAS_S1POE"] }, 'capability "ARM64_HAS_S1POE" appears twice in "caps"'],
    [{ esr: "0x1", at: "ok" }, '"at" must be {"ok":"0x<IPA>"}, "fault", {"par":"0x<PAR_EL1>"} or {"s2fault":{"level":0-3,"fault":"translation"|"permission"|"access-flag"}}, got "ok"'],
    [{ esr: "0x1", at: { ok: "0x1", extra: 1 } }, '"at" must be {"ok":"0x<IPA>"}, "fault", {"par":"0x<PAR_EL1>"} or {"s2fault":{"level":0-3,"fault":"translation"|"permission"|"access-flag"}}, got {"ok":"0x1","extra":1}'],
    [{ esr: "0x1", at: { ok: 4096 } }, '"at.ok" must be a hex string like "0x1234", got 4096'],
    [{ esr: "0x1", at: { ok: "0x1000000000000" } }, '"at.ok" IPA 0x1000000000000 is outside the 48-bit IPA space'],
    [{ esr: "0x1", at: { s2fault: { level: 4 } } }, '"at.s2fault.level" must be a stage-1 lookup level 0-3, got 4'],
    [{ esr: "0x1", at: { s2fault: { fault: "parity" } } }, '"at.s2fault.fault" must be "translation", "permission" or "access-flag", got "parity"'],
    [{ esr: "0x1", at: { s2fault: { lvl: 1 } } }, 'unknown key "lvl" in "at.s2fault" (expected level, fault)'],
    [{ esr: "0x1", seed: -1 }, '"seed" must be a non-negative integer, got -1'],
    [{ esr: "0x1", seed: 1.5 }, '"seed" must be a non-negative integer, got 1.5'],
    [{ esr: "0x1", seed: "7" }, '"seed" must be a non-negative integer, got "7"'],
  ])("rejects %j", (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  it("shortens long offending values in messages", () => {
    expect(parseError({ esr: "x".repeat(100) })).toBe(`"esr" must be a hex string like "0x1234", got "${"x".repeat(36)}...`);
  });

  it("throws nothing but ScenarioError for arbitrary JSON values", () => {
    const values: unknown[] = [0, "", true, [], {}, { esr: {} }, { esr: [] }, { esr: "0x1", at: [] }, { esr: "0x1", at: { s2fault: null } }, { esr: "0x1", caps: [null] }];
    for (const v of values) expect(() => parseScenario(v)).toThrow(ScenarioError);
    expect(() => parseScenario(JSON.stringify("\u0000"))).toThrow(ScenarioError);
  });
});

function at(machine: ReturnType<typeof machineForScenario>["machine"], va: bigint): bigint {
  return machine.addressTranslate("s1e1r", bits(va, 64)).value;
}

describe("the seeded source of arbitrary values", () => {
  it("is SplitMix64 (reference outputs for state 0) keyed by name, independent of draw order", () => {
    // SplitMix64 seeded with 0 yields 0xe220a8397b1dcdaf, then 0x6e789e6aa1b965f4 (Vigna's splitmix64.c).
    expect(splitmix64(0n)).toBe(0xe220a8397b1dcdafn);
    expect(splitmix64(0x9e3779b97f4a7c15n)).toBe(0x6e789e6aa1b965f4n);
    expect(arbitraryValue(0, "x0")).toBe(0x616b0c29d3f240f7n); // docs/RUN.md's examples depend on it
    expect(arbitraryValue(0, "x0")).not.toBe(arbitraryValue(0, "x1"));
    expect(arbitraryValue(1, "x0")).not.toBe(arbitraryValue(0, "x0"));
  });
});

describe("machineForScenario", () => {
  it("gives every machine its own memory, although guest tables are built once per (FAR page, at)", () => {
    const s = scenario({ esr: 0n, far: 0x1234n, at: { ok: 0x8000_1000n } });
    const a = machineForScenario(s).machine;
    const b = machineForScenario(s).machine;
    const ttbr0 = a.getSysreg("TTBR0_EL1");
    expect(b.getSysreg("TTBR0_EL1")).toBe(ttbr0);
    a.memory.write(ttbr0, 8, 0n); // wipe a's level-0 entry
    expect(at(a, 0x1234n) & 1n).toBe(1n);
    expect(at(b, 0x1234n)).toBe(0xff00000080001b80n);
    expect(at(machineForScenario(s).machine, 0x1234n)).toBe(0xff00000080001b80n);
  });

  it("puts the scenario's registers and the hyp context in place", () => {
    const { machine, meta } = machineForScenario(parseScenario({ esr: "0x92000045", far: "0x1234", hpfar: "0x10", par: "0x5", midr: "0x411fd073" }));
    expect(machine.el).toBe(2);
    expect(machine.getSysreg("ESR_EL2")).toBe(0x92000045n);
    expect(machine.getSysreg("FAR_EL2")).toBe(0x1234n);
    expect(machine.getSysreg("HPFAR_EL2")).toBe(0x10n);
    expect(machine.getSysreg("PAR_EL1")).toBe(5n);
    expect(machine.getSysreg("MIDR_EL1")).toBe(0x411fd073n);
    expect(machine.getSysreg("TPIDR_EL2")).toBe(SCENARIO_LAYOUT.vcpu);
    expect(machine.getSP()).toBe(SCENARIO_LAYOUT.stackTop);
    const hcr = machine.getSysreg("HCR_EL2");
    expect(hcr & HCR_EL2_VM).toBe(HCR_EL2_VM);
    expect(hcr & (1n << 31n)).toBe(1n << 31n); // RW: the guest's EL1 is AArch64
    expect(hcr & HCR_EL2_E2H).toBe(0n);
    expect(machine.getSysreg("VTTBR_EL2")).not.toBe(0n);
    expect(meta.capabilities).toEqual([]);
    // The vcpu starts zeroed (Linux's kzalloc'd vcpu).
    for (let i = 0n; i < BigInt(VCPU_SIZE); i += 8n) expect(machine.memory.read(SCENARIO_LAYOUT.vcpu + i, 8)).toBe(0n);
  });

  it("fills the guest's registers and the undefined EL1/EL2 state from the seed, never zero, and records them", () => {
    const { machine, meta } = machineForScenario(scenario({ esr: 0x92000007n, seed: 7 }));
    for (let i = 0; i <= 30; i++) {
      expect(machine.getX(i)).toBe(arbitraryValue(7, `x${i}`));
      expect(meta.arbitrary.get(`x${i}`)).toBe(machine.getX(i));
      expect(machine.getX(i)).not.toBe(0n);
    }
    for (const reg of ["ESR_EL1", "FAR_EL1", "ELR_EL2", "SPSR_EL2", "TPIDR_EL1", "VBAR_EL2"]) {
      expect(machine.getSysreg(reg)).toBe(arbitraryValue(7, reg));
      expect(meta.arbitrary.get(reg)).toBe(machine.getSysreg(reg));
    }
    // What the scenario defines is not arbitrary.
    for (const reg of ["ESR_EL2", "FAR_EL2", "HPFAR_EL2", "PAR_EL1", "TTBR0_EL1", "HCR_EL2", "TPIDR_EL2"]) expect(meta.arbitrary.has(reg)).toBe(false);
    // x0..x30 first, then registers by name.
    const keys = [...meta.arbitrary.keys()];
    expect(keys.slice(0, 3)).toEqual(["x0", "x1", "x2"]);
    expect(keys[30]).toBe("x30");
    expect(keys.slice(31)).toEqual([...keys.slice(31)].sort());
    // Another seed, other values; the same seed, the same machine.
    expect(machineForScenario(scenario({ esr: 0n, seed: 8 })).machine.getX(0)).not.toBe(machine.getX(0));
    expect(machineForScenario(scenario({ esr: 0n, seed: 7 })).machine.getSysreg("FAR_EL1")).toBe(machine.getSysreg("FAR_EL1"));
    // The stack below SP holds garbage, too.
    expect(machine.memory.read(SCENARIO_LAYOUT.stackTop - 8n, 8)).not.toBe(0n);
  });

  it('draws HPFAR_EL2 from the seed for "unknown" and records it', () => {
    const { machine, meta } = machineForScenario(parseScenario({ esr: "0x9200004f", hpfar: "unknown", seed: 3 }));
    expect(machine.getSysreg("HPFAR_EL2")).toBe(unknownHpfarValue(3));
    expect(meta.arbitrary.get("HPFAR_EL2")).toBe(unknownHpfarValue(3));
    // Only HPFAR_EL2's defined bits: FIPA [43:4] and NS [63].
    expect(unknownHpfarValue(3) & ~((((1n << 40n) - 1n) << 4n) | (1n << 63n))).toBe(0n);
  });

  it("VHE: E2H set, the guest's real ESR_EL1 stays arbitrary and is reached through ESR_EL12", () => {
    const { machine, meta } = machineForScenario(scenario({ esr: 0x92000007n, caps: [ARM64_HAS_VIRT_HOST_EXTN], seed: 1 }));
    expect(machine.e2h).toBe(true);
    expect(meta.capabilities).toEqual([ARM64_HAS_VIRT_HOST_EXTN]);
    expect(machine.resolveSysreg("ESR_EL1", "read")).toBe("ESR_EL2");
    expect(machine.readSysreg(machine.resolveSysreg("ESR_EL12", "read")).value).toBe(arbitraryValue(1, "ESR_EL1"));
    expect(machine.getSysreg("ID_AA64MMFR1_EL1")).toBe(0x100n);
  });

  it("adds ARM64_WORKAROUND_834220 for an affected MIDR unless told not to", () => {
    expect(machineForScenario(scenario({ esr: 0n, midr: 0x411fd072n })).meta.capabilities).toEqual([ARM64_WORKAROUND_834220]);
    expect(machineForScenario(scenario({ esr: 0n, midr: 0x411fd073n })).meta.capabilities).toEqual([]);
    expect(machineForScenario(scenario({ esr: 0n, midr: 0x411fd072n }), { deriveCapabilitiesFromMidr: false }).meta.capabilities).toEqual([]);
  });

  describe("the guest's tables decide what AT S1E1R on FAR finds", () => {
    it("at ok: FAR's page maps to the IPA's page (PAR: ATTR 0xff, PA, bit 11, NS, SH inner)", () => {
      const { machine } = machineForScenario(parseScenario({ esr: "0x9200004f", far: "0x1234", at: { ok: "0x80001000" } }));
      expect(at(machine, 0x1234n)).toBe(0xff00000080001b80n);
      // Only FAR's page is mapped.
      expect(at(machine, 0x2234n) & 1n).toBe(1n);
      // The stage-1 tables are real memory: TTBR0_EL1 points at a table in the pool.
      const ttbr0 = machine.getSysreg("TTBR0_EL1");
      expect(ttbr0 >= SCENARIO_LAYOUT.tablePool.base && ttbr0 < SCENARIO_LAYOUT.tablePool.base + SCENARIO_LAYOUT.tablePool.size).toBe(true);
    });

    it("the default maps FAR's page to itself", () => {
      const { machine } = machineForScenario(scenario({ esr: 0n, far: 0x4000_5678n }));
      expect(at(machine, 0x4000_5678n)).toBe(0xff00000040005b80n);
    });

    it("an upper-range FAR goes through TTBR1_EL1", () => {
      const { machine } = machineForScenario(scenario({ esr: 0n, far: 0xffff_0000_1234_5678n, at: { ok: 0x8000_0000n } }));
      expect(machine.getSysreg("TTBR1_EL1")).not.toBe(0n);
      expect(at(machine, 0xffff_0000_1234_5678n)).toBe(0xff00000080000b80n);
    });

    it('"fault": the walk reaches level 3 and finds no page (FST 0x07)', () => {
      const { machine } = machineForScenario(scenario({ esr: 0n, far: 0x1234n, at: "fault" }));
      // F=1, FST=0x07 (translation, level 3) at [6:1], S=0, PTW=0, bit 11.
      expect(at(machine, 0x1234n)).toBe(0x80fn);
    });

    it("s2fault: a stage-1 table fetch faults at stage 2 (PAR S=1, PTW=1)", () => {
      const translation = machineForScenario(scenario({ esr: 0n, far: 0x1234n, at: { s2fault: { level: 1, fault: "translation" } } })).machine;
      // FST 0x07: stage-2 translation fault at stage-2 level 3 (table pages are mapped by 4K pages).
      expect(at(translation, 0x1234n)).toBe(0x800n | 0x200n | 0x100n | (0x07n << 1n) | 1n);
      const permission = machineForScenario(scenario({ esr: 0n, far: 0x1234n, at: { s2fault: { level: 3, fault: "permission" } } })).machine;
      expect(at(permission, 0x1234n)).toBe(0xb00n | (0x0fn << 1n) | 1n);
      const af = machineForScenario(scenario({ esr: 0n, far: 0x1234n, at: { s2fault: { level: 0, fault: "access-flag" } } })).machine;
      expect(at(af, 0x1234n)).toBe(0xb00n | (0x0bn << 1n) | 1n);
    });

    it('{"par":...}: AT of FAR answers it, per operation where the scenario says so (S1E1A, which checks no permission); JSON and options round-trip', () => {
      const s = parseScenario({ esr: "0x9200000d", far: "0x1234", at: { par: "0x819", s1e1a: "0xff00000000001b80" } });
      expect(s.at).toEqual({ par: 0x819n, ops: { s1e1a: 0xff00000000001b80n } });
      const { machine } = machineForScenario(s);
      expect([at(machine, 0x1234n), machine.addressTranslate("s1e1a", bits(0x1234n, 64)).value, machine.addressTranslate("s1e1w", bits(0x1234n, 64)).value]).toEqual([0x819n, 0xff00000000001b80n, 0x819n]);
      expect(scenarioToJson(s).at).toEqual({ par: "0x819", s1e1a: "0xff00000000001b80" });
      expect(parseScenario(scenarioToJson(s))).toEqual(s);
      expect(scenarioToOptions(s)).toContain("par:0x819,s1e1a:0xff00000000001b80");
      expect(parseError({ esr: "0x1", at: { par: "0x1", s1e1x: "0x1" } })).toBe('unknown key "s1e1x" in "at" beside "par" (expected AT operations: s1e1r, s1e1w, s1e1a, s1e0r, s1e0w, s12e1r, s12e1w, s12e0r, s12e0w)');
      expect(parseError({ esr: "0x1", at: { par: "0x1", s1e1a: 1 } })).toBe('"at.s1e1a" must be a hex string like "0x1234", got 1');
    });

    it("refuses what stage 1 cannot map, with a ScenarioError", () => {
      expect(() => machineForScenario(scenario({ esr: 0n, far: 0x0001_0000_0000_0000n }))).toThrow(
        new ScenarioError('"far" 0x1000000000000 is outside both 48-bit VA ranges (bits [63:48] must be all 0 or all 1), so stage 1 cannot map it; use "at":"fault"'),
      );
      // With "fault" it is fine: the walk fails at level 0.
      const { machine } = machineForScenario(scenario({ esr: 0n, far: 0x0001_0000_0000_0000n, at: "fault" }));
      expect(at(machine, 0x0001_0000_0000_0000n) & 1n).toBe(1n);
      expect(() => machineForScenario(scenario({ esr: 0n, far: 0xffff_0000_0000_0000n, at: { s2fault: { level: 3, fault: "translation" } } }))).toThrow(ScenarioError);
    });
  });
});
