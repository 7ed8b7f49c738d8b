// Two-stage AT agreement between the MMU model and QEMU 7.2 (issue 14): one QEMU boot runs, at
// EL2, AT S1E1R, S1E1W, S12E1R, S12E1W, S12E0R and S12E0W on every probed VA of every set-up
// (at12-cases.ts, qemu/at12-harness.c); the model computes each PAR_EL1 with translateAtOperation
// (PAMax 44, as QEMU's cortex-a57). The values must be bit-identical, except where QEMU 7.2
// departs from the Arm ARM in a named way, for which qemu72Par12 derives QEMU's value from the
// architectural one and the walk, and nothing else:
//
//  - "ptw-fault-level" and "sh-device-nc": as for AT S1E1R/W (at-oracle.ts). The second meets
//    AT S12* only with stage 2 off, where QEMU runs them as stage-1 operations.
//  - "s12-device-type": Device at one stage and Normal at the other. The Arm ARM
//    (S2CombineS1MemAttrs) gives the Device stage's type; QEMU 7.2 (combined_attrs_nofwb) picks
//    the Device type from both stages' low attribute nibbles, so a Normal inner nibble of 0b0100
//    (NC) or 0b1000 (WT, no allocation) reads as nGnRE or nGRE.
//  - "s12-wt-transient": stage-1 Write-Back transient (0b01RW) under stage-2 Write-Through. The
//    Arm ARM (S2CombineS1AttrHints) keeps stage 1's transient hint, Write-Through transient
//    (0b00RW); QEMU 7.2 (combine_cacheattr_nibble) makes it Write-Through non-transient (0b10RW).
import { fullTranslate } from "../runtime/mmu/full-translate.ts";
import { translateAtOperation } from "../runtime/mmu/at-operation.ts";
import { readTranslationContext, type TranslationRegisters } from "../runtime/mmu/registers.ts";
import { stage2Enabled } from "../runtime/mmu/regime.ts";
import type { PhysicalMemory } from "../runtime/memory.ts";
import { atTraits, type AtKind } from "../runtime/semantics/at-operations.ts";
import { serialiseAtCases, type AtCase } from "./at-cases.ts";
import { qemu72Par, stage1WalkFacts, sysregOf, type Qemu72Departure } from "./at-oracle.ts";
import { generateAt12Cases } from "./at12-cases.ts";
import { QEMU_A57_PA_BITS } from "./layout.ts";
import { harnessLines } from "./output.ts";
import { buildHarness, disposeHarness, HARNESS_DIR, OracleRunError, QEMU_TIMEOUT_MS, runQemu } from "./qemu.ts";

/** The operations the harness runs on each VA, in its output's order. */
export const AT12_OPERATIONS: readonly AtKind[] = ["s1e1r", "s1e1w", "s12e1r", "s12e1w", "s12e0r", "s12e0w"];

export type Qemu72At12Departure = Qemu72Departure | "s12-device-type" | "s12-wt-transient";
export const QEMU72_AT12_DEPARTURES: readonly Qemu72At12Departure[] = ["ptw-fault-level", "sh-device-nc", "s12-device-type", "s12-wt-transient"];

/** The model's PAR_EL1 after AT `op` at EL2, with QEMU's cortex-a57 PAMax. */
export function modelPar12(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, op: AtKind): bigint {
  return translateAtOperation({ va, ...atTraits(op), sysreg: sysregOf(regs), memory, paMaxBits: QEMU_A57_PA_BITS });
}

/** QEMU 7.2's stage-2 MemAttr in MAIR form (convert_stage2_attrs, HCR_EL2.CD clear): cacheable nibbles get RW-allocate hints. */
function qemuStage2Mair(memAttr: number): number {
  const hi = memAttr >> 2;
  const lo = memAttr & 0b11;
  if (hi === 0) return lo << 2;
  const hint = (x: number) => (x === 0b01 ? 0 : 0b11);
  return (hi << 6) | (hint(hi) << 4) | (lo << 2) | hint(lo);
}

/** QEMU 7.2's combination of one Normal nibble: NC wins, then stage 1 if Write-Through, then stage 2's Write-Through with stage 1's hints. */
function qemuNibble(s1: number, s2: number): number {
  if (s1 === 0b0100 || s2 === 0b0100) return 0b0100;
  if (s1 >> 2 === 0b00 || s1 >> 2 === 0b10) return s1;
  if (s2 >> 2 === 0b10) return 0b1000 | (s1 & 0b11);
  return s1;
}

