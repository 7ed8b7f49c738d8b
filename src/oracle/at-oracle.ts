// AT agreement between the MMU model and QEMU 7.2 (issue 6, section 1): one QEMU boot runs every
// set-up's AT S1E1R and AT S1E1W at EL2; the model computes PAR_EL1 for the same set-ups with
// addressTranslateS1E1 (PAMax 44, as QEMU's cortex-a57). The values must be bit-identical, except
// where QEMU 7.2 departs from the Arm ARM in one of the two documented ways (FACTS.md, last
// section; docs/FINDINGS.md "QEMU 7.2 and the model"), for which qemu72Par derives QEMU's value
// from the architectural one and the walk, and nothing else:
//
//  - "ptw-fault-level": a stage-2 fault on a stage-1 table walk. The Arm ARM (AArch64.S2Translate
//    called from AArch64.S1Walk with s2fs1walk; PAR_EL1.FST "the fault status code, as shown in
//    the ESR_ELx") reports the stage-2 lookup level in FST; QEMU 7.2 reports the stage-1 level
//    whose table fetch failed.
//  - "sh-device-nc": a successful stage-1 translation to Device or Normal Inner and Outer
//    Non-cacheable memory. The Arm ARM (PAR_EL1.SH: "for Device and Normal Inner Non-cacheable,
//    Outer Non-cacheable memory, the value is 0b10", EffectiveShareability) fixes SH=0b10; QEMU
//    7.2 returns the descriptor's SH field.
//
//  - "s2-size-checks-ps": stage 2 whose start level or IPA size (VTCR_EL2.SL0, T0SZ) the Arm ARM
//    accepts against PAMax (ARMv8.0 TranslationTableWalk; AArch64.S2InvalidSL/S2InconsistentSL)
//    but QEMU 7.2 refuses against VTCR_EL2.PS: an IPA size beyond PS, or a 4K level-0 start with PS
//    at most 42 bits. QEMU faults the first stage-1 table fetch with a stage-2 Translation fault
//    (PTW, at the stage-1 level, as in "ptw-fault-level"); the Arm ARM walks.
//
// NS (bit 9) of a successful PAR is UNKNOWN for a Non-secure regime; the model writes 1, as QEMU
// does in Non-secure state, so it is compared like every other bit.
import { addressTranslateS1E1In, type AtAccess } from "../runtime/mmu/at.ts";
import type { AccessDescriptor } from "../runtime/mmu/access.ts";
import { shareabilityField } from "../runtime/mmu/descriptor.ts";
import { failure, success } from "../runtime/mmu/fault.ts";
import { REGISTER_NAMES, translationContextOf, type TranslationRegisters } from "../runtime/mmu/registers.ts";
import { stage2Enabled } from "../runtime/mmu/regime.ts";
import { s1StartLevel, s2StartLevel, s2StartLevelIsConsistent } from "../runtime/mmu/start-level.ts";
import { s1Walk } from "../runtime/mmu/s1-walk.ts";
import { s2Translate } from "../runtime/mmu/s2-translate.ts";
import { getS1TTWParams, getS2TTWParams } from "../runtime/mmu/walk-params.ts";
import type { PhysicalMemory } from "../runtime/memory.ts";
import { generateAtCases, serialiseAtCases, type AtCase } from "./at-cases.ts";
import { QEMU_A57_PA_BITS } from "./layout.ts";
import { parseAtOutput } from "./output.ts";
import { buildHarness, disposeHarness, runQemu, QEMU_TIMEOUT_MS } from "./qemu.ts";

export type Qemu72Departure = "ptw-fault-level" | "sh-device-nc" | "s2-size-checks-ps";
export const QEMU72_DEPARTURES: readonly Qemu72Departure[] = ["ptw-fault-level", "sh-device-nc", "s2-size-checks-ps"];

const SET_UP_REGISTERS: ReadonlySet<string> = new Set(REGISTER_NAMES);

