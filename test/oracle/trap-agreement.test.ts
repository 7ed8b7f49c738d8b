// Real guest traps through the generated handler (issue 6, section 2): the harness drops to EL1
// with the MMU on and makes accesses that fault at stage 2 (translation at levels 1-3, access flag,
// permission, S1PTW translation/access-flag/permission at every stage-1 level, instruction fetch
// from an unmapped or XN IPA, 8-byte loads across a page boundary), plus a stage-1 fault and an
// access that completes; generated/kvm-2016.S is the EL2 handler, its alternatives patched from
// QEMU's MIDR. One QEMU boot for all of them. The model must predict ESR_EL2/FAR_EL2/HPFAR_EL2 and
// agree, with dsl/kvm-2016.fault#asm and #c, on the outcome and every recorded field.
//
// More traps: FAULTC_ORACLE_TRAPS=360 (default 72); another stream: FAULTC_ORACLE_SEED=n.
import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildTrapTables, compareTrap, describeResult, formatTrapCheck, generateTrapCase, generateTrapCases, observeTraps, missingOracleTools, ORACLE_INSTALL,
  ORACLE_AREA_BASE, ORACLE_AREA_END, RecordingMemory, TRAP_HANDLER_S, TRAP_KINDS,
  type QemuTrapRun, type TrapCase, type TrapObservation,
} from "../../src/oracle/index.ts";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import { asmVariantTarget, cVariantTarget } from "../../src/sides/rule-file.ts";
import type { HandlerTarget } from "../../src/runtime/run/types.ts";