/** QEMU 7.2's combined attributes (HCR_EL2.FWB clear), in MAIR form. */
export function qemu72CombinedAttr(s1Attr: number, s2MemAttr: number): number {
  const s2 = qemuStage2Mair(s2MemAttr);
  const [s1lo, s1hi, s2lo, s2hi] = [s1Attr & 0xf, s1Attr >> 4, s2 & 0xf, s2 >> 4];
  if (s1hi === 0 || s2hi === 0) {
    if (s1lo === 0 || s2lo === 0) return 0x00;
    if (s1lo === 0x4 || s2lo === 0x4) return 0x04;
    if (s1lo === 0x8 || s2lo === 0x8) return 0x08;
    return 0x0c;
  }
  return (qemuNibble(s1hi, s2hi) << 4) | qemuNibble(s1lo, s2lo);
}

export interface Par12Expectation {
  readonly architectural: bigint;
  readonly qemu72: bigint;
  readonly departure: Qemu72At12Departure | undefined;
}

const PAR_F = 1n;
const ATTR_SHIFT = 56n;

/** The architectural PAR and the one QEMU 7.2 gives for AT `op` on `va`, which differ only by a named departure. */
export function qemu72Par12(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, op: AtKind): Par12Expectation {
  const t = atTraits(op);
  const ctx = readTranslationContext(sysregOf(regs), memory, QEMU_A57_PA_BITS);
  if (t.stages === 1 && t.el === 1 && t.access !== "any") return qemu72Par(regs, memory, va, t.access);
  const architectural = modelPar12(regs, memory, va, op);
  const same = { architectural, qemu72: architectural, departure: undefined };
  if (!stage2Enabled(ctx) || (architectural & PAR_F) !== 0n) {
    // Stage 2 off, or a fault: what QEMU does for stage-1 AT, whose departures do not depend on the EL checked.
    if ((architectural & PAR_F) === 0n && !stage2Enabled(ctx)) {
      const s1 = qemu72Par(regs, memory, va, "read");
      const sh = 0b11n << 7n;
      return s1.departure === "sh-device-nc" ? { architectural, qemu72: (architectural & ~sh) | (s1.qemu72 & sh), departure: "sh-device-nc" } : same;
    }
    if ((architectural & (1n << 8n)) !== 0n) {
      const { fetchFaultLevel } = stage1WalkFacts(regs, memory, va, "read");
      if (fetchFaultLevel === undefined) throw new Error(`PAR 0x${architectural.toString(16)} has PTW set, but no stage-1 fetch failed at stage 2`);
      const qemu72 = (architectural & ~(0b11n << 1n)) | (BigInt(fetchFaultLevel) << 1n);
      return qemu72 === architectural ? same : { architectural, qemu72, departure: "ptw-fault-level" };
    }
    return same;
  }
  const full = fullTranslate(ctx, va, { kind: "AT", write: t.access === "write", el: t.el });
  if (!full.ok || full.value.s2 === undefined) throw new Error(`internal: PAR 0x${architectural.toString(16)} is a success, but the translation is not`);
  const qemuAttr = BigInt(qemu72CombinedAttr(full.value.s1.attrs.attr, full.value.s2.memAttr));
  const archAttr = architectural >> ATTR_SHIFT;
  if (qemuAttr === archAttr) return same;
  const qemu72 = (architectural & ((1n << ATTR_SHIFT) - 1n)) | (qemuAttr << ATTR_SHIFT);
  return { architectural, qemu72, departure: (archAttr & 0xf0n) === 0n ? "s12-device-type" : "s12-wt-transient" };
}

export interface At12Observation {
  readonly position: number;
  readonly probe: number;
  readonly va: bigint;
  readonly op: AtKind;
  readonly qemu: bigint;
  readonly expectation: Par12Expectation;
  readonly verdict: "identical" | Qemu72At12Departure | "mismatch";
  /** Whether stage 2 was on (HCR_EL2.VM). */
  readonly stage2: boolean;
}

const HEX = "0x[0-9a-f]{1,16}";
const PAR12_LINE = new RegExp(`^PAR12 (\\d+) (\\d+)${` (${HEX})`.repeat(AT12_OPERATIONS.length)}$`);

