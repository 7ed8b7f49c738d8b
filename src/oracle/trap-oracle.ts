// Real traps through the generated handler (issue 6, section 2). One QEMU boot runs every trap
// set-up: the guest at EL1 makes its access, QEMU takes the stage-2 fault to EL2 with its own
// ESR_EL2/FAR_EL2/HPFAR_EL2, and generated/kvm-2016.S (alternatives patched from QEMU's MIDR)
// handles it and records into the vcpu. The model then
//  - predicts the trap with trapFromGuestAccess on the same tables: where it goes (EL2, EL1, none),
//    ESR_EL2, FAR_EL2 and HPFAR_EL2 (where the architecture defines it);
//  - runs the same scenario (QEMU's syndrome values, QEMU's MIDR, the guest's PAR_EL1) with both
//    variants of dsl/kvm-2016.fault, #asm on the interpreter and #c through HypApi, which must
//    agree with QEMU on the outcome, the exit code, every recorded field and PAR_EL1 preservation.
//
// ESR_EL2 is compared whole: the model predicts the instruction syndrome from the instruction the
// guest executes (the case's input.instruction; src/runtime/scenario/syndrome.ts). One documented
// departure is added to the model's prediction, not a disagreement: QEMU 7.2's "ptw-fault-level":
// for S1PTW=1 the FSC level is the stage-1 level of the table fetch, where the Arm ARM reports the
// stage-2 lookup level. A second is named where QEMU reports no trap at all: "cmo-nop", QEMU 7.2
// executing DC CIVAC/CVAC/CVAU/IVAC and IC IVAU as no-ops, so they complete where the model (the
// Arm ARM) has them fault with CM=1.
// HPFAR_EL2 for a plain stage-2 permission fault is UNKNOWN (FACTS.md, R_FKLWR): QEMU's value is
// reported (it writes the faulting IPA), and the variants are run both with QEMU's value and with
// the seed's arbitrary one, which must give the same result (no rule of the file depends on it).
import * as path from "node:path";
import { ESR, ExceptionClass } from "../../generated/arch-facts.ts";
import { compileRuleFile } from "../codegen/compile.ts";
import { asmVariantTarget, cVariantTarget } from "../sides/rule-file.ts";
import type { HandlerTarget, RunResult } from "../runtime/run/types.ts";
import { hpfarForIpa, scenario, trapFromGuestAccess, type Scenario, type TrapOutcome } from "../runtime/scenario/index.ts";
import { VCPU_FAULT_FIELDS } from "../runtime/machine/vcpu-layout.ts";
import { harnessLines } from "./output.ts";
import { buildHarness, disposeHarness, HARNESS_DIR, OracleRunError, QEMU_TIMEOUT_MS, runQemu, type QemuRun } from "./qemu.ts";
import { guestStubsSource, guestStubTexts } from "./guest-stubs.ts";
import { parseGuestInstruction } from "../runtime/scenario/guest-instruction.ts";
import { generateTrapCases, serialiseTrapCases, type TrapCase } from "./trap-cases.ts";

export const TRAP_RULE_FILE = "dsl/kvm-2016.fault";
export const TRAP_HANDLER_S = "generated/kvm-2016.S";

const HEX = "0x[0-9a-f]{1,16}";
const HEADER = new RegExp(`^MIDR (${HEX}) CAPS (${HEX}) PATCHED (\\d+)$`);
const TRAP_LINE = new RegExp(`^TRAP (\\d+) (exit|retry|host_hvc|fpsimd_guest_restore)${` (${HEX})`.repeat(12)}$`);

export interface QemuTrap {
  readonly outcome: string;
  readonly code: bigint;
  readonly esr: bigint;
  readonly far: bigint;
  readonly hpfar: bigint;
  readonly elr: bigint;
  readonly parIn: bigint;
  readonly parOut: bigint;
  /** ESR_EL1 and FAR_EL1 after the run (zeroed before it): a stage-1 fault's syndrome and address. */
  readonly esrEl1: bigint;
  readonly farEl1: bigint;
  /** The vcpu's fault record as the generated handler left it, by field name. */
  readonly record: ReadonlyMap<string, bigint>;
}

export interface QemuTrapRun {
  readonly midr: bigint;
  readonly caps: bigint;
  readonly patched: number;
  readonly traps: readonly QemuTrap[];
  readonly ms: number;
}

