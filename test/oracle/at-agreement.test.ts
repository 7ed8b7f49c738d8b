// AT agreement with QEMU 7.2 (issue 6, section 1): seeded random translation set-ups built with the
// project's TranslationTableBuilder, run in ONE QEMU boot of the bare-metal harness at EL2 (AT S1E1R
// and AT S1E1W per probed VA), beside the model's addressTranslateS1E1 (PAMax 44). Bit-identical
// PAR_EL1 values are required, except for QEMU 7.2's documented departures from the Arm ARM
// (src/oracle/at-oracle.ts), which are pinned below on hand-made set-ups together with a third one
// this oracle found (a level-0 block descriptor with the 4K granule; docs/FINDINGS.md).
//
// More set-ups: FAULTC_ORACLE_SETUPS=2000 (default 300), another stream: FAULTC_ORACLE_SEED=n.
// Without qemu-system-aarch64 or aarch64-linux-gnu-gcc the suite is skipped with a message, except
// under CI (process.env.CI), where it fails.
import { beforeAll, describe, expect, it } from "vitest";
import { MAIR_INDEX, TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { SH } from "../../src/runtime/mmu/descriptor-encoding.ts";
import {
  AT_TABLE_POOL_FOR_TESTS, formatMismatch, generateAtCases, makeAtCase, missingOracleTools, ORACLE_INSTALL, RecordingMemory,
  runAtBatch, summariseAt, type AtBatch, type AtCase, type AtObservation,
} from "../../src/oracle/index.ts";

const missing = missingOracleTools();
const SETUPS = Number(process.env.FAULTC_ORACLE_SETUPS ?? 300);
const SEED = Number(process.env.FAULTC_ORACLE_SEED ?? 1);
if (missing.length > 0 && !process.env.CI) {
  console.warn(`QEMU oracle tests skipped: ${missing.join(", ")} not found. Install with: ${ORACLE_INSTALL}`);
}

if (missing.length > 0 && process.env.CI) {
  describe("QEMU oracle (AT)", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

/** Hand-made set-ups (positions after the random ones). */
function builder(stage2: boolean): { b: TranslationTableBuilder; memory: RecordingMemory } {
  const memory = new RecordingMemory();
  const b = new TranslationTableBuilder({ memory, tablePool: AT_TABLE_POOL_FOR_TESTS, ...(stage2 ? { stage2: { ipaBits: 40 } } : {}) });
  return { b, memory };
}

function pinned(): { ptw: AtCase; sh: AtCase; level0Block: AtCase; control: AtCase } {
  // PTW: VA 0x40000000 (2M block -> IPA 0x40000000); the stage-1 level-1 table's page is unmapped
  // at stage-2 level 3. 48-bit VA: stage 1 starts at level 0, so the level-1 fetch fails.
  const p = builder(true);
  p.b.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2 });
  p.b.unmapStage2(p.b.stage1TableIpa(0x4000_0000n, 1), 3);
  const ptw = makeAtCase(-1, "pinned: PTW fault on the level-1 table fetch", p.memory, p.b.registers(), [0x4000_1234n]);

  // SH: a Device-nGnRE 2M block with descriptor SH=0b11, and a Normal NC page with SH=0b00.
  const s = builder(false);
  s.b.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2, attrIndx: MAIR_INDEX.DEVICE_nGnRE, sh: SH.INNER });
  s.b.mapStage1(0x1234_5000n, 0x5432_1000n, 0x1000n, { attrIndx: MAIR_INDEX.NORMAL_NC, sh: SH.NON_SHAREABLE });
  const sh = makeAtCase(-2, "pinned: Device and Normal NC shareability", s.memory, s.b.registers(), [0x4000_1234n, 0x1234_5678n]);

  // A block descriptor (bits[1:0] = 0b01, AF=1, AttrIndx 0) at level 0 for VA 0x800000000000.
  const z = builder(false);
  z.b.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2 });
  z.b.writeStage1Entry(0x8000_0000_0000n, 0, 0x401n);
  const level0Block = makeAtCase(-3, "pinned: level-0 block descriptor, 4K granule", z.memory, z.b.registers(), [0x8000_0000_1234n]);

  // Negative control: QEMU gets a page with AF=0 where the model's copy has AF=1. The harness and
  // the comparison must see the difference (the oracle can fail).
  const qemuSide = builder(false);
  qemuSide.b.mapStage1(0x1234_5000n, 0x5432_1000n, 0x1000n, { af: false });
  const modelSide = builder(false);
  modelSide.b.mapStage1(0x1234_5000n, 0x5432_1000n, 0x1000n);
  const control = {
    ...makeAtCase(-4, "control: AF differs between QEMU's and the model's copy", modelSide.memory, modelSide.b.registers(), [0x1234_5008n]),
    image: makeAtCase(-4, "", qemuSide.memory, qemuSide.b.registers(), []).image,
  };
  return { ptw, sh, level0Block, control };
}

