// The compiled Linux 6.12 __get_fault_info on real guest traps (issue 10 item 5). The trap harness
// (the same set-ups as the generated handler's oracle, trap-cases.ts) is built with the object's
// function as its EL2 handler (object-harness.ts): at boot it reads QEMU's ID registers, decides
// the capabilities by the kernel's rules (cpu-capabilities.ts) and patches the function for them;
// on each guest trap with a memory-fault EC it calls the function with x0 = ESR_EL2 and x1 = a
// zeroed struct kvm_vcpu_fault_info, and re-enters the guest or exits as the kernel's caller does.
//
// The model runs the same object through `faultc run`'s target (PATH.o:SYMBOL with its binding
// from dsl/linux-6.12.fault) on the scenario trap-oracle.ts builds from QEMU's values, with the
// capabilities the rules give for QEMU's registers, and must agree on: whether the function is
// called, the value it returns (w0) and the outcome the binding makes of it, each field the binding
// records (far_el2, hpfar_el2, read at the struct's DWARF offsets), and PAR_EL1 preservation.
// Where HPFAR_EL2 is UNKNOWN the model runs with QEMU's value and with a seeded one, which must
// give the same result (as trap-oracle.ts does for the rule files).
import { structLayout, type StructLayout } from "../object/dwarf.ts";
import { openObjectFunction, type ObjectFunction } from "../object/function.ts";
import { Machine } from "../runtime/machine/machine.ts";
import { concreteCallInputs, withFixedCapabilities, type FunctionCall } from "../runtime/run/function-call-target.ts";
import type { HandlerTarget, RunResult } from "../runtime/run/types.ts";
import { scenarioMachineSetup, type Scenario } from "../runtime/scenario/index.ts";
import { concreteDomain } from "../runtime/semantics/concrete-domain.ts";
import { openSide } from "../sides/open.ts";
import { applyCapabilityRules, decideCapabilities, ID_REGISTERS, withOverrides, type AppliedRule, type CapabilityDecision, type CapabilityOverrides, type IdRegister } from "./cpu-capabilities.ts";
import { kernelDefine } from "./kernel-tree.ts";
import { objectHandlerLink } from "./object-harness.ts";
import { OracleRunError } from "./qemu.ts";
import { generateTrapCases, type TrapCase } from "./trap-cases.ts";
import { bootTrapHarness, check, trapScenario, type QemuTrap, type TrapCheck, type TrapHarnessBoot, type TrapObservation } from "./trap-oracle.ts";

/** What the harness reported of one call. */
export interface QemuCall {
  readonly called: boolean;
  readonly w0: bigint;
  readonly parBefore: bigint;
  readonly parAfter: bigint;
  /** The record's bytes after the call (zero before it), as little-endian 64-bit words. */
  readonly record: readonly bigint[];
}

export interface ObjectTrapRun {
  /** The ID registers QEMU's CPU reported at boot. */
  readonly registers: ReadonlyMap<IdRegister, bigint>;
  /** The capability mask the harness patched the function for (bit i = rule i). */
  readonly mask: number;
  /** The capabilities as the rules the harness was built with decide them on those registers. */
  readonly patchedFor: readonly CapabilityDecision[];
  readonly traps: readonly { readonly trap: QemuTrap; readonly call: QemuCall }[];
  readonly ms: number;
}

const HEX = "0x[0-9a-f]{1,16}";

/**
 * Builds the trap harness with `fn` as the handler (its capabilities decided at boot by `rules`,
 * with `overrides` forced; a trap it hands to the host exits with `exitCode`), runs `cases` in one
 * boot and parses its output strictly; the harness's own decision must be what the rules give for
 * the registers it reports.
 */
export function runObjectTrapHarness(cases: readonly TrapCase[], fn: ObjectFunction, rules: readonly AppliedRule[], record: StructLayout, exitCode: bigint, overrides: CapabilityOverrides = new Map()): ObjectTrapRun {
  const patching = withOverrides(rules, overrides);
  const boot = bootTrapHarness(cases, objectHandlerLink(fn, patching, record.size, exitCode));
  return parseObjectTrapBoot(boot, { words: fn.size / 4, patching, recordBytes: record.size });
}

/** What an object trap harness was built with, to check its output against. */
export interface ObjectTrapBuild {
  readonly words: number;
  /** The rules it decides the capabilities by (overrides applied). */
  readonly patching: readonly AppliedRule[];
  readonly recordBytes: number;
}

