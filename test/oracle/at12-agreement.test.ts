// Two-stage AT agreement with QEMU 7.2 (issue 14): seeded random two-stage set-ups
// (src/oracle/at12-cases.ts) run in ONE QEMU boot of qemu/at12-harness.c at EL2 (AT S1E1R, S1E1W,
// S12E1R, S12E1W, S12E0R, S12E0W per probed VA), beside the model's translateAtOperation (PAMax
// 44). Bit-identical PAR_EL1 values are required, except for QEMU 7.2's named departures from the
// Arm ARM (src/oracle/at12-oracle.ts), each pinned below on a hand-made set-up.
//
// More set-ups: FAULTC_ORACLE_SETUPS=2000 (default 300), another stream: FAULTC_ORACLE_SEED=n.
// Without qemu-system-aarch64 or aarch64-linux-gnu-gcc the suite is skipped with a message, except
// under CI (process.env.CI), where it fails.
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAIR, TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { AP, S2AP, SH } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { AT_TABLE_POOL_FOR_TESTS, makeAtCase, missingOracleTools, ORACLE_INSTALL, RecordingMemory, type AtCase } from "../../src/oracle/index.ts";
import { generateAt12Cases } from "../../src/oracle/at12-cases.ts";
import { formatAt12Mismatch, qemu72CombinedAttr, runAt12Batch, summariseAt12, type At12Observation } from "../../src/oracle/at12-oracle.ts";