describe.skipIf(missing.length > 0)("QEMU oracle (AT)", () => {
  const random = generateAtCases(SEED, SETUPS);
  const pins = pinned();
  const fixed = [pins.ptw, pins.sh, pins.level0Block, pins.control];
  let batch: AtBatch;
  beforeAll(() => {
    batch = runAtBatch([...random, ...fixed]);
  }, 60_000);
  const at = (c: AtCase): AtObservation[] => batch.observations.filter((o) => o.position === random.length + fixed.indexOf(c));

  it(`${SETUPS} random set-ups (seed ${SEED}): every PAR_EL1 from QEMU equals the model's, modulo the documented departures`, () => {
    const randomBatch: AtBatch = { ...batch, observations: batch.observations.filter((o) => o.position < random.length) };
    const s = summariseAt(SEED, random, randomBatch);
    console.log(
      `AT oracle: ${s.setups} set-ups, ${s.compared} AT instructions: ${s.identical} identical, ` +
        `${s.departures["ptw-fault-level"]} PTW-level and ${s.departures["sh-device-nc"]} Device/NC-SH and ${s.departures["s2-size-checks-ps"]} stage-2-size-against-PS departures, ${s.mismatches.length} mismatches; ` +
        `QEMU ${s.qemuMs.toFixed(0)} ms per boot, model ${s.modelMs.toFixed(0)} ms`,
    );
    expect(s.mismatches.map(formatMismatch)).toEqual([]);
    // Several hundred set-ups give thousands of ATs across the outcome classes.
    expect(s.compared).toBeGreaterThanOrEqual(SETUPS * 10);
    const classes = [...s.classes.keys()];
    for (const k of ["ok", "fault 0x00", "fault 0x04", "fault 0x05", "fault 0x06", "fault 0x07", "fault 0x09", "fault 0x0a", "fault 0x0b", "fault 0x0d", "fault 0x0e", "fault 0x0f", "ptw 0x04", "ptw 0x05", "ptw 0x06", "ptw 0x0d"]) {
      if (SETUPS >= 300) expect(classes, k).toContain(k);
    }
    expect(s.identical).toBeGreaterThan(s.compared / 2);
    expect(s.departures["ptw-fault-level"]).toBeGreaterThan(0);
    expect(s.departures["sh-device-nc"]).toBeGreaterThan(0);
    if (SETUPS >= 300) expect(s.departures["s2-size-checks-ps"]).toBeGreaterThan(0);
  });

  it("departure pinned: PTW fault FST carries the stage-1 level in QEMU 7.2, the stage-2 level in the Arm ARM", () => {
    // Arm ARM: stage-2 level 3, FST 0x07: 0x800 | S 0x200 | PTW 0x100 | 0x07 << 1 | F = 0xb0f.
    // QEMU 7.2: the stage-1 level of the failed fetch, 1: FST 0x05 -> 0xb0b.
    const obs = at(pins.ptw);
    expect(obs.map((o) => [o.access, o.expectation.architectural, o.qemu, o.verdict])).toEqual([
      ["read", 0xb0fn, 0xb0bn, "ptw-fault-level"],
      ["write", 0xb0fn, 0xb0bn, "ptw-fault-level"],
    ]);
  });

  it("departure pinned: PAR.SH for Device and Normal NC memory is 0b10 in the Arm ARM, the descriptor's SH in QEMU 7.2", () => {
    // Device-nGnRE (ATTR 0x04) 2M block at PA 0x40000000, descriptor SH 0b11:
    //   0x04 << 56 | 0x40001 << 12 | 0x800 | NS 0x200 | SH: 0b10 << 7 = 0x100 (Arm ARM), 0b11 << 7 = 0x180 (QEMU).
    // Normal NC (ATTR 0x44) page at PA 0x54321000, descriptor SH 0b00: 0x100 (Arm ARM), 0 (QEMU).
    const obs = at(pins.sh).filter((o) => o.access === "read");
    expect(obs.map((o) => [o.expectation.architectural, o.qemu, o.verdict])).toEqual([
      [0x0400_0000_4000_1b00n, 0x0400_0000_4000_1b80n, "sh-device-nc"],
      [0x4400_0000_5432_1b00n, 0x4400_0000_5432_1a00n, "sh-device-nc"],
    ]);
  });

  it("departure found by the oracle, pinned: QEMU 7.2 takes a level-0 block descriptor (4K granule) as a 512G block", () => {
    // Arm ARM (ARMv8.0, 4K granule): a level-0 descriptor with bits[1:0] = 0b01 is invalid, a
    // Translation fault at level 0: 0x800 | 0x04 << 1 | 1 = 0x809. QEMU 7.2 translates VA
    // 0x800000001234 through it to PA VA[38:0] = 0x1234: 0xff << 56 | 0x1 << 12 | 0x800 | NS 0x200 | SH 0 = 0xff00000000001a00.
    const obs = at(pins.level0Block);
    expect(obs.map((o) => [o.expectation.architectural, o.qemu, o.verdict])).toEqual([
      [0x809n, 0xff00_0000_0000_1a00n, "mismatch"],
      [0x809n, 0xff00_0000_0000_1a00n, "mismatch"],
    ]);
  });

  it("negative control: a set-up that differs between QEMU's copy and the model's is caught", () => {
    // QEMU's page has AF=0: Access flag fault at level 3, FST 0x0b -> 0x817; the model's copy maps
    // PA 0x54321000: 0xff00000054321b80.
    const obs = at(pins.control);
    expect(obs.map((o) => [o.qemu, o.expectation.architectural, o.verdict])).toEqual([
      [0x817n, 0xff00_0000_5432_1b80n, "mismatch"],
      [0x817n, 0xff00_0000_5432_1b80n, "mismatch"],
    ]);
  });
});
