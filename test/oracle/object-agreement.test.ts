// The compiled Linux 6.12 __get_fault_info on QEMU (issue 10 item 5): the trap harness runs the
// function of the kernel's own object (nvhe/switch.nvhe.o) as its EL2 handler, patched at boot for
// the capabilities the kernel's rules give on QEMU's cortex-a57, on the trap set-ups of the
// generated handler's oracle; the model runs the same object through `faultc run`'s side (its
// binding from dsl/linux-6.12.fault) on the scenarios built from QEMU's values, and both must agree
// on whether it is called, w0 and its outcome, far_el2, hpfar_el2 and PAR_EL1. A patching the
// kernel would not make on this CPU (hVHE forced on) must disagree.
//
// Needs qemu-system-aarch64, the cross toolchain and `npm run kernels`; skips without them (saying
// so) and fails under CI. More traps: FAULTC_ORACLE_TRAPS=360 (default 72); another stream:
// FAULTC_ORACLE_SEED=n.
import { describe, expect, it, beforeAll } from "vitest";
import { openObjectFunction } from "../../src/object/function.ts";
import {
  applyCapabilityRules, encodeMatch, evaluateMatch, formatTrapCheck, LINUX_6_12_CAPABILITY_RULES, missingOracleTools, objectFunctionSource, ORACLE_INSTALL,
  parseObjectTrapBoot, parseTrapHarnessOutput, placementProblems, rulesFor, runObjectTrapOracle, TRAP_KINDS, withOverrides,
  type CapabilityMatch, type IdRegister, type ObjectTrapAgreement, type QemuRun,
} from "../../src/oracle/index.ts";
import { compile, describeWithCross, scratchDir } from "../object/cross-toolchain.ts";
import { describeWithKernel } from "../support/kernels.ts";

const TRAPS = Number(process.env.FAULTC_ORACLE_TRAPS ?? 72);
const SEED = Number(process.env.FAULTC_ORACLE_SEED ?? 1);
const SYMBOL = "__get_fault_info";

const rule = (name: string): CapabilityMatch => {
  const r = LINUX_6_12_CAPABILITY_RULES.find((x) => x.capability === name);
  if (r === undefined) throw new Error(`no rule for ${name}`);
  return r.match;
};
const regs = (midr: bigint, mmfr3 = 0n) => new Map<IdRegister, bigint>([["MIDR_EL1", midr], ["ID_AA64MMFR3_EL1", mmfr3]]);

describe("the kernel's capability rules, evaluated", () => {
  it("834220: Cortex-A57 r0p0 to r1p2 (QEMU's r1p0 included), not r1p3, not another part", () => {
    const m = rule("ARM64_WORKAROUND_834220");
    expect(evaluateMatch(m, regs(0x410f_d070n)).present).toBe(true);
    expect(evaluateMatch(m, regs(0x411f_d070n)).present).toBe(true);
    expect(evaluateMatch(m, regs(0x411f_d072n)).present).toBe(true);
    expect(evaluateMatch(m, regs(0x411f_d073n)).present).toBe(false);
    expect(evaluateMatch(m, regs(0x412f_d070n)).present).toBe(false);
    expect(evaluateMatch(m, regs(0x411f_d080n)).present).toBe(false); // Cortex-A72
    expect(evaluateMatch(m, regs(0x420f_d070n)).present).toBe(false); // another implementer
  });

  it("1508412: Cortex-A77 r0p0 to r1p0 only", () => {
    const m = rule("ARM64_WORKAROUND_1508412");
    expect(evaluateMatch(m, regs(0x411f_d0d0n)).present).toBe(true);
    expect(evaluateMatch(m, regs(0x411f_d0d1n)).present).toBe(false);
    expect(evaluateMatch(m, regs(0x411f_d070n)).present).toBe(false);
  });

  it("S1POE: ID_AA64MMFR3_EL1.S1POE [19:16] at least 1; ALWAYS_SYSTEM always; hVHE never without a command line", () => {
    const m = rule("ARM64_HAS_S1POE");
    expect(evaluateMatch(m, regs(0x411f_d070n, 0n)).present).toBe(false);
    expect(evaluateMatch(m, regs(0x411f_d070n, 1n << 16n)).present).toBe(true);
    expect(evaluateMatch(m, regs(0x411f_d070n, 0xfn << 16n)).present).toBe(true);
    expect(evaluateMatch(m, regs(0x411f_d070n, 0xfn << 20n)).present).toBe(false);
    expect(evaluateMatch(rule("ARM64_ALWAYS_SYSTEM"), regs(0n)).present).toBe(true);
    expect(evaluateMatch(rule("ARM64_KVM_HVHE"), regs(0x411f_d070n)).present).toBe(false);
  });

  it("encodes each rule as the harness reads it", () => {
    expect(encodeMatch(rule("ARM64_WORKAROUND_834220"))).toEqual([2n, 0xff0f_fff0n, 0x410f_d070n, 0n, 0x10_0002n]);
    expect(encodeMatch(rule("ARM64_HAS_S1POE"))).toEqual([3n, 1n, BigInt(16 | (4 << 8)), 1n, 0xfn]);
    expect(encodeMatch({ kind: "never", why: "x" })).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect(encodeMatch({ kind: "always" })).toEqual([1n, 0n, 0n, 0n, 0n]);
  });
});