/** The object harness's CPU line and one CALL line after each TRAP line, strictly. */
export function parseObjectTrapBoot(boot: TrapHarnessBoot, build: ObjectTrapBuild): ObjectTrapRun {
  const cpu = new RegExp(`^CPU ${ID_REGISTERS.map((r) => `${r} (${HEX})`).join(" ")} CAPS (${HEX}) WORDS (\\d+)$`).exec(boot.first);
  if (cpu === null) throw new OracleRunError(`the object trap harness did not start with its CPU line: ${JSON.stringify(boot.first)}`);
  const registers = new Map(ID_REGISTERS.map((r, i) => [r, BigInt(cpu[1 + i])] as const));
  const mask = Number(BigInt(cpu[1 + ID_REGISTERS.length]));
  const words = Number(cpu[2 + ID_REGISTERS.length]);
  if (words !== build.words) throw new OracleRunError(`the object trap harness holds ${words} words of the function, expected ${build.words}`);
  const patchedFor = decideCapabilities(build.patching, registers);
  const expected = patchedFor.reduce((m, d, i) => (d.present ? m | (1 << i) : m), 0);
  if (mask !== expected) {
    throw new OracleRunError(`the harness patched the function for capability mask 0x${mask.toString(16)}, the rules give 0x${expected.toString(16)} on the registers it reports (${patchedFor.map((d) => `${d.capability} ${d.present ? "present" : "absent"}`).join(", ")})`);
  }
  const callLine = new RegExp(`^CALL (\\d+) ([01])${` (${HEX})`.repeat(3 + build.recordBytes / 8)}$`);
  const traps = boot.traps.map(({ trap, after }, i) => {
    if (after.length !== 1) throw new OracleRunError(`trap ${i}: expected one CALL line after its TRAP line, got ${JSON.stringify(after)}`);
    const m = callLine.exec(after[0]);
    if (m === null) throw new OracleRunError(`unexpected object trap harness output line: ${JSON.stringify(after[0])}`);
    if (Number(m[1]) !== i) throw new OracleRunError(`object trap harness output out of order: ${JSON.stringify(after[0])}`);
    const v = m.slice(3).map((x) => BigInt(x));
    const call: QemuCall = { called: m[2] === "1", w0: v[0], parBefore: v[1], parAfter: v[2], record: v.slice(3) };
    return { trap, call };
  });
  return { registers, mask, patchedFor, traps, ms: boot.ms };
}

/** `size` bytes at byte `offset` of the record's little-endian words. */
function recordValue(words: readonly bigint[], offset: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) {
    const byte = offset + i;
    v = (v << 8n) | ((words[Math.floor(byte / 8)] >> BigInt((byte % 8) * 8)) & 0xffn);
  }
  return v;
}

export interface ObjectTrapObservation extends TrapObservation {
  readonly call: QemuCall;
  /** The model's run on QEMU's scenario, when the binding calls the function there. */
  readonly model: RunResult | undefined;
}

/** How the model runs the object on a scenario (the target faultc run uses), and with which capabilities. */
export interface ObjectModel {
  readonly target: HandlerTarget;
  /** Whether the binding calls the function on this scenario (its `when`). */
  called(scenario: Scenario): boolean;
  /** The capabilities the rules give for QEMU's registers (never the overridden ones). */
  readonly caps: readonly string[];
}