export function sysregOf(regs: TranslationRegisters): (name: string) => bigint {
  return (name) => {
    if (!SET_UP_REGISTERS.has(name)) throw new Error(`no register ${name} in the AT set-up`);
    return regs[name as keyof TranslationRegisters];
  };
}

/** The model's PAR_EL1 after AT S1E1R/W (access "read"/"write") at EL2, with QEMU's cortex-a57 PAMax. */
export function modelPar(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, access: AtAccess): bigint {
  return addressTranslateS1E1In(translationContextOf(regs, memory, QEMU_A57_PA_BITS), va, access);
}

export interface WalkFacts {
  /** Stage-1 level whose descriptor fetch met a stage-2 fault. */
  readonly fetchFaultLevel: number | undefined;
  /** Stage-1 level of the walk's first descriptor fetch (undefined: the walk fetched nothing). */
  readonly firstFetchLevel: number | undefined;
  /** The leaf descriptor, when the walk reached one. */
  readonly leaf: bigint | undefined;
}

/** Replays the stage-1 walk, noting which stage-1 level's fetch stage 2 refused and the leaf. */
export function stage1WalkFacts(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, access: AtAccess): WalkFacts {
  const ctx = translationContextOf(regs, memory, QEMU_A57_PA_BITS);
  const params = getS1TTWParams(ctx, va);
  const start = s1StartLevel(params.geometry, params.inputsize);
  const ad: AccessDescriptor = { kind: "AT", write: access === "write", el: 1 };
  const s2 = stage2Enabled(ctx);
  let fetches = 0;
  let fetchFaultLevel: number | undefined;
  const walked = s1Walk(ctx, params, va, ad, (ipa) => {
    const level = start + fetches++;
    if (!s2) return success(ipa);
    const r = s2Translate(ctx, ipa, ad, true);
    if (r.ok) return success(r.value.pa);
    fetchFaultLevel = level;
    return failure(r.fault);
  });
  return { fetchFaultLevel, firstFetchLevel: fetches > 0 ? start : undefined, leaf: walked.ok ? walked.value.descriptor : undefined };
}

/** qemu72RefusesStage2 by set-up registers (a function of them alone: PAMax is QEMU's); a set-up asks once per AT. */
const refusesStage2 = new WeakMap<TranslationRegisters, boolean>();

/** Stage 2 that the Arm ARM walks (sizes checked against PAMax) and QEMU 7.2 refuses (checked against VTCR_EL2.PS). */
export function qemu72RefusesStage2(regs: TranslationRegisters, memory: PhysicalMemory): boolean {
  let refuses = refusesStage2.get(regs);
  if (refuses === undefined) {
    refuses = decideQemu72RefusesStage2(regs, memory);
    refusesStage2.set(regs, refuses);
  }
  return refuses;
}

function decideQemu72RefusesStage2(regs: TranslationRegisters, memory: PhysicalMemory): boolean {
  const ctx = translationContextOf(regs, memory, QEMU_A57_PA_BITS);
  if (!stage2Enabled(ctx)) return false;
  const p = getS2TTWParams(ctx);
  const level = s2StartLevel(p.geometry, p.sl0);
  const walks = (size: number) => p.inputsize <= size && s2StartLevelIsConsistent(p.geometry, level, p.inputsize, size);
  return walks(ctx.paMax) && !walks(p.outputsize);
}

const PAR_F = 1n;
const PAR_PTW = 1n << 8n;
const PAR_FST_LEVEL = 0b11n << 1n;
const PAR_SH = 0b11n << 7n;
const PAR_S = 1n << 9n;
const PAR_RES1 = 1n << 11n;

export interface ParExpectation {
  /** The Arm ARM's value (the model's). */
  readonly architectural: bigint;
  /** What QEMU 7.2 returns. */
  readonly qemu72: bigint;
  /** The documented departure that makes them differ, if they do. */
  readonly departure: Qemu72Departure | undefined;
}

