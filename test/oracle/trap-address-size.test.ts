// Real guest traps on QEMU 7.2 for the address-size kinds (issue 14, "Translation";
// src/oracle/address-size-cases.ts), through generated/kvm-2016.S as in trap-agreement.test.ts:
// stage-2 Address size faults on the data page, on a stage-2 table descriptor and on the stage-2
// page of a stage-1 table (S1PTW), an IPA beyond VTCR_EL2.T0SZ (the data's or a stage-1 table's),
// stage-1 Address size faults
// (taken to EL1), stage-1 tables at IPAs other than their PAs. The model predicts each from the
// trap builder's input; ESR_EL2, FAR_EL2 and HPFAR_EL2 (valid for all of these: FACTS.md) must
// agree, modulo QEMU 7.2's documented "ptw-fault-level" departure for S1PTW faults.
//
// More traps: FAULTC_ORACLE_ADDRSIZE_TRAPS=700 (default 70); another stream: FAULTC_ORACLE_SEED=n.
import { beforeAll, describe, expect, it } from "vitest";
import {
  compareTrap, formatTrapCheck, generateTrapCase, observeTraps, missingOracleTools, ORACLE_INSTALL, TRAP_KINDS,
  type QemuTrapRun, type TrapCase, type TrapObservation,
} from "../../src/oracle/index.ts";
import { ADDRESS_SIZE_TRAP_KINDS, isAddressSizeTrapKind } from "../../src/oracle/address-size-cases.ts";
import { buildTrapTables } from "../../src/oracle/trap-cases.ts";
import type { HandlerTarget } from "../../src/runtime/run/types.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { hpfarForIpa } from "../../src/runtime/scenario/trap.ts";

const missing = missingOracleTools();
const TRAPS = Number(process.env.FAULTC_ORACLE_ADDRSIZE_TRAPS ?? 70);
const SEED = Number(process.env.FAULTC_ORACLE_SEED ?? 1);
if (missing.length > 0 && !process.env.CI) console.warn(`QEMU trap oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);
if (missing.length > 0 && process.env.CI) {
  describe("QEMU oracle (traps, address sizes)", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

/** The first `count` set-ups of the stream whose kind is an address-size kind (their rounds advance as in a full batch). */
function addressSizeCases(seed: number, count: number): TrapCase[] {
  const cases: TrapCase[] = [];
  for (let i = 0; cases.length < count; i++) if (isAddressSizeTrapKind(TRAP_KINDS[i % TRAP_KINDS.length])) cases.push(generateTrapCase(seed, i));
  return cases;
}

/**
 * Negative control: QEMU's copy of an s2-ps-leaf set-up has VTCR_EL2.PS = 44 bits, so its access
 * reaches the PA beyond RAM: a synchronous External abort, taken to EL1 (HCR_EL2.TEA is 0).
 */
function control(): TrapCase {
  const c = addressSizeCases(SEED + 1000, ADDRESS_SIZE_TRAP_KINDS.length).find((k) => k.kind === "s2-ps-leaf");
  if (c === undefined) throw new Error("no s2-ps-leaf set-up");
  const vtcr = (c.registers.VTCR_EL2 & ~(7n << 16n)) | (4n << 16n);
  return { ...c, summary: `control: ${c.summary}, PS 44 on QEMU's side`, registers: { ...c.registers, VTCR_EL2: vtcr } };
}

const fsc = (esr: bigint) => Number(esr & 0x3fn);

