// AT S1E1R/W at EL2 on QEMU 7.2 against the model for address sizes (issue 14, "Translation"):
// hand-made set-ups, one per class, each with its PAR_EL1 worked out by hand from the Arm ARM
// (ARMv8.0 TranslationTableWalk; AArch64.S1Walk/S2Walk, AArch64.OAOutOfRange, the stage-2 start
// level rules) and QEMU's answer pinned where it departs:
//   PAR failure = F (1) | FST << 1 | PTW (1 << 8) | S (1 << 9) | RES1 (1 << 11);
//   FST: address size L0..L3 0x00-0x03, translation L0..L3 0x04-0x07.
// QEMU's cortex-a57 has PAMax 44 (ID_AA64MMFR0_EL1.PARange 0b0100), which two set-ups below
// show (an output address with bit 43 set translates, bit 44 faults); the random stream of test/oracle/at-agreement.test.ts covers the same
// classes with PS and SL0 varied (src/oracle/at-cases.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { TranslationTableBuilder, type TableBuilderOptions } from "../../src/runtime/mmu/builder.ts";
import type { TranslationRegisters } from "../../src/runtime/mmu/registers.ts";
import {
  AT_TABLE_POOL_FOR_TESTS, makeAtCase, missingOracleTools, ORACLE_INSTALL, qemu72Par, RecordingMemory, runAtBatch,
  type AtBatch, type AtCase, type AtObservation,
} from "../../src/oracle/index.ts";