/** The architectural PAR and the one QEMU 7.2 gives, which differ only by a documented departure. */
export function qemu72Par(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, access: AtAccess): ParExpectation {
  return qemu72Expectation(regs, memory, va, access, modelPar(regs, memory, va, access));
}

/**
 * What QEMU 7.2 gives beside the model's `architectural` PAR (modelPar's): the oracle's knowledge
 * of QEMU, not the model's work, so the model's time is modelPar's alone.
 */
export function qemu72Expectation(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, access: AtAccess, architectural: bigint): ParExpectation {
  let qemu72 = architectural;
  let departure: Qemu72Departure | undefined;
  const firstFetch = qemu72RefusesStage2(regs, memory) ? stage1WalkFacts(regs, memory, va, access).firstFetchLevel : undefined;
  if (firstFetch !== undefined) {
    // F, FST = Translation (0b0001LL) at the stage-1 level of the first fetch, PTW, S, RES1.
    qemu72 = PAR_F | ((0x04n | BigInt(firstFetch)) << 1n) | PAR_PTW | PAR_S | PAR_RES1;
    departure = "s2-size-checks-ps";
  } else if ((architectural & PAR_F) !== 0n && (architectural & PAR_PTW) !== 0n) {
    const { fetchFaultLevel } = stage1WalkFacts(regs, memory, va, access);
    if (fetchFaultLevel === undefined) throw new Error(`PAR 0x${architectural.toString(16)} has PTW set, but no stage-1 fetch failed at stage 2`);
    qemu72 = (architectural & ~PAR_FST_LEVEL) | (BigInt(fetchFaultLevel) << 1n);
    departure = "ptw-fault-level";
  } else if ((architectural & PAR_F) === 0n) {
    const attr = architectural >> 56n;
    if ((attr & 0xf0n) === 0n || attr === 0x44n) {
      const { leaf } = stage1WalkFacts(regs, memory, va, access);
      if (leaf === undefined) throw new Error(`PAR 0x${architectural.toString(16)} is a success, but the walk found no leaf`);
      qemu72 = (architectural & ~PAR_SH) | (BigInt(shareabilityField(leaf)) << 7n);
      departure = "sh-device-nc";
    }
  }
  return { architectural, qemu72, departure: qemu72 === architectural ? undefined : departure };
}

export interface AtMismatch {
  readonly summary: string;
  readonly caseIndex: number;
  readonly va: bigint;
  readonly access: AtAccess;
  readonly qemu: bigint;
  readonly model: bigint;
  readonly expectedQemu: bigint;
}

export interface AtAgreement {
  readonly seed: number;
  readonly setups: number;
  /** AT instructions compared (two per probe). */
  readonly compared: number;
  /** Bit-identical to the model's (architectural) value. */
  readonly identical: number;
  /** Equal to QEMU 7.2's value derived through one documented departure. */
  readonly departures: Readonly<Record<Qemu72Departure, number>>;
  readonly mismatches: readonly AtMismatch[];
  /** Outcome classes seen in QEMU's answers (e.g. "ok", "fault 0x07", "ptw 0x25"). */
  readonly classes: ReadonlyMap<string, number>;
  /** QEMU's boot-and-run time (ms) and the model's time for the same set-ups (ms, AT only). */
  readonly qemuMs: number;
  readonly modelMs: number;
}

function classOf(par: bigint): string {
  if ((par & PAR_F) === 0n) return "ok";
  const fst = Number((par >> 1n) & 0x3fn);
  return `${(par & PAR_PTW) !== 0n ? "ptw" : "fault"} 0x${fst.toString(16).padStart(2, "0")}`;
}

export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

export function formatMismatch(m: AtMismatch): string {
  return `${m.summary}: AT S1E1${m.access === "read" ? "R" : "W"} ${hex(m.va)}: QEMU ${hex(m.qemu)}, model ${hex(m.model)}` +
    (m.expectedQemu !== m.model ? ` (QEMU 7.2 expected ${hex(m.expectedQemu)})` : "");
}