describe.skipIf(missing.length > 0)("QEMU oracle (traps through generated/kvm-2016.S): address sizes", () => {
  const cases = addressSizeCases(SEED, TRAPS);
  const ctl = control();
  let run: QemuTrapRun;
  let variants: HandlerTarget[];
  let observations: TrapObservation[];
  beforeAll(async () => {
    ({ run, variants, observations } = await observeTraps(cases, [ctl]));
  }, 60_000);

  it(`${TRAPS} traps (seed ${SEED}): where they go, ESR_EL2, FAR_EL2, HPFAR_EL2 and the handler's record agree, modulo "ptw-fault-level"`, () => {
    const bad = observations.flatMap((o) => o.checks.filter((k) => k.verdict === "mismatch").map((k) => formatTrapCheck(o, k)));
    const lines = ADDRESS_SIZE_TRAP_KINDS.map((kind) => {
      const of = observations.filter((o) => o.trapCase.kind === kind);
      const agree = of.filter((o) => o.checks.every((k) => k.verdict === "agree")).length;
      const ptw = of.filter((o) => o.checks.some((k) => k.verdict === "ptw-fault-level")).length;
      return `${kind} ${of.length}: ${agree} agree, ${ptw} ptw-fault-level`;
    });
    console.log(`trap oracle, address sizes: ${lines.join("; ")}; ${bad.length} mismatches`);
    expect(bad).toEqual([]);
    for (const kind of ADDRESS_SIZE_TRAP_KINDS) expect(observations.some((o) => o.trapCase.kind === kind), kind).toBe(true);
    for (const o of observations) expect([o.qemu.outcome, o.qemu.code], o.trapCase.summary).toEqual(["exit", 1n]);
    // Only S1PTW faults depart, and only by their level.
    for (const o of observations) {
      if (o.checks.some((k) => k.verdict !== "agree")) expect(["s1ptw-ps", "s1-tables-at-ipa", "ipa-beyond-t0sz"]).toContain(o.trapCase.kind);
    }
  });

  it("the classes came up as the Arm ARM gives them: stage-2 address size at levels 1-3, level-0 translation, EL1 for stage 1", () => {
    const codes = (kind: string) => new Set(observations.filter((o) => o.trapCase.kind === kind).map((o) => fsc(o.qemu.esr)));
    if (TRAPS >= 70) {
      expect([...codes("s2-ps-leaf")].sort()).toEqual([0x02, 0x03]);
      expect([...codes("s2-ps-table")].sort()).toEqual([0x01, 0x02]);
      // The data's IPA (round 0, 2, ...) and a stage-1 table's (S1PTW; QEMU: the stage-1 level).
      expect([...codes("ipa-beyond-t0sz")].sort()).toEqual([0x04, 0x05, 0x06, 0x07]);
    }
    for (const o of observations.filter((o) => o.trapCase.kind === "s1-ips-leaf" || o.trapCase.kind === "s1-ips-table")) {
      expect(o.prediction.taken).toBe("el1");
      expect(o.prediction.taken === "el1" && o.prediction.faultType).toBe("AddressSize");
    }
    // HPFAR_EL2 of an IPA beyond T0SZ holds that IPA (bits above the IPA size included).
    for (const o of observations.filter((o) => o.trapCase.kind === "ipa-beyond-t0sz")) {
      expect(o.prediction.taken === "el2" && o.prediction.meta).toMatchObject({ faultType: "Translation", level: 0, s1ptw: o.trapCase.input.beyondOutputSize !== undefined });
      expect(o.prediction.taken === "el2" && o.qemu.hpfar === hpfarForIpa(o.prediction.meta.ipa)).toBe(true);
    }
  });

  it("pinned: an S1PTW Address size fault (stage-2 page of a stage-1 table beyond PS) is stage-2 level 3 in the Arm ARM, the stage-1 level in QEMU 7.2", () => {
    const ptw = observations.filter((o) => o.trapCase.kind === "s1ptw-ps");
    expect(ptw.length).toBeGreaterThan(0);
    for (const o of ptw) {
      const level = o.trapCase.input.beyondOutputSize?.[0]?.level ?? -1;
      // DABT_LOW | IL | S1PTW | (WnR) | FSC: the model 0x03, QEMU the stage-1 level's address-size code.
      const wnr = o.trapCase.input.access === "write" ? 0x40n : 0n;
      expect(o.qemu.esr & ~0x40n).toBe(0x9200_0080n | BigInt(level));
      expect(o.qemu.esr & 0x40n).toBe(wnr);
      expect(o.prediction.taken === "el2" && o.prediction.scenario.esr).toBe(0x9200_0083n | wnr);
    }
  });

  it("HPFAR_EL2 of an S1PTW fault on tables placed at chosen IPAs names the IPA, not the table's PA", () => {
    const placed = observations.filter((o) => o.trapCase.kind === "s1-tables-at-ipa");
    expect(placed.length).toBeGreaterThan(0);
    for (const o of placed) {
      const t = o.trapCase.input.tableFaults?.[0];
      if (t === undefined || o.prediction.taken !== "el2") throw new Error(`${o.trapCase.summary}: no table fault trapped to EL2`);
      const tableIpa = buildTrapTables(o.trapCase.input, new PhysicalMemory()).stage1TableIpa(t.va, t.level);
      const base = o.trapCase.input.stage1TableIpa ?? -1n;
      expect(tableIpa >= base && tableIpa < base + 0x10_0000n).toBe(true);
      expect(o.qemu.hpfar).toBe(hpfarForIpa(tableIpa));
      // The table pool's PAs (0x70000000..0x70100000) are not what HPFAR says.
      expect(o.qemu.hpfar >> 4n).not.toBe(0x7_0000n + ((tableIpa - base) >> 12n));
    }
  });

  it("negative control: a set-up whose PS differs on QEMU's side is caught", () => {
    const o = compareTrap(ctl, run.traps[cases.length], run.midr, variants);
    expect(o.prediction.taken).toBe("el2");
    expect(o.checks[0]).toMatchObject({ what: "taken to", qemu: "el1", model: "el2", verdict: "mismatch" });
  });
});