const missing = missingOracleTools();
const TRAPS = Number(process.env.FAULTC_ORACLE_TRAPS ?? 72);
const SEED = Number(process.env.FAULTC_ORACLE_SEED ?? 1);
if (missing.length > 0 && !process.env.CI) {
  console.warn(`QEMU trap oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);
}
if (missing.length > 0 && process.env.CI) {
  describe("QEMU oracle (traps)", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

/** Negative control: QEMU's copy of a no-fault set-up lacks the stage-2 mapping of the data page. */
function control(): TrapCase {
  let i = 0;
  while (TRAP_KINDS[i % TRAP_KINDS.length] !== "no-fault") i++;
  const c = generateTrapCase(SEED + 1000, i);
  const memory = new RecordingMemory();
  buildTrapTables({ ...c.input, stage2: c.input.stage2.slice(0, 1) }, memory);
  return { ...c, summary: `control: ${c.summary}, stage-2 data mapping missing on QEMU's side`, image: memory.image(ORACLE_AREA_BASE, ORACLE_AREA_END) };
}

/** A stage-2 permission fault not on a walk: HPFAR_EL2 UNKNOWN, and every bundled handler translates FAR instead. */
function plainPermissionFault(o: TrapObservation): boolean {
  return o.hpfarUnknown && o.prediction.taken === "el2" && o.prediction.meta.faultType === "Permission";
}

describe.skipIf(missing.length > 0)("QEMU oracle (traps through generated/kvm-2016.S)", () => {
  const cases = generateTrapCases(SEED, TRAPS);
  const ctl = control();
  let run: QemuTrapRun;
  let variants: HandlerTarget[];
  let observations: TrapObservation[];
  beforeAll(async () => {
    ({ run, variants, observations } = await observeTraps(cases, [ctl]));
  }, 60_000);

  it("QEMU's cortex-a57 is r1p0: erratum 834220 applies, and the harness patched the handler's one 834220 alternative", () => {
    expect(run.midr).toBe(0x411f_d070n);
    expect(run.caps).toBe(1n << 1n); // ARM64_WORKAROUND_834220 (faultc-asm.h numbering), no VHE
    const text = readFileSync(TRAP_HANDLER_S, "utf8");
    expect(run.patched).toBe([...text.matchAll(/^alternative_if_not ARM64_WORKAROUND_834220$/gm)].length);
    expect(run.patched).toBeGreaterThan(0);
  });

  it(`${TRAPS} traps (seed ${SEED}): outcome, recorded fields and syndrome registers agree, modulo the documented departure`, () => {
    const bad = observations.flatMap((o) => o.checks.filter((k) => k.verdict === "mismatch").map((k) => formatTrapCheck(o, k)));
    const count = (v: string): number => observations.reduce((n, o) => n + o.checks.filter((k) => k.verdict === v).length, 0);
    console.log(
      `trap oracle: ${observations.length} traps, ${observations.reduce((n, o) => n + o.checks.length, 0)} checks: ${count("agree")} agree, ` +
        `${count("ptw-fault-level")} PTW-level departures, ${count("unknown")} UNKNOWN HPFAR, ${count("s1ptw-permission-wnr")} S1PTW-permission WnR (reported), ` +
        `${bad.length} mismatches; QEMU ${run.ms.toFixed(0)} ms per boot`,
    );
    expect(bad).toEqual([]);
    // Every kind ran, through both variants, and the handler exited with ARM_EXCEPTION_TRAP (1).
    for (const kind of TRAP_KINDS) expect(observations.some((o) => o.trapCase.kind === kind), kind).toBe(true);
    for (const o of observations) {
      expect(o.qemu.outcome).toBe("exit");
      expect(o.qemu.code).toBe(1n);
      expect(o.checks.filter((k) => k.what.startsWith("dsl/kvm-2016.fault#")).length).toBeGreaterThanOrEqual(2);
    }
    const taken = new Set(observations.map((o) => o.prediction.taken));
    expect([...taken].sort()).toEqual(["el1", "el2", "none"]);
    // Stage-2 translation faults at levels 1, 2 and 3 (DFSC 0x05-0x07) came up.
    const dfsc = new Set(observations.filter((o) => o.trapCase.kind === "s2-translation").map((o) => Number(o.qemu.esr & 0x3fn)));
    expect([...dfsc].sort()).toEqual([5, 6, 7]);
    expect(count("ptw-fault-level")).toBeGreaterThan(0);
  });

  it("where HPFAR_EL2 is UNKNOWN (plain stage-2 permission faults), QEMU wrote the faulting IPA's page, and no variant's result depends on the value", () => {
    // External aborts on a walk (HPFAR_EL2 UNKNOWN too) are test/oracle/walk-fault-agreement.test.ts's.
    const permission = observations.filter(plainPermissionFault);
    const unknown = permission.flatMap((o) => o.checks.filter((k) => k.verdict === "unknown"));
    expect(unknown.length).toBeGreaterThan(0);
    for (const k of unknown) expect(k.model.startsWith(`the faulting IPA's page ${k.qemu}`), `${k.qemu} vs ${k.model}`).toBe(true);
    const seeded = permission.flatMap((o) => o.checks.filter((k) => k.what.endsWith("with a seeded UNKNOWN HPFAR_EL2")));
    expect(seeded.length).toBe(unknown.length * 2);
    for (const k of seeded) expect(k.verdict).toBe("agree");
  });

  it("no bundled rule file's result (#asm and #c) depends on the UNKNOWN HPFAR_EL2 of a plain stage-2 permission fault: QEMU's value and a seeded one give the same", async () => {
    const unknown = observations.filter(plainPermissionFault);
    expect(unknown.length).toBeGreaterThan(0);
    const files = readdirSync("dsl").filter((f) => f.endsWith(".fault")).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const compiled = compileRuleFile(`dsl/${f}`);
      for (const v of [asmVariantTarget(compiled), await cVariantTarget(compiled)]) {
        for (const o of unknown) {
          const withQemu = describeResult(v.run(o.scenario));
          const withSeeded = describeResult(v.run({ ...o.scenario, hpfar: "unknown" }));
          expect(withSeeded, `${v.label}: ${o.trapCase.summary}`).toBe(withQemu);
        }
      }
    }
  });

  it("pinned, reported: a store whose stage-1 walk meets a stage-2 permission fault has WnR=1 in QEMU 7.2, WnR=0 in the model", () => {
    const wnr = observations.flatMap((o) => o.checks.filter((k) => k.verdict === "s1ptw-permission-wnr").map((k) => ({ o, k })));
    for (const { o, k } of wnr) {
      expect(o.trapCase.kind).toBe("s1ptw");
      expect(o.trapCase.input.access).toBe("write");
      expect(o.trapCase.input.tableFaults?.[0]?.fault).toBe("permission");
      // QEMU: DABT_LOW, IL, S1PTW, WnR, permission FSC at the stage-1 level; the model: the same without WnR.
      const level = BigInt(o.trapCase.input.tableFaults?.[0]?.level ?? -1);
      expect(o.qemu.esr).toBe(0x9200_00ccn | level);
      expect(k.model.startsWith(`0x${(0x9200_008cn | level).toString(16)}`)).toBe(true);
    }
  });

  it("negative control: a set-up that differs on QEMU's side is caught", () => {
    const o = compareTrap(ctl, run.traps[cases.length], run.midr, variants);
    expect(o.prediction.taken).toBe("none");
    expect(o.checks[0]).toMatchObject({ what: "taken to", qemu: "el2", model: "none", verdict: "mismatch" });
  });
});