/** What the trap harness links in as the EL2 handler of guest traps (qemu/trap-entry.S enters it). */
export interface TrapHandlerLink {
  /** Assembly or C sources (absolute paths) besides the harness's own. */
  readonly extraSources: readonly string[];
  readonly includeDirs?: readonly string[];
  /** Preprocessor definitions: a handler other than el1_sync sets TRAP_HANDLER and its harness mode. */
  readonly defines?: readonly string[];
  /** Sources generated for the run (written into the build directory). */
  readonly generatedSources?: readonly { readonly name: string; readonly text: string }[];
}

/** The generated handler (generated/kvm-2016.S with include/faultc-asm.h), entered at el1_sync. */
export function generatedHandlerLink(): TrapHandlerLink {
  return { extraSources: [path.resolve(TRAP_HANDLER_S)], includeDirs: [path.resolve("include")] };
}

/** One boot of the trap harness: its first line, and per case its TRAP line and the lines the handler's side printed after it. */
export interface TrapHarnessBoot {
  readonly first: string;
  readonly traps: readonly { readonly trap: QemuTrap; readonly after: readonly string[] }[];
  readonly ms: number;
}

/** Builds the trap harness with `handler` linked in, runs the set-ups in one boot, parses the TRAP lines strictly. */
export function bootTrapHarness(cases: readonly TrapCase[], handler: TrapHandlerLink, timeoutMs: number = QEMU_TIMEOUT_MS + 20 * cases.length): TrapHarnessBoot {
  const image = buildHarness(serialiseTrapCases(cases), {
    main: path.join(HARNESS_DIR, "trap-harness.c"),
    extraSources: [path.join(HARNESS_DIR, "trap-entry.S"), ...handler.extraSources],
    includeDirs: [...(handler.includeDirs ?? [])],
    defines: [...(handler.defines ?? [])],
    generatedSources: [...(handler.generatedSources ?? []), { name: "guest-stubs.S", text: guestStubsSource(guestStubTexts(cases.map((c) => c.instruction))) }],
  });
  let run;
  try {
    run = runQemu(image.elf, timeoutMs);
  } finally {
    disposeHarness(image);
  }
  return parseTrapHarnessOutput(run, cases.length);
}

/** The trap harness's output (a QEMU run of `expected` set-ups): its first line, each TRAP line and the lines after it. */
export function parseTrapHarnessOutput(run: QemuRun, expected: number): TrapHarnessBoot {
  const lines = harnessLines(run, expected);
  const traps: { trap: QemuTrap; after: string[] }[] = [];
  for (const line of lines.slice(1)) {
    const m = TRAP_LINE.exec(line);
    if (m === null) {
      if (traps.length === 0 || !/^[A-Z]+ \d+ /.test(line)) throw new OracleRunError(`unexpected trap harness output line: ${JSON.stringify(line)}`);
      traps[traps.length - 1].after.push(line);
      continue;
    }
    if (Number(m[1]) !== traps.length) throw new OracleRunError(`trap harness output out of order: ${JSON.stringify(line)}`);
    const v = m.slice(3).map((x) => BigInt(x));
    const record = new Map<string, bigint>();
    VCPU_FAULT_FIELDS.forEach((f, i) => record.set(f.name, f.size === 4 ? v[7 + i] & 0xffff_ffffn : v[7 + i]));
    traps.push({ trap: { outcome: m[2], code: v[0], esr: v[1], far: v[2], hpfar: v[3], elr: v[4], parIn: v[5], parOut: v[6], record, esrEl1: v[10], farEl1: v[11] }, after: [] });
  }
  if (traps.length !== expected) throw new OracleRunError(`the trap harness reported ${traps.length} traps, expected ${expected}`);
  return { first: lines[0] ?? "", traps, ms: run.ms };
}

/** Builds the trap harness with the generated handler, runs the set-ups in one boot, parses strictly. */
export function runTrapHarness(cases: readonly TrapCase[], timeoutMs: number = QEMU_TIMEOUT_MS + 20 * cases.length): QemuTrapRun {
  const boot = bootTrapHarness(cases, generatedHandlerLink(), timeoutMs);
  const header = HEADER.exec(boot.first);
  if (header === null) throw new OracleRunError(`the trap harness did not start with its MIDR line: ${JSON.stringify(boot.first)}`);
  const extra = boot.traps.find((t) => t.after.length > 0);
  if (extra !== undefined) throw new OracleRunError(`unexpected trap harness output line: ${JSON.stringify(extra.after[0])}`);
  return { midr: BigInt(header[1]), caps: BigInt(header[2]), patched: Number(header[3]), traps: boot.traps.map((t) => t.trap), ms: boot.ms };
}