const missing = missingOracleTools();
if (missing.length > 0 && !process.env.CI) console.warn(`QEMU oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);
if (missing.length > 0 && process.env.CI) {
  describe("QEMU oracle (AT, address sizes)", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

const VA = 0x4000_0000n;
/** VA 0x40000000 -> IPA 0x40000000 (one page; with 30-bit VAs also VA 0x10000000). */
function setUp(summary: string, options: Omit<TableBuilderOptions, "memory" | "tablePool">, edit: (b: TranslationTableBuilder) => void = () => {}, regs: (r: TranslationRegisters) => TranslationRegisters = (r) => r): AtCase {
  const memory = new RecordingMemory();
  const b = new TranslationTableBuilder({ memory, tablePool: AT_TABLE_POOL_FOR_TESTS, ...options });
  if ((options.vaBits ?? 48) > 30) b.mapStage1(VA, VA, 0x1000n);
  else b.mapStage1(VA >> 2n, VA, 0x1000n);
  edit(b);
  return makeAtCase(-1, summary, memory, regs(b.registers()), [(options.vaBits ?? 48) > 30 ? VA + 0x123n : (VA >> 2n) + 0x123n]);
}

/** [summary, set-up, Arm ARM PAR, QEMU 7.2 PAR, verdict] */
type Pin = readonly [AtCase, bigint, bigint, AtObservation["verdict"]];

const OK = 0xff00_0000_4000_0b80n; // Normal WB (0xff), PA 0x40000000, RES1, NS, SH 0b11
const pins: Record<string, Pin> = {
  // Stage 1 against TCR_EL1.IPS (40 bits).
  "s1 leaf beyond IPS": [setUp("IPS 40, page output 2^41", { ipsBits: 40 }, (b) => b.writeStage1Entry(VA, 3, b.readStage1Entry(VA, 3) | (1n << 41n))), 0x807n, 0x807n, "identical"],
  "s1 table descriptor beyond IPS": [setUp("IPS 40, level-1 descriptor names a table at 2^42", { ipsBits: 40 }, (b) => b.setTableAddressBit(1, VA, 2, 42)), 0x803n, 0x803n, "identical"],
  "TTBR0 beyond IPS": [setUp("IPS 40, TTBR0 bit 41", { ipsBits: 40 }, (b) => b.setTableAddressBit(1, VA, 0, 41)), 0x801n, 0x801n, "identical"],
  "s1 leaf beyond PAMax, IPS 48": [setUp("IPS 48 > PAMax 44, page output 2^45", {}, (b) => b.writeStage1Entry(VA, 3, b.readStage1Entry(VA, 3) | (1n << 45n))), 0x807n, 0x807n, "identical"],
  // QEMU's PAMax is 44, not 40: output bit 43 translates (PAR.PA holds it), bit 44 faults.
  "PAMax 44: output bit 43 inside": [setUp("IPS 48, page output 2^43", {}, (b) => b.writeStage1Entry(VA, 3, b.readStage1Entry(VA, 3) | (1n << 43n))), OK | (1n << 43n), OK | (1n << 43n), "identical"],
  "PAMax 44: output bit 44 beyond": [setUp("IPS 48, page output 2^44", {}, (b) => b.writeStage1Entry(VA, 3, b.readStage1Entry(VA, 3) | (1n << 44n))), 0x807n, 0x807n, "identical"],
  // Stage 2 against VTCR_EL2.PS (40 bits), met on the stage-1 walk: PTW, S.
  "VTTBR beyond PS": [setUp("PS 40, VTTBR bit 41, 39-bit VA", { vaBits: 39, stage2: { ipaBits: 40, paBits: 40 } }, (b) => b.setTableAddressBit(2, 0n, 1, 41)), 0xb01n, 0xb03n, "ptw-fault-level"],
  // (That stage-2 level-3 table maps every stage-1 table page, so the first fetch, stage-1 level 0, meets it.)
  "s2 table descriptor beyond PS": [setUp("PS 40, stage-2 level-2 descriptor of the stage-1 level-1 table's IPA beyond", { stage2: { ipaBits: 40, paBits: 40 } }, (b) => b.setTableAddressBit(2, b.stage1TableIpa(VA, 1), 3, 42)), 0xb05n, 0xb01n, "ptw-fault-level"],
  "s2 page of a stage-1 table beyond PS": [setUp("PS 40, the stage-2 page of the stage-1 level-1 table at PA 2^42", { stage2: { ipaBits: 40, paBits: 40 } }, (b) => b.setStage1TablePageOutputBit(VA, 1, 42)), 0xb07n, 0xb03n, "ptw-fault-level"],
  // VTCR_EL2.SL0 and T0SZ.
  "SL0 unusable, 48-bit VA": [setUp("40-bit IPA, SL0 0 (level 2: 2^19 entries)", { stage2: { ipaBits: 40, sl0: 0 } }), 0xb09n, 0xb09n, "identical"],
  "SL0 unusable, 39-bit VA": [setUp("40-bit IPA, SL0 0, 39-bit VA (stage 1 from level 1)", { vaBits: 39, stage2: { ipaBits: 40, sl0: 0 } }), 0xb09n, 0xb0bn, "ptw-fault-level"],
  "SL0 3 (4K: level -1)": [setUp("40-bit IPA, SL0 3", { stage2: { ipaBits: 40, sl0: 3 } }), 0xb09n, 0xb09n, "identical"],
  "SL0 usable, concatenated": [setUp("40-bit IPA from level 1: two concatenated pages", { stage2: { ipaBits: 40, startLevel: 1 } }), OK, OK, "identical"],
  "SL0 usable, level 0 of a 44-bit IPA, PS 44": [setUp("44-bit IPA from level 0, PS 44", { stage2: { ipaBits: 44, paBits: 44, startLevel: 0 } }), OK, OK, "identical"],
  // QEMU 7.2 checks the start level and IPA size against PS, not PAMax.
  "IPA 44 from level 0, PS 40": [setUp("44-bit IPA from level 0, PS 40", { stage2: { ipaBits: 44, paBits: 40, startLevel: 0 } }), OK, 0xb09n, "s2-size-checks-ps"],
  "IPA 42 from level 1, PS 40, 39-bit VA": [setUp("42-bit IPA from level 1, PS 40, 39-bit VA", { vaBits: 39, stage2: { ipaBits: 42, paBits: 40, startLevel: 1 } }), OK, 0xb0bn, "s2-size-checks-ps"],
  "IPA 40, PS 36, 30-bit VA": [setUp("40-bit IPA, PS 36, 30-bit VA (stage 1 from level 2)", { vaBits: 30, stage2: { ipaBits: 40, paBits: 36 } }), OK, 0xb0dn, "s2-size-checks-ps"],
};

describe("QEMU 7.2's value derived from the architectural one (no QEMU needed)", () => {
  for (const [name, [c, architectural, qemu, verdict]] of Object.entries(pins)) {
    it(`${name}: ${verdict}`, () => {
      for (const access of ["read", "write"] as const) {
        const e = qemu72Par(c.registers, c.memory, c.probes[0], access);
        expect([e.architectural, e.qemu72, e.departure ?? "identical"]).toEqual([architectural, qemu, verdict]);
      }
    });
  }
});

describe.skipIf(missing.length > 0)("QEMU oracle (AT S1E1R/W): address sizes, pinned", () => {
  const names = Object.keys(pins);
  const cases = names.map((n, i) => ({ ...pins[n][0], index: i }));
  let batch: AtBatch;
  beforeAll(() => {
    batch = runAtBatch(cases);
  }, 60_000);

  for (const [i, name] of names.entries()) {
    const [, architectural, qemu, verdict] = pins[name];
    it(`${name}: Arm ARM 0x${architectural.toString(16)}, QEMU 7.2 0x${qemu.toString(16)} (${verdict})`, () => {
      const obs = batch.observations.filter((o) => o.position === i);
      expect(obs.length).toBe(2);
      for (const o of obs) expect([o.expectation.architectural, o.qemu, o.verdict], `${o.access}`).toEqual([architectural, qemu, verdict]);
    });
  }
});