describe("the object harness's output, parsed strictly", () => {
  // The 6.12 rules without a tree (834220's MIDR range as written, not its Kconfig gate): on
  // MIDR 0x411fd070 ALWAYS_SYSTEM (bit 0) and 834220 (bit 4) hold.
  const patching = LINUX_6_12_CAPABILITY_RULES.map((r) => ({ capability: r.capability, match: r.match, build: "as written" }));
  const build = { words: 48, patching, recordBytes: 32 };
  const CPU = "CPU MIDR_EL1 0x411fd070 ID_AA64MMFR3_EL1 0x0 CAPS 0x11 WORDS 48";
  const TRAP = "TRAP 0 exit 0x2 0x93020047 0xffffff800dd5f027 0xcb918ee0 0x4008302c 0x809 0x809 0x0 0x0 0x0 0x0 0x0";
  const CALL = "CALL 0 1 0x1 0x809 0x809 0x0 0xffffff800dd5f027 0xcb918ee0 0x0";
  const out = (...lines: string[]): QemuRun => ({ stdout: `${lines.join("\n")}\n`, stderr: "", status: 0, ms: 1 });
  const parse = (...lines: string[]) => parseObjectTrapBoot(parseTrapHarnessOutput(out(...lines), 1), build);

  it("reads the CPU line, the capabilities patched for, and each call", () => {
    const r = parse(CPU, TRAP, CALL, "DONE 1");
    expect(r.mask).toBe(0x11);
    expect(r.patchedFor.filter((d) => d.present).map((d) => d.capability)).toEqual(["ARM64_ALWAYS_SYSTEM", "ARM64_WORKAROUND_834220"]);
    expect(r.traps[0].call).toEqual({ called: true, w0: 1n, parBefore: 0x809n, parAfter: 0x809n, record: [0n, 0xffff_ff80_0dd5_f027n, 0xcb91_8ee0n, 0n] });
    expect(r.traps[0].trap).toMatchObject({ outcome: "exit", code: 2n, esr: 0x9302_0047n });
  });

  it.each([
    ["a patching the rules do not give", [CPU.replace("CAPS 0x11", "CAPS 0x1"), TRAP, CALL, "DONE 1"], /patched the function for capability mask 0x1, the rules give 0x11/],
    ["another function's size", [CPU.replace("WORDS 48", "WORDS 47"), TRAP, CALL, "DONE 1"], /holds 47 words of the function, expected 48/],
    ["no CPU line", [TRAP, CALL, "DONE 1"], /unexpected trap harness output line: "CALL 0 1/],
    ["a missing CALL line", [CPU, TRAP, "DONE 1"], /trap 0: expected one CALL line after its TRAP line, got \[\]/],
    ["two CALL lines", [CPU, TRAP, CALL, CALL, "DONE 1"], /expected one CALL line after its TRAP line, got \["CALL 0/],
    ["a record word short", [CPU, TRAP, CALL.replace(/ 0x0$/, ""), "DONE 1"], /unexpected object trap harness output line/],
    ["a CALL line of another trap", [CPU, TRAP, CALL.replace("CALL 0", "CALL 1"), "DONE 1"], /output out of order/],
    ["called neither 0 nor 1", [CPU, TRAP, CALL.replace("CALL 0 1", "CALL 0 2"), "DONE 1"], /unexpected object trap harness output line/],
    ["a line before the first TRAP", [CPU, CALL, TRAP, CALL, "DONE 1"], /unexpected trap harness output line: "CALL 0 1/],
  ])("rejects %s", (_, lines, message) => {
    expect(() => parse(...lines)).toThrow(message);
  });
});

describeWithCross("a function the harness cannot place", () => {
  const dir = scratchDir("object-harness");
  const c = compile(dir, "outside.c", "int g(int);\nint tail(int x) { return g(x + 1); }\nint counter;\nint global_read(void) { return counter; }\n");
  const s = compile(
    dir,
    "local.S",
    [
      "\t.text", "\t.global local_branch", "\t.type local_branch, %function", "local_branch:", "\tcbz x0, inner", "\tmov x0, #1", "\t.global inner", "inner:", "\tret",
      "\t.size local_branch, . - local_branch",
      "\t.global leaves", "\t.type leaves, %function", "leaves:", "\tcbz x0, 1f", "\tadr x1, 1f", "\tret", "\t.size leaves, . - leaves", "1:\tret", "",
    ].join("\n"),
  );

  it("a relocation to another symbol is named, with why it cannot be applied", () => {
    expect(placementProblems(openObjectFunction(c, "tail"))).toEqual([
      "tail+0x4: R_AARCH64_JUMP26 against 'g' (g) reaches outside the function; the harness holds the function alone and cannot apply it",
    ]);
    const problems = placementProblems(openObjectFunction(c, "global_read"));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^global_read: R_AARCH64_ADR_PREL_PG_HI21 against section \.bss \(counter\) is a page address \(ADRP\)/);
    expect(problems[1]).toMatch(/^global_read\+0x4: R_AARCH64_LDST32_ABS_LO12_NC against section \.bss \(counter\) is an absolute address/);
  });

  it("a PC-relative relocation inside the function is kept (the image applied it; it holds anywhere)", () => {
    expect(placementProblems(openObjectFunction(s, "local_branch"))).toEqual([]);
  });

  it("without a relocation, a branch or an address out of the function is still found", () => {
    expect(placementProblems(openObjectFunction(s, "leaves"))).toEqual([
      "leaves (no capability): 'cbz x0, inner+0x10' branches out of the function; the harness cannot run it elsewhere",
      "leaves+0x4 (no capability): 'adr x1, inner+0x10' forms an address outside the function; the harness cannot run it elsewhere",
    ]);
  });

  it("objectFunctionSource refuses such a function, and rules that do not match its capabilities", () => {
    expect(() => objectFunctionSource(openObjectFunction(c, "tail"), [], 32, 2n)).toThrow(/cannot run in the QEMU harness:\n {2}tail\+0x4: R_AARCH64_JUMP26/);
    const fn = openObjectFunction(s, "local_branch");
    expect(() => objectFunctionSource(fn, [{ capability: "ARM64_HAS_S1POE", match: { kind: "always" }, build: "" }], 32, 2n)).toThrow(/rules for ARM64_HAS_S1POE, which it does not test/);
    expect(() => objectFunctionSource(fn, [], 33, 2n)).toThrow(/multiple of 8/);
    expect(() => objectFunctionSource(fn, [], 32, 0n)).toThrow(/must be non-zero/);
    expect(objectFunctionSource(fn, [], 32, 2n)).toContain("\t.word 0xb4000040, 0xd2800020, 0xd65f03c0");
  });
});

describeWithKernel("6.1", "the capability rules are checked against the tree they are applied to", (t) => {
  it("Linux 6.1's cpufeature.c does not read as the 6.12 rules cite it: the first such line is named", () => {
    expect(() => applyCapabilityRules(t.dir)).toThrow(/linux-6\.1\/arch\/arm64\/kernel\/cpufeature\.c:2386: error: the rule for ARM64_ALWAYS_SYSTEM cites "\.capability = ARM64_ALWAYS_SYSTEM,", the tree has /);
  });
});

describeWithKernel("6.12", `QEMU oracle: the compiled 6.12 ${SYMBOL} on guest traps`, (t) => {
  const missing = missingOracleTools();
  if (missing.length > 0 && process.env.CI) {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
    return;
  }
  if (missing.length > 0) console.warn(`QEMU object oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);

  it("the rules cite the tree as it is; its .config leaves CONFIG_ARM64_ERRATUM_834220 unset, so the kernel never detects 834220", () => {
    const applied = applyCapabilityRules(t.dir);
    const byName = new Map(applied.map((r) => [r.capability, r]));
    expect(byName.get("ARM64_WORKAROUND_834220")?.match.kind).toBe("never");
    expect(byName.get("ARM64_WORKAROUND_834220")?.build).toMatch(/^CONFIG_ARM64_ERRATUM_834220 not set \(\.config:\d+\)$/);
    expect(byName.get("ARM64_WORKAROUND_1508412")?.build).toMatch(/^CONFIG_ARM64_ERRATUM_1508412=y/);
    expect(byName.get("ARM64_HAS_S1POE")?.build).toMatch(/^CONFIG_ARM64_POE=y/);
    const fn = openObjectFunction(t.objects.nvhe, SYMBOL);
    expect(rulesFor(fn, applied).map((r) => r.capability)).toEqual(fn.capabilities);
    expect(placementProblems(fn)).toEqual([]);
    expect(() => withOverrides(applied, new Map([["ARM64_HAS_VIRT_HOST_EXTN", true]]))).toThrow(/no capability rule for ARM64_HAS_VIRT_HOST_EXTN/);
  });

  describe.skipIf(missing.length > 0)("on QEMU", () => {
    let right: ObjectTrapAgreement;
    let hvhe: ObjectTrapAgreement;
    let erratum: ObjectTrapAgreement;
    beforeAll(async () => {
      right = await runObjectTrapOracle(t.objects.nvhe, SYMBOL, SEED, TRAPS, { tree: t.dir });
      hvhe = await runObjectTrapOracle(t.objects.nvhe, SYMBOL, SEED, TRAPS, { tree: t.dir, overrides: new Map([["ARM64_KVM_HVHE", true]]) });
      erratum = await runObjectTrapOracle(t.objects.nvhe, SYMBOL, SEED, TRAPS, { tree: t.dir, overrides: new Map([["ARM64_WORKAROUND_834220", true]]) });
    }, 120_000);

    const mismatches = (a: ObjectTrapAgreement) => a.observations.flatMap((o) => o.checks.filter((k) => k.verdict === "mismatch").map((k) => formatTrapCheck(o, k)));
    const count = (a: ObjectTrapAgreement, v: string) => a.observations.reduce((n, o) => n + o.checks.filter((k) => k.verdict === v).length, 0);

    it("QEMU's cortex-a57 r1p0 reports no S1POE; the harness patched for ARM64_ALWAYS_SYSTEM alone, as the model runs", () => {
      expect(right.run.registers.get("MIDR_EL1")).toBe(0x411f_d070n);
      expect(right.run.registers.get("ID_AA64MMFR3_EL1")).toBe(0n);
      const present = right.run.patchedFor.filter((d) => d.present).map((d) => d.capability);
      expect(present).toEqual(["ARM64_ALWAYS_SYSTEM"]);
      expect(right.modelCaps).toEqual(right.run.patchedFor);
      expect(right.run.mask).toBe(1 << openObjectFunction(t.objects.nvhe, SYMBOL).capabilities.indexOf("ARM64_ALWAYS_SYSTEM"));
    });

    it(`${TRAPS} traps (seed ${SEED}): called, w0, outcome, far_el2, hpfar_el2 and PAR_EL1 agree with the model's run of the object`, () => {
      const checks = right.observations.reduce((n, o) => n + o.checks.length, 0);
      console.log(
        `object oracle (${SYMBOL}, Linux 6.12 nvhe): ${right.observations.length} traps, ${checks} checks: ${count(right, "agree")} agree, ` +
          `${count(right, "ptw-fault-level")} PTW-level departures, ${count(right, "unknown")} UNKNOWN HPFAR, ${count(right, "s1ptw-permission-wnr")} S1PTW-permission WnR (reported), ` +
          `${mismatches(right).length} mismatches; QEMU ${right.run.ms.toFixed(0)} ms per boot, model ${right.modelMs.toFixed(0)} ms; ` +
          `hVHE forced: ${mismatches(hvhe).length} mismatches; 834220 forced: ${mismatches(erratum).length} mismatches`,
      );
      expect(mismatches(right)).toEqual([]);
      for (const kind of TRAP_KINDS) expect(right.observations.some((o) => o.trapCase.kind === kind), kind).toBe(true);
      for (const o of right.observations) {
        // QEMU 7.2 runs DC/IC by VA as no-ops (the departure "cmo-nop"): the model's trap is not taken there.
        const el2 = o.prediction.taken === "el2" && !o.checks.some((k) => k.verdict === "cmo-nop");
        expect(o.call.called, o.trapCase.summary).toBe(el2);
        if (!el2) continue;
        expect(o.model?.returned).toBeDefined();
        for (const what of ["w0", "outcome", "far_el2", "hpfar_el2", "PAR_EL1 preserved"]) expect(o.checks.some((k) => k.what === what && k.verdict === "agree"), `${o.trapCase.summary}: ${what}`).toBe(true);
        expect(o.call.parAfter).toBe(o.call.parBefore);
      }
      // Every trap that reached the function got its IPA (w0 = 1, exit ARM_EXCEPTION_TRAP = 2): on
      // these set-ups AT, where the function uses it, always translates.
      expect(new Set(right.observations.filter((o) => o.call.called).map((o) => `${o.call.w0} ${o.qemu.outcome} ${o.qemu.code}`))).toEqual(new Set(["1 exit 2"]));
    });

    it("where HPFAR_EL2 is UNKNOWN the function does not read it (a permission fault goes through AT): a seeded value gives the same result", () => {
      const permission = (o: (typeof right.observations)[number]) => o.prediction.taken === "el2" && o.prediction.meta.faultType === "Permission";
      const unknown = right.observations.filter((o) => o.hpfarUnknown && permission(o));
      expect(unknown.length).toBeGreaterThan(0);
      for (const o of unknown) expect(o.checks.find((k) => k.what === "model with a seeded UNKNOWN HPFAR_EL2")?.verdict).toBe("agree");
    });

    it("found: after an External abort on a walk (HPFAR_EL2 UNKNOWN) the function records HPFAR_EL2 (6.12 trusts it for every non-permission abort)", () => {
      const aborts = right.observations.filter((o) => o.hpfarUnknown && o.prediction.taken === "el2" && o.prediction.meta.faultType === "SyncExternalOnWalk");
      expect(aborts.length).toBeGreaterThan(0);
      for (const o of aborts) expect(o.checks.find((k) => k.what === "model with a seeded UNKNOWN HPFAR_EL2")?.verdict, o.trapCase.summary).toBe("records-unknown-hpfar");
    });

    it("negative control: QEMU running a patching the kernel would not make here (ARM64_KVM_HVHE forced) disagrees with the model", () => {
      expect(hvhe.run.patchedFor.find((d) => d.capability === "ARM64_KVM_HVHE")?.present).toBe(true);
      expect(hvhe.modelCaps).toEqual(right.modelCaps);
      const bad = hvhe.observations.flatMap((o) => o.checks.filter((k) => k.verdict === "mismatch"));
      expect(bad.length).toBeGreaterThan(0);
      // The hVHE accessor reads FAR_EL1 (the guest's) where E2H is 0: far_el2 differs wherever the function ran.
      expect(bad.filter((k) => k.what === "far_el2").length).toBe(right.observations.filter((o) => o.call.called).length);
      // For permission faults the AT then translates the guest's FAR_EL1: it fails and the guest is re-entered.
      expect(hvhe.observations.some((o) => o.call.called && o.call.w0 === 0n && o.qemu.outcome === "retry")).toBe(true);
    });

    it("pinned: erratum 834220's patching is invisible here (QEMU has no erratum: AT and HPFAR_EL2 give the same IPA)", () => {
      expect(erratum.run.patchedFor.find((d) => d.capability === "ARM64_WORKAROUND_834220")?.present).toBe(true);
      expect(mismatches(erratum)).toEqual([]);
      erratum.observations.forEach((o, i) => expect(o.call, o.trapCase.summary).toEqual(right.observations[i].call));
    });
  });
});