export type TrapVerdict = "agree" | "ptw-fault-level" | "unknown" | "s1ptw-permission-wnr" | "records-unknown-hpfar" | "cmo-nop" | "mismatch";

export interface TrapCheck {
  readonly what: string;
  readonly qemu: string;
  readonly model: string;
  readonly verdict: TrapVerdict;
}

export interface TrapObservation {
  readonly trapCase: TrapCase;
  readonly qemu: QemuTrap;
  readonly prediction: TrapOutcome;
  /** The scenario the variants ran on (QEMU's ESR/FAR/HPFAR and MIDR, the guest's PAR_EL1). */
  readonly scenario: Scenario;
  /** HPFAR_EL2 is UNKNOWN for this trap (a plain stage-2 permission fault). */
  readonly hpfarUnknown: boolean;
  readonly checks: readonly TrapCheck[];
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

// Classes and bit positions from dsl/arch (generated/arch-facts.ts).
const ESR_EC_SHIFT = BigInt(ESR.EC.lsb);
const ESR_EC_MASK = (1n << BigInt(ESR.EC.msb - ESR.EC.lsb + 1)) - 1n;
const ESR_IL = 1n << BigInt(ESR.IL.lsb);
/** The ESR of the harness's `hvc #imm` (EC HVC64, IL 1, imm16 = imm). */
const hvcEsr = (imm: bigint) => (BigInt(ExceptionClass.HVC64) << ESR_EC_SHIFT) | ESR_IL | imm;
const HVC_COMPLETED = hvcEsr(0x52n); // hvc #0x52: the access completed
const HVC_AT_EL1 = hvcEsr(0x51n); // hvc #0x51: the guest's EL1 vector (a stage-1 fault)
const ESR_WNR = 1n << BigInt(ESR.WnR.lsb);
const TRAPS_TO_EL2 = [ExceptionClass.IABT_LOW, ExceptionClass.DABT_LOW].map(BigInt);

function isCacheMaintenance(instruction: string | undefined): boolean {
  return instruction !== undefined && parseGuestInstruction(instruction).operation === "cache-maintenance";
}

function takenByQemu(q: QemuTrap): string {
  if (q.esr === HVC_COMPLETED) return "none";
  if (q.esr === HVC_AT_EL1) return "el1";
  const ec = (q.esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
  return TRAPS_TO_EL2.includes(ec) ? "el2" : `EC ${hex(ec)}`;
}

export function check(what: string, qemu: bigint | string, model: bigint | string, verdict?: TrapVerdict): TrapCheck {
  const q = typeof qemu === "bigint" ? hex(qemu) : qemu;
  const m = typeof model === "bigint" ? hex(model) : model;
  return { what, qemu: q, model: m, verdict: verdict ?? (q === m ? "agree" : "mismatch") };
}

export function describeResult(r: RunResult): string {
  const fields = [...r.fault].map(([k, v]) => `${k}=${hex(v)}`).join(" ");
  return `${r.outcome}${r.exitCode !== undefined ? ` ${hex(r.exitCode)}` : ""} ${fields} par-preserved=${r.parPreserved}`;
}

/** The run without its recorded HPFAR_EL2. */
function withoutHpfar(r: RunResult): RunResult {
  return { ...r, fault: new Map([...r.fault].filter(([k]) => k !== "hpfar_el2")) };
}

function describeQemu(q: QemuTrap): string {
  const fields = [...q.record].map(([k, v]) => `${k}=${hex(v)}`).join(" ");
  return `${q.outcome}${q.outcome === "exit" ? ` ${hex(q.code)}` : ""} ${fields} par-preserved=${q.parOut === q.parIn}`;
}

/** The model's view of one trap, beside QEMU's. */
export function compareTrap(c: TrapCase, q: QemuTrap, midr: bigint, variants: readonly HandlerTarget[]): TrapObservation {
  return compareTrapRuns(c, q, runTrapModel(c, q, midr, variants));
}

/** One variant's runs of a trap's scenario: as made, and with a seeded HPFAR_EL2 where it is UNKNOWN. */
export interface VariantRun {
  readonly variant: HandlerTarget;
  readonly result: RunResult;
  readonly drawn?: RunResult;
}

/** The model's side of a trap (the trap builder's prediction and scenario, each variant's runs on it), apart from comparing it with QEMU's. */
export interface TrapModelRun extends TrapScenario {
  readonly runs: readonly VariantRun[];
}

/** What the model computes for trap `c` (trapScenario, then every variant on the scenario): the model's time per trap is this. */
export function runTrapModel(c: TrapCase, q: QemuTrap, midr: bigint, variants: readonly HandlerTarget[]): TrapModelRun {
  const t = trapScenario(c, q, midr);
  const runs = variants.map((variant): VariantRun => {
    const result = variant.run(t.scenario);
    return t.hpfarUnknown ? { variant, result, drawn: variant.run({ ...t.scenario, hpfar: "unknown" }) } : { variant, result };
  });
  return { ...t, runs };
}

/** The model's runs of trap `c` set beside QEMU's record: the checks of each variant added to trapScenario's. */
export function compareTrapRuns(c: TrapCase, q: QemuTrap, m: TrapModelRun): TrapObservation {
  const { prediction, checks, scenario: modelScenario, hpfarUnknown } = m;
  const qemu = describeQemu(q);
  for (const { variant: v, result: r, drawn } of m.runs) {
    checks.push(check(`${v.label}`, qemu, describeResult(r)));
    if (drawn !== undefined) {
      // A handler that records HPFAR_EL2 where it is UNKNOWN (kvm-2016 trusts it for every abort but
      // a permission fault; an External abort on a walk is one it should not): a finding about the
      // handler, named, not a disagreement between the model and QEMU.
      const onlyHpfar = describeResult(withoutHpfar(r)) === describeResult(withoutHpfar(drawn));
      const verdict = describeResult(r) === describeResult(drawn) ? "agree" : onlyHpfar ? "records-unknown-hpfar" : "mismatch";
      checks.push(check(`${v.label} with a seeded UNKNOWN HPFAR_EL2`, describeResult(r), describeResult(drawn), verdict));
    }
  }
  return { trapCase: c, qemu: q, prediction, scenario: modelScenario, hpfarUnknown, checks };
}

/** A trap as the model predicts it, its checks against QEMU's syndrome registers, and the scenario a handler runs on (QEMU's values). */
export interface TrapScenario {
  readonly prediction: TrapOutcome;
  /** "taken to", ESR_EL2, FAR_EL2, HPFAR_EL2 (to be added to). */
  readonly checks: TrapCheck[];
  readonly scenario: Scenario;
  readonly hpfarUnknown: boolean;
}

/** The model's prediction of trap `c` beside QEMU's, and the scenario made of QEMU's values (its MIDR, the guest's PAR_EL1). */
export function trapScenario(c: TrapCase, q: QemuTrap, midr: bigint): TrapScenario {
  const prediction = trapFromGuestAccess({ ...c.input, midr });
  const checks: TrapCheck[] = [check("taken to", takenByQemu(q), prediction.taken)];
  let modelScenario: Scenario;
  let hpfarUnknown = false;
  if (prediction.taken !== "none" && takenByQemu(q) === "none" && isCacheMaintenance(c.input.instruction)) {
    // QEMU 7.2's departure "cmo-nop": it executes DC CIVAC/CVAC/CVAU/IVAC and IC IVAU as no-ops
    // (ARM_CP_NOP), translating nothing, so they complete where the Arm ARM has them fault (CM=1).
    checks[0] = check("taken to", "none", prediction.taken, "cmo-nop");
    return { prediction, checks, scenario: scenario({ esr: q.esr, far: q.far, hpfar: q.hpfar, par: q.parIn, midr, seed: c.index }), hpfarUnknown };
  }
  if (prediction.taken === "el2") {
    const s = prediction.scenario;
    const meta = prediction.meta;
    let esr = s.esr;
    let esrVerdict: TrapVerdict | undefined;
    if (meta.s1ptw && q.esr !== esr) {
      // QEMU 7.2: FSC level = the stage-1 level whose table fetch failed (the table fault's level).
      const s1Level = BigInt(c.input.tableFaults?.[0]?.level ?? c.input.beyondOutputSize?.find((b) => b.address === "s1-table-page" || b.address === "s1-table")?.level ?? -1);
      const departed = (esr & ~3n) | s1Level;
      if ((q.esr & ~ESR_WNR) === (departed & ~ESR_WNR) && q.esr !== esr) {
        if (q.esr === departed) esrVerdict = "ptw-fault-level";
        esr = departed;
      }
    }
    if (esrVerdict === undefined && meta.s1ptw && meta.faultType === "Permission" && q.esr !== esr && q.esr === (esr | ESR_WNR) && c.input.access === "write") {
      // Open question, reported (docs/FINDINGS.md): a store whose walk meets a stage-2 permission
      // fault. The model follows ARMv8.0's pseudocode (the walk is checked as a read: WnR=0);
      // QEMU 7.2 reports the instruction's direction (WnR=1).
      esrVerdict = "s1ptw-permission-wnr";
    }
    const archEsr = s.esr;
    checks.push(check("ESR_EL2", q.esr, esr === archEsr ? esr : `${hex(esr)} (Arm ARM ${hex(archEsr)})`, esrVerdict ?? (q.esr === esr ? "agree" : "mismatch")));
    checks.push(check("FAR_EL2", q.far, s.far));
    if (meta.hpfarValid) checks.push(check("HPFAR_EL2", q.hpfar, hpfarForIpa(meta.ipa)));
    else {
      hpfarUnknown = true;
      const isIpa = q.hpfar === hpfarForIpa(meta.ipa);
      checks.push(check("HPFAR_EL2 (UNKNOWN)", q.hpfar, `${isIpa ? "the faulting IPA's page" : "not the faulting IPA"} ${hex(hpfarForIpa(meta.ipa))}`, "unknown"));
    }
    // "at" as the trap builder found it; its {s2fault} form needs FAR to be an IPA it can map to
    // itself, which a TTBR1 VA is not, so that case passes the PAR AT gives on the real tables.
    const at = s.at !== undefined && typeof s.at === "object" && "s2fault" in s.at ? { par: meta.atPar } : s.at;
    modelScenario = scenario({ ...s, at, esr: q.esr, far: q.far, hpfar: q.hpfar, par: q.parIn, midr });
  } else {
    if (prediction.taken === "el1") {
      // A stage-1 fault is taken to EL1 (ISV=0 there); the harness reads ESR_EL1 and FAR_EL1 after it.
      checks.push(check("ESR_EL1", q.esrEl1, prediction.esr));
      checks.push(check("FAR_EL1", q.farEl1, prediction.far));
    }
    modelScenario = scenario({ esr: q.esr, far: q.far, hpfar: q.hpfar, par: q.parIn, midr, seed: c.index });
  }
  return { prediction, checks, scenario: modelScenario, hpfarUnknown };
}

export interface TrapAgreement {
  readonly seed: number;
  readonly midr: bigint;
  readonly caps: bigint;
  readonly patched: number;
  readonly observations: readonly TrapObservation[];
  readonly qemuMs: number;
  /** The model's time for the same traps: prediction and both variants' runs, not their comparison with QEMU's (ms). */
  readonly modelMs: number;
}

export async function handlerVariants(): Promise<HandlerTarget[]> {
  const compiled = compileRuleFile(TRAP_RULE_FILE);
  return [asmVariantTarget(compiled), await cVariantTarget(compiled)];
}

/** One boot of `cases`, then `controls` (whose traps follow in `run.traps`, left to the caller to compare), each case compared with the model. */
export async function observeTraps(cases: readonly TrapCase[], controls: readonly TrapCase[] = []): Promise<{ run: QemuTrapRun; variants: HandlerTarget[]; observations: TrapObservation[]; modelMs: number }> {
  const variants = await handlerVariants();
  const run = runTrapHarness([...cases, ...controls]);
  const t0 = performance.now();
  const models = cases.map((c, i) => runTrapModel(c, run.traps[i], run.midr, variants));
  const modelMs = performance.now() - t0;
  const observations = cases.map((c, i) => compareTrapRuns(c, run.traps[i], models[i]));
  return { run, variants, observations, modelMs };
}

/** Generates `count` trap set-ups from `seed`, runs them in one QEMU boot, and compares. */
export async function runTrapOracle(seed: number, count: number, cases: readonly TrapCase[] = generateTrapCases(seed, count)): Promise<TrapAgreement> {
  const { run, observations, modelMs } = await observeTraps(cases);
  return { seed, midr: run.midr, caps: run.caps, patched: run.patched, observations, qemuMs: run.ms, modelMs };
}

export function formatTrapCheck(o: TrapObservation, k: TrapCheck): string {
  return `${o.trapCase.summary}: ${k.what}: QEMU ${k.qemu}, model ${k.model}`;
}