/** Whether `call` calls its function on `s`: its condition on the machine as the trap leaves it (as FunctionCallTarget decides it). */
export function calledOn(label: string, call: FunctionCall, s: Scenario): boolean {
  const caps = withFixedCapabilities(label, s.caps, call.fixedCapabilities);
  const { config, meta } = scenarioMachineSetup({ ...s, caps }, { deriveCapabilitiesFromMidr: false });
  const { memory: _tables, ...registers } = config;
  return call.called(concreteDomain, concreteCallInputs(new Machine(registers), meta.vcpu));
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

function outcomeOf(r: RunResult): string {
  return `${r.outcome}${r.exitCode !== undefined ? ` ${hex(r.exitCode)}` : ""}`;
}

function qemuOutcome(q: QemuTrap): string {
  return `${q.outcome}${q.outcome === "exit" ? ` ${hex(q.code)}` : ""}`;
}

/** One trap: the syndrome checks of trap-oracle.ts, then the call against the model's run of the object. */
export function compareObjectTrap(c: TrapCase, trap: QemuTrap, call: QemuCall, midr: bigint, model: ObjectModel, record: StructLayout, exitCode: bigint): ObjectTrapObservation {
  const base = trapScenario(c, trap, midr);
  const checks: TrapCheck[] = base.checks;
  const s = { ...base.scenario, caps: model.caps };
  const called = model.called(s);
  checks.push(check("called", call.called ? "yes" : "no", called ? "yes" : "no"));
  let result: RunResult | undefined;
  if (called) {
    const run = (sc: typeof s) => model.target.run(sc, { deriveCapabilitiesFromMidr: false });
    result = run(s);
    checks.push(check("w0", call.w0, result.returned === undefined ? `no return (${result.outcome})` : result.returned & 0xffff_ffffn));
    checks.push(check("outcome", qemuOutcome(trap), outcomeOf(result)));
    const covered = new Set<number>();
    for (const [name, value] of result.fault) {
      const offset = record.members.find((m) => m.name === name)?.offset;
      const size = model.target.layout[name]?.size;
      if (offset === undefined || size === undefined) throw new OracleRunError(`the model's record field ${name} is not a member of struct ${record.name}`);
      for (let b = 0; b < size; b++) covered.add(offset + b);
      checks.push(check(name, recordValue(call.record, offset, size), value));
    }
    const untouched = Array.from({ length: record.size }, (_, b) => b).filter((b) => !covered.has(b));
    const written = untouched.filter((b) => recordValue(call.record, b, 1) !== 0n);
    checks.push(check(`struct ${record.name} bytes the binding does not record`, written.length === 0 ? "zero" : `bytes ${written.join(",")} written`, "zero"));
    checks.push(check("PAR_EL1 preserved", String(call.parAfter === call.parBefore && trap.parOut === trap.parIn), String(result.parPreserved)));
    if (base.hpfarUnknown) {
      const drawn = run({ ...s, hpfar: "unknown" });
      // Differing in the recorded HPFAR_EL2 alone: the function records an UNKNOWN value (after an
      // External abort on a walk, which its HPFAR test lets through), a named finding.
      const noHpfar = (text: string) => text.replace(/ hpfar_el2=0x[0-9a-f]+/, "");
      const verdict = describe(result) === describe(drawn) ? "agree" : noHpfar(describe(result)) === noHpfar(describe(drawn)) ? "records-unknown-hpfar" : "mismatch";
      checks.push(check("model with a seeded UNKNOWN HPFAR_EL2", describe(result), describe(drawn), verdict));
    }
  } else {
    // Not called: the harness exits to the host as the kernel does for an EC without a memory-fault handler.
    checks.push(check("outcome", qemuOutcome(trap), `exit ${hex(exitCode)}`));
  }
  return { trapCase: c, qemu: trap, prediction: base.prediction, scenario: s, hpfarUnknown: base.hpfarUnknown, checks, call, model: result };
}

function describe(r: RunResult): string {
  return `${outcomeOf(r)} w0=${r.returned === undefined ? "-" : hex(r.returned & 0xffff_ffffn)} ${[...r.fault].map(([k, v]) => `${k}=${hex(v)}`).join(" ")} par-preserved=${r.parPreserved}`;
}

/** Where the kernel defines the exit code of a trap handed to the host (ARM_EXCEPTION_TRAP). */
export const KVM_ASM_H = "arch/arm64/include/asm/kvm_asm.h";

export interface ObjectOracleOptions {
  /** The kernel build tree the object comes from (its .config and the files the rules cite). */
  readonly tree: string;
  /** Capabilities forced present or absent in QEMU's patching (a negative control); the model keeps the rules' answer. */
  readonly overrides?: CapabilityOverrides;
  /** The set-ups (default generateTrapCases(seed, count)). */
  readonly cases?: readonly TrapCase[];
}

export interface ObjectTrapAgreement {
  readonly object: string;
  readonly symbol: string;
  readonly seed: number;
  readonly run: ObjectTrapRun;
  /** The capabilities the model ran with: the rules' answer for QEMU's registers. */
  readonly modelCaps: readonly CapabilityDecision[];
  readonly observations: readonly ObjectTrapObservation[];
  /** The model's time for the same traps: prediction and the object's runs (ms). */
  readonly modelMs: number;
}

/** The rules for exactly the capabilities `fn` tests, in its order. */
export function rulesFor(fn: ObjectFunction, applied: readonly AppliedRule[]): AppliedRule[] {
  return fn.capabilities.map((c) => {
    const r = applied.find((x) => x.capability === c);
    if (r === undefined) throw new OracleRunError(`${fn.file}:${fn.symbol}: its alternatives test ${c}, for which there is no capability rule (rules: ${applied.map((x) => x.capability).join(", ")})`);
    return r;
  });
}

/**
 * Runs `object`:`symbol` on QEMU for `count` trap set-ups of stream `seed` (one boot) and on the
 * model through the side `faultc run` opens for it, and compares every trap.
 */
export async function runObjectTrapOracle(object: string, symbol: string, seed: number, count: number, options: ObjectOracleOptions): Promise<ObjectTrapAgreement> {
  const side = await openSide(`${object}:${symbol}`);
  if (side.symbolic.kind !== "machine-code" || side.symbolic.call === undefined || side.binding?.struct === undefined) {
    throw new OracleRunError(`${side.label} did not open as a function with a binding and a record struct`);
  }
  const call = side.symbolic.call;
  const fn = openObjectFunction(object, symbol);
  const record = structLayout(object, side.binding.struct.name);
  const rules = rulesFor(fn, applyCapabilityRules(options.tree));
  const cases = options.cases ?? generateTrapCases(seed, count);
  const exitCode = kernelDefine(options.tree, KVM_ASM_H, "ARM_EXCEPTION_TRAP").value;
  const run = runObjectTrapHarness(cases, fn, rules, record, exitCode, options.overrides);
  const t0 = performance.now();
  const modelCaps = decideCapabilities(rules, run.registers);
  const midr = run.registers.get("MIDR_EL1") ?? 0n;
  const model: ObjectModel = {
    target: side.concrete(),
    caps: modelCaps.filter((d) => d.present).map((d) => d.capability),
    called: (s) => calledOn(side.label, call, s),
  };
  const observations = cases.map((c, i) => compareObjectTrap(c, run.traps[i].trap, run.traps[i].call, midr, model, record, exitCode));
  return { object, symbol, seed, run, modelCaps, observations, modelMs: performance.now() - t0 };
}