const missing = missingOracleTools();
const SETUPS = Number(process.env.FAULTC_ORACLE_SETUPS ?? 300);
const SEED = Number(process.env.FAULTC_ORACLE_SEED ?? 1);
if (missing.length > 0 && !process.env.CI) {
  console.warn(`QEMU oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);
}
if (missing.length > 0 && process.env.CI) {
  describe("QEMU oracle (two-stage AT)", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

// Attr5 Device-GRE, Attr6 Normal Write-Back transient W-allocate (0b0101) inner and outer.
const MAIR = DEFAULT_MAIR | (0x0cn << 40n) | (0x55n << 48n);
const VA = 0x1234_5000n;
const IPA = 0x1_0034_5000n;
const PA = 0x66_0000_0000n;

/** VA -> IPA at stage 1 and IPA -> PA at stage 2, one page each, with these attributes. */
function pin(index: number, summary: string, attrIndx: number, memAttr: number): AtCase {
  const memory = new RecordingMemory();
  const b = new TranslationTableBuilder({ memory, tablePool: AT_TABLE_POOL_FOR_TESTS, mair: MAIR, stage2: { ipaBits: 40 } });
  b.mapStage1(VA, IPA, 0x1000n, { ap: AP.RW_ALL, attrIndx, sh: SH.INNER });
  b.mapStage2(IPA, PA, 0x1000n, { memAttr, sh: SH.INNER, s2ap: S2AP.READ_WRITE });
  return makeAtCase(index, summary, memory, b.registers(), [VA + 0x123n]);
}

describe("QEMU 7.2's attribute combination as the oracle models it", () => {
  it("agrees with the Arm ARM where both stages are Normal Write-Back or one is NC, and departs where the oracle says", () => {
    expect(qemu72CombinedAttr(0xff, 0b1111)).toBe(0xff);
    expect(qemu72CombinedAttr(0xff, 0b0101)).toBe(0x44);
    expect(qemu72CombinedAttr(0xff, 0b0001)).toBe(0x04);
    expect(qemu72CombinedAttr(0x0c, 0b0101)).toBe(0x04); // Arm ARM: 0x0c (stage 1's Device-GRE)
    expect(qemu72CombinedAttr(0x55, 0b1010)).toBe(0x99); // Arm ARM: 0x11 (Write-Through transient)
  });
});

describe.skipIf(missing.length > 0)("QEMU oracle (two-stage AT)", () => {
  const random = generateAt12Cases(SEED, SETUPS);
  const pins = {
    deviceType: pin(-1, "pinned: stage-1 Device-GRE over stage-2 Normal NC", 5, 0b0101),
    wtTransient: pin(-2, "pinned: stage-1 Write-Back transient over stage-2 Write-Through", 6, 0b1010),
    agreeing: pin(-3, "pinned: stage-1 Normal Write-Back over stage-2 Device-nGnRE", 0, 0b0001),
  };
  const fixed = [pins.deviceType, pins.wtTransient, pins.agreeing];
  let observations: At12Observation[];
  beforeAll(() => {
    observations = runAt12Batch([...random, ...fixed]);
  }, 120_000);
  const at = (c: AtCase, op: string): At12Observation => {
    const o = observations.find((x) => x.position === random.length + fixed.indexOf(c) && x.op === op);
    if (o === undefined) throw new Error(`no observation of ${op} for ${c.summary}`);
    return o;
  };

  it(`${SETUPS} random set-ups (seed ${SEED}): every PAR_EL1 from QEMU equals the model's, modulo the named departures`, () => {
    const obs = observations.filter((o) => o.position < random.length);
    const byClass = summariseAt12(obs);
    for (const [k, f] of byClass) console.log(`AT12 oracle: ${k}: ${f.compared} compared, ${f.identical} identical, departures ${JSON.stringify(f.departures)}, ${f.mismatches} mismatches`);
    expect(obs.filter((o) => o.verdict === "mismatch").map((o) => formatAt12Mismatch(random, o))).toEqual([]);
    expect(obs.length).toBeGreaterThanOrEqual(SETUPS * 30);
    const classes = [...byClass.keys()];
    if (SETUPS >= 300) {
      for (const k of [
        "S12 success, Normal", "S12 success, Device", "S12 with stage 2 off",
        "S12 translation fault, stage 2 of the output IPA", "S12 permission fault, stage 2 of the output IPA",
        "S12 access flag fault, stage 2 of the output IPA", "S12 address size fault, stage 2 of the output IPA",
        "S12 translation fault, stage 2 on a stage-1 table fetch", "S12 permission fault, stage 1", "S12 translation fault, stage 1",
      ]) expect(classes, k).toContain(k);
    }
    expect(obs.filter((o) => o.verdict === "identical").length).toBeGreaterThan(obs.length / 2);
  });

  it("departure pinned: s12-device-type: stage-1 Device-GRE over stage-2 Normal NC is Device-GRE in the Arm ARM, nGnRE in QEMU 7.2", () => {
    // 0x0c << 56 | PA 0x6600000000 | 0x800 | NS 0x200 | SH 0b10 << 7 (Device: Outer Shareable).
    const o = at(pins.deviceType, "s12e1r");
    expect([o.expectation.architectural, o.qemu, o.verdict]).toEqual([0x0c00_0066_0000_0b00n, 0x0400_0066_0000_0b00n, "s12-device-type"]);
    // AT S1E1R stops at the IPA with stage 1's own Device-GRE, where QEMU and the Arm ARM agree but for SH.
    expect(at(pins.deviceType, "s1e1r").expectation.architectural).toBe(0x0c00_0001_0034_5b00n);
  });

  it("departure pinned: s12-wt-transient: stage-1 WB transient over stage-2 WT keeps the transient hint in the Arm ARM, not in QEMU 7.2", () => {
    // Arm ARM: 0x11 (WT transient, W-allocate, inner and outer); QEMU 7.2: 0x99. SH: Inner (0b11 << 7).
    for (const op of ["s12e1r", "s12e1w", "s12e0r", "s12e0w"]) {
      const o = at(pins.wtTransient, op);
      expect([o.expectation.architectural, o.qemu, o.verdict], op).toEqual([0x1100_0066_0000_0b80n, 0x9900_0066_0000_0b80n, "s12-wt-transient"]);
    }
  });

  it("control: stage-1 Normal WB over stage-2 Device-nGnRE is Device-nGnRE, Outer Shareable, in both", () => {
    const o = at(pins.agreeing, "s12e0w");
    expect([o.qemu, o.verdict]).toEqual([0x0400_0066_0000_0b00n, "identical"]);
  });
});