/** PAR12 lines, checked to come in order: every probe of every set-up exactly once. */
export function parseAt12Output(lines: readonly string[], probesPerCase: readonly number[]): { caseIndex: number; probe: number; pars: bigint[] }[] {
  const out: { caseIndex: number; probe: number; pars: bigint[] }[] = [];
  const expected = probesPerCase.flatMap((n, caseIndex) => Array.from({ length: n }, (_, probe) => ({ caseIndex, probe })));
  for (const [i, line] of lines.entries()) {
    const m = PAR12_LINE.exec(line);
    if (m === null) throw new OracleRunError(`unexpected harness output line: ${JSON.stringify(line)}`);
    const want = expected[i];
    if (want === undefined || Number(m[1]) !== want.caseIndex || Number(m[2]) !== want.probe) {
      throw new OracleRunError(`harness output out of order: ${JSON.stringify(line)}, expected ${want === undefined ? "no more lines" : `set-up ${want.caseIndex} probe ${want.probe}`}`);
    }
    out.push({ caseIndex: want.caseIndex, probe: want.probe, pars: m.slice(3).map((v) => BigInt(v)) });
  }
  if (out.length !== expected.length) throw new OracleRunError(`the harness printed ${out.length} PAR12 lines, expected ${expected.length}`);
  return out;
}

/** Runs the set-ups in one QEMU boot of qemu/at12-harness.c and sets every PAR beside the model's. */
export function runAt12Batch(cases: readonly AtCase[], timeoutMs: number = QEMU_TIMEOUT_MS + 10 * cases.length): At12Observation[] {
  const image = buildHarness(serialiseAtCases(cases), { main: `${HARNESS_DIR}at12-harness.c` });
  let run;
  try {
    run = runQemu(image.elf, timeoutMs);
  } finally {
    disposeHarness(image);
  }
  const results = parseAt12Output(harnessLines(run, cases.length), cases.map((c) => c.probes.length));
  const observations: At12Observation[] = [];
  for (const r of results) {
    const c = cases[r.caseIndex];
    const va = c.probes[r.probe];
    const stage2 = (c.registers.HCR_EL2 & 1n) !== 0n;
    AT12_OPERATIONS.forEach((op, k) => {
      const qemu = r.pars[k];
      const e = qemu72Par12(c.registers, c.memory, va, op);
      const verdict = qemu === e.architectural ? "identical" : qemu === e.qemu72 && e.departure !== undefined ? e.departure : "mismatch";
      observations.push({ position: r.caseIndex, probe: r.probe, va, op, qemu, expectation: e, verdict, stage2 });
    });
  }
  return observations;
}

/** The outcome class of an S12 observation, for the agreement figures. */
export function at12Class(o: At12Observation): string {
  const p = o.expectation.architectural;
  const stages = atTraits(o.op).stages === 12 ? "S12" : "S1";
  if (!o.stage2) return `${stages} with stage 2 off`;
  if ((p & PAR_F) === 0n) return `${stages} success, ${(p >> ATTR_SHIFT) & 0xf0n ? "Normal" : "Device"}`;
  const fst = Number((p >> 1n) & 0x3fn);
  const kind = ["address size", "translation", "access flag", "permission"][fst >> 2] ?? `FST 0x${fst.toString(16)}`;
  const where = (p & (1n << 8n)) !== 0n ? "stage 2 on a stage-1 table fetch" : (p & (1n << 9n)) !== 0n ? "stage 2 of the output IPA" : "stage 1";
  return `${stages} ${kind} fault, ${where}`;
}

export interface At12ClassFigures {
  readonly compared: number;
  readonly identical: number;
  readonly departures: Readonly<Partial<Record<Qemu72At12Departure, number>>>;
  readonly mismatches: number;
}

/** Per outcome class: how many ATs were compared, identical, through each named departure, or mismatched. */
export function summariseAt12(observations: readonly At12Observation[]): Map<string, At12ClassFigures> {
  const out = new Map<string, { compared: number; identical: number; departures: Partial<Record<Qemu72At12Departure, number>>; mismatches: number }>();
  for (const o of observations) {
    const k = at12Class(o);
    const f = out.get(k) ?? { compared: 0, identical: 0, departures: {}, mismatches: 0 };
    f.compared++;
    if (o.verdict === "identical") f.identical++;
    else if (o.verdict === "mismatch") f.mismatches++;
    else f.departures[o.verdict] = (f.departures[o.verdict] ?? 0) + 1;
    out.set(k, f);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function formatAt12Mismatch(cases: readonly AtCase[], o: At12Observation): string {
  const h = (v: bigint) => `0x${v.toString(16)}`;
  return `${cases[o.position].summary}: AT ${o.op.toUpperCase()} ${h(o.va)}: QEMU ${h(o.qemu)}, model ${h(o.expectation.architectural)}` +
    (o.expectation.qemu72 !== o.expectation.architectural ? ` (QEMU 7.2 expected ${h(o.expectation.qemu72)})` : "");
}

/** `setups` two-stage set-ups from `seed`, run in one QEMU boot. */
export function runAt12Oracle(seed: number, setups: number): { cases: AtCase[]; observations: At12Observation[] } {
  const cases = generateAt12Cases(seed, setups);
  return { cases, observations: runAt12Batch(cases) };
}