/** One AT instruction's answer from QEMU beside the model's. */
export interface AtObservation {
  /** Position of the set-up in the batch. */
  readonly position: number;
  readonly probe: number;
  readonly va: bigint;
  readonly access: AtAccess;
  readonly qemu: bigint;
  readonly expectation: ParExpectation;
  /** identical: QEMU gave the architectural value; a departure: QEMU 7.2's documented value. */
  readonly verdict: "identical" | Qemu72Departure | "mismatch";
}

export interface AtBatch {
  readonly observations: readonly AtObservation[];
  /** QEMU's boot-and-run time, and the model's time for the same ATs (ms). */
  readonly qemuMs: number;
  readonly modelMs: number;
}

/** Runs the set-ups in one QEMU boot and sets every PAR beside the model's (time limit: 10 s + 5 ms a set-up). */
export function runAtBatch(cases: readonly AtCase[], timeoutMs: number = QEMU_TIMEOUT_MS + 5 * cases.length): AtBatch {
  const image = buildHarness(serialiseAtCases(cases));
  let run;
  try {
    run = runQemu(image.elf, timeoutMs);
  } finally {
    disposeHarness(image);
  }
  const results = parseAtOutput(run, cases.map((c) => c.probes.length));
  const observations: AtObservation[] = [];
  let modelMs = 0;
  for (const r of results) {
    const c = cases[r.caseIndex];
    const va = c.probes[r.probe];
    for (const [access, qemu] of [["read", r.read], ["write", r.write]] as const) {
      const t0 = performance.now();
      const par = modelPar(c.registers, c.memory, va, access);
      modelMs += performance.now() - t0;
      const e = qemu72Expectation(c.registers, c.memory, va, access, par);
      const verdict = qemu === e.architectural ? "identical" : qemu === e.qemu72 && e.departure !== undefined ? e.departure : "mismatch";
      observations.push({ position: r.caseIndex, probe: r.probe, va, access, qemu, expectation: e, verdict });
    }
  }
  return { observations, qemuMs: run.ms, modelMs };
}

/** Counts a batch's verdicts; mismatches are listed with their set-up. */
export function summariseAt(seed: number, cases: readonly AtCase[], batch: AtBatch): AtAgreement {
  const departures: Record<Qemu72Departure, number> = { "ptw-fault-level": 0, "sh-device-nc": 0, "s2-size-checks-ps": 0 };
  const mismatches: AtMismatch[] = [];
  const classes = new Map<string, number>();
  let identical = 0;
  for (const o of batch.observations) {
    classes.set(classOf(o.qemu), (classes.get(classOf(o.qemu)) ?? 0) + 1);
    if (o.verdict === "identical") identical++;
    else if (o.verdict === "mismatch") {
      const c = cases[o.position];
      mismatches.push({ summary: c.summary, caseIndex: c.index, va: o.va, access: o.access, qemu: o.qemu, model: o.expectation.architectural, expectedQemu: o.expectation.qemu72 });
    } else departures[o.verdict]++;
  }
  return {
    seed,
    setups: cases.length,
    compared: batch.observations.length,
    identical,
    departures,
    mismatches,
    classes: new Map([...classes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    qemuMs: batch.qemuMs,
    modelMs: batch.modelMs,
  };
}

export interface AtOracleOptions {
  readonly seed: number;
  readonly setups: number;
  readonly timeoutMs?: number;
}

/** Generates `setups` set-ups from `seed`, runs them in one QEMU boot, and compares every PAR. */
export function runAtOracle(opts: AtOracleOptions): AtAgreement {
  const cases = generateAtCases(opts.seed, opts.setups);
  return summariseAt(opts.seed, cases, opts.timeoutMs === undefined ? runAtBatch(cases) : runAtBatch(cases, opts.timeoutMs));
}
