// How Linux 6.12 decides, at boot, the capabilities a compiled hyp function's alternatives test
// (issue 10 item 5): one rule per capability, as the kernel's tables match it (an errata MIDR
// range in cpu_errata.c, an ID register field in cpufeature.c, always, or a boot option), each
// cited to the lines of the tree that say so. The rules are checked against the tree they are
// applied for (every cited line must read as cited, and an entry under a Kconfig option counts
// only when the tree's .config sets it), then evaluated on the ID registers a CPU reports: here
// by the QEMU harness at boot (qemu/object-trap.c evaluates the same encoded rules to choose the
// patching it runs; src/oracle/object-oracle.ts checks that both evaluations agree).
import * as path from "node:path";
import { kconfigValue, readTreeFile } from "./kernel-tree.ts";
import { OracleRunError } from "./qemu.ts";

/** The registers a rule may read, in the harness's order (qemu/object-trap.c register_names). */
export const ID_REGISTERS = ["MIDR_EL1", "ID_AA64MMFR3_EL1"] as const;
export type IdRegister = (typeof ID_REGISTERS)[number];

export type CapabilityMatch =
  | { readonly kind: "always" }
  /** Decided by no register: e.g. a software override that only a kernel command line sets. */
  | { readonly kind: "never"; readonly why: string }
  /** midr_is_cpu_model_range: (MIDR & MIDR_CPU_MODEL_MASK) == model and variant:revision in [rvMin, rvMax]. */
  | { readonly kind: "midr-range"; readonly cpu: string; readonly model: number; readonly rvMin: number; readonly rvMax: number }
  /** feature_matches: the field, extracted signed or unsigned, in [min, max]. */
  | { readonly kind: "id-field"; readonly register: IdRegister; readonly field: string; readonly shift: number; readonly width: number; readonly signed: boolean; readonly min: number; readonly max: number };

/** A line of the kernel tree as cited: its text, white space collapsed. */
export interface Citation {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

export interface CapabilityRule {
  readonly capability: string;
  readonly match: CapabilityMatch;
  /** The Kconfig option the table entry is compiled under (#ifdef), if any. */
  readonly config?: string;
  readonly cites: readonly Citation[];
}

const ERRATA = "arch/arm64/kernel/cpu_errata.c";
const FEATURES = "arch/arm64/kernel/cpufeature.c";
const CPUTYPE = "arch/arm64/include/asm/cputype.h";
const SYSREG = "arch/arm64/tools/sysreg";
const OVERRIDE = "arch/arm64/kernel/pi/idreg-override.c";

const cite = (file: string, line: number, text: string): Citation => ({ file, line, text });

/** MIDR_CPU_MODEL_MASK: implementer, architecture and part number (cputype.h:51-52). */
export const MIDR_CPU_MODEL_MASK = 0xff0f_fff0;
/** MIDR_REVISION_MASK | MIDR_VARIANT_MASK. */
export const MIDR_VARIANT_REVISION_MASK = 0x00f0_000f;
/** MIDR_CPU_MODEL(imp, part): imp << 24 | 0xf << 16 | part << 4 (cputype.h:43-46). */
const midrModel = (implementer: number, part: number): number => ((implementer << 24) | (0xf << 16) | (part << 4)) >>> 0;
/** MIDR_CPU_VAR_REV(var, rev) (cputype.h:48-49). */
const varRev = (variant: number, revision: number): number => (variant << 20) | revision;

// The matchers themselves, cited once for every rule of their kind.
const MIDR_RANGE_CITES = [
  cite(ERRATA, 18, "is_affected_midr_range(const struct arm64_cpu_capabilities *entry, int scope)"),
  cite(ERRATA, 24, "if (!is_midr_in_range(midr, &entry->midr_range))"),
  cite(CPUTYPE, 277, "u32 _model = midr & MIDR_CPU_MODEL_MASK;"),
  cite(CPUTYPE, 278, "u32 rv = midr & (MIDR_REVISION_MASK | MIDR_VARIANT_MASK);"),
  cite(CPUTYPE, 280, "return _model == model && rv >= rv_min && rv <= rv_max;"),
  cite(CPUTYPE, 54, "#define ARM_CPU_IMP_ARM 0x41"),
];
const ID_FIELD_CITES = [
  cite(FEATURES, 1601, "u64 val = read_scoped_sysreg(entry, scope);"),
  cite(FEATURES, 1602, "return feature_matches(val, entry);"),
];

/** Where cpu_errata.c has an erratum's entry: `ERRATA_MIDR_RANGE(MIDR_<cpu>, v, r, v, r)` under its Kconfig option. */
interface MidrErratum {
  readonly capability: string;
  readonly erratum: string;
  /** cpu_errata.c lines of `#ifdef CONFIG_ARM64_ERRATUM_<n>` and `.capability = ...` (the range follows it). */
  readonly ifdefLine: number;
  readonly capabilityLine: number;
  /** The CPU's MIDR macro and part number, and their cputype.h lines. */
  readonly cpu: { readonly name: string; readonly macro: string; readonly part: number; readonly macroLine: number; readonly partLine: number };
  /** First and last affected variant, revision. */
  readonly from: readonly [number, number];
  readonly to: readonly [number, number];
}

function midrErratum(e: MidrErratum): CapabilityRule {
  const config = `CONFIG_ARM64_ERRATUM_${e.erratum}`;
  const part = e.cpu.macro.replace(/^MIDR_/, "ARM_CPU_PART_");
  return {
    capability: e.capability,
    match: { kind: "midr-range", cpu: `${e.cpu.name} r${e.from[0]}p${e.from[1]}..r${e.to[0]}p${e.to[1]}`, model: midrModel(0x41, e.cpu.part), rvMin: varRev(...e.from), rvMax: varRev(...e.to) },
    config,
    cites: [
      cite(ERRATA, e.ifdefLine, `#ifdef ${config}`),
      cite(ERRATA, e.capabilityLine, `.capability = ${e.capability},`),
      cite(ERRATA, e.capabilityLine + 1, `ERRATA_MIDR_RANGE(${e.cpu.macro},`),
      cite(ERRATA, e.capabilityLine + 2, `${e.from[0]}, ${e.from[1]},`),
      cite(ERRATA, e.capabilityLine + 3, `${e.to[0]}, ${e.to[1]}),`),
      cite(CPUTYPE, e.cpu.macroLine, `#define ${e.cpu.macro} MIDR_CPU_MODEL(ARM_CPU_IMP_ARM, ${part})`),
      cite(CPUTYPE, e.cpu.partLine, `#define ${part} 0x${e.cpu.part.toString(16).toUpperCase()}`),
      ...MIDR_RANGE_CITES,
    ],
  };
}

/** The rules of Linux 6.12 (Debian 6.12.117) for the capabilities __get_fault_info's alternatives test. */
export const LINUX_6_12_CAPABILITY_RULES: readonly CapabilityRule[] = [
  {
    capability: "ARM64_ALWAYS_SYSTEM",
    match: { kind: "always" },
    cites: [cite(FEATURES, 2386, ".capability = ARM64_ALWAYS_SYSTEM,"), cite(FEATURES, 2388, ".matches = has_always,")],
  },
  {
    capability: "ARM64_HAS_S1POE",
    match: { kind: "id-field", register: "ID_AA64MMFR3_EL1", field: "S1POE", shift: 16, width: 4, signed: false, min: 1, max: 0xf },
    config: "CONFIG_ARM64_POE",
    cites: [
      cite(FEATURES, 2882, "#ifdef CONFIG_ARM64_POE"),
      cite(FEATURES, 2885, ".capability = ARM64_HAS_S1POE,"),
      cite(FEATURES, 2887, ".matches = has_cpuid_feature,"),
      cite(FEATURES, 2889, "ARM64_CPUID_FIELDS(ID_AA64MMFR3_EL1, S1POE, IMP)"),
      ...ID_FIELD_CITES,
      // The field and IMP's value; an unsigned field's maximum is all ones (cpufeature.c:150-153).
      cite(SYSREG, 1764, "Sysreg ID_AA64MMFR3_EL1 3 0 0 7 3"),
      cite(SYSREG, 1814, "UnsignedEnum 19:16 S1POE"),
      cite(SYSREG, 1816, "0b0001 IMP"),
    ],
  },
  {
    capability: "ARM64_KVM_HVHE",
    match: { kind: "never", why: "hvhe_possible tests the software override arm64_sw.hvhe, which only the kernel command line sets (arm64_sw.hvhe=1, or kvm_arm.mode=protected); the harness boots no kernel and no command line" },
    cites: [
      cite(FEATURES, 2832, ".capability = ARM64_KVM_HVHE,"),
      cite(FEATURES, 2834, ".matches = hvhe_possible,"),
      cite(FEATURES, 2139, "return arm64_test_sw_feature_override(ARM64_SW_FEATURE_OVERRIDE_HVHE);"),
      cite(OVERRIDE, 200, 'FIELD("hvhe", ARM64_SW_FEATURE_OVERRIDE_HVHE, hvhe_filter),'),
      cite(OVERRIDE, 223, '{ "kvm_arm.mode=protected", "arm64_sw.hvhe=1" },'),
    ],
  },
  midrErratum({
    capability: "ARM64_WORKAROUND_1508412", erratum: "1508412", ifdefLine: 698, capabilityLine: 702,
    cpu: { name: "Cortex-A77", macro: "MIDR_CORTEX_A77", part: 0xd0d, macroLine: 168, partLine: 77 }, from: [0, 0], to: [1, 0],
  }),
  midrErratum({
    capability: "ARM64_WORKAROUND_834220", erratum: "834220", ifdefLine: 534, capabilityLine: 538,
    cpu: { name: "Cortex-A57", macro: "MIDR_CORTEX_A57", part: 0xd07, macroLine: 160, partLine: 68 }, from: [0, 0], to: [1, 2],
  }),
];

/** A rule as it applies to one build: an entry its .config compiles out never matches. */
export interface AppliedRule {
  readonly capability: string;
  readonly match: CapabilityMatch;
  /** How the tree decided it, e.g. "cpu_errata.c:534: CONFIG_ARM64_ERRATUM_834220 is not set (.config:377)". */
  readonly build: string;
}

const collapse = (s: string): string => s.replace(/\s+/g, " ").trim();

/**
 * The rules for the build in `tree`: every citation checked against the tree's files (an error
 * names the first that does not read as cited), and an entry under a Kconfig option the tree's
 * .config does not set turned into "never".
 */
export function applyCapabilityRules(tree: string, rules: readonly CapabilityRule[] = LINUX_6_12_CAPABILITY_RULES): AppliedRule[] {
  const files = new Map<string, string[]>();
  const lines = (file: string) => {
    let l = files.get(file);
    if (l === undefined) files.set(file, (l = readTreeFile(tree, file)));
    return l;
  };
  const config = lines(".config");
  return rules.map((r) => {
    for (const c of r.cites) {
      const actual = lines(c.file)[c.line - 1];
      if (actual === undefined || collapse(actual) !== collapse(c.text)) {
        throw new OracleRunError(`${path.join(tree, c.file)}:${c.line}: error: the rule for ${r.capability} cites ${JSON.stringify(c.text)}, the tree has ${JSON.stringify(actual === undefined ? "(no such line)" : collapse(actual))}`);
      }
    }
    if (r.config === undefined) return { capability: r.capability, match: r.match, build: "no Kconfig option" };
    const v = kconfigValue(config, r.config);
    const at = v.line === 0 ? "absent from .config" : `.config:${v.line}`;
    if (v.value === "y") return { capability: r.capability, match: r.match, build: `${r.config}=y (${at})` };
    const entry = r.cites.find((c) => c.text === `#ifdef ${r.config}`);
    return {
      capability: r.capability,
      match: { kind: "never", why: `the table entry (${entry === undefined ? "" : `${path.basename(entry.file)}:${entry.line}, `}#ifdef ${r.config}) is not compiled: ${r.config} is not set (${at})` },
      build: `${r.config} not set (${at})`,
    };
  });
}

/** Overrides for a deliberately wrong patching: the capability's rule replaced by present or absent. */
export type CapabilityOverrides = ReadonlyMap<string, boolean>;

export function withOverrides(rules: readonly AppliedRule[], overrides: CapabilityOverrides): AppliedRule[] {
  for (const name of overrides.keys()) {
    if (!rules.some((r) => r.capability === name)) throw new OracleRunError(`no capability rule for ${name} to override (rules: ${rules.map((r) => r.capability).join(", ")})`);
  }
  return rules.map((r) => {
    const forced = overrides.get(r.capability);
    if (forced === undefined) return r;
    return { ...r, match: forced ? { kind: "always" } : { kind: "never", why: "forced absent" }, build: `forced ${forced ? "present" : "absent"}` };
  });
}

function fieldValue(reg: bigint, shift: number, width: number, signed: boolean): number {
  const v = Number((reg >> BigInt(shift)) & ((1n << BigInt(width)) - 1n));
  return signed && v >= 2 ** (width - 1) ? v - 2 ** width : v;
}

/** Whether the rule holds on these registers, and why, in words. */
export function evaluateMatch(m: CapabilityMatch, registers: ReadonlyMap<IdRegister, bigint>): { present: boolean; why: string } {
  const reg = (name: IdRegister) => {
    const v = registers.get(name);
    if (v === undefined) throw new OracleRunError(`the CPU's ${name} was not reported`);
    return v;
  };
  switch (m.kind) {
    case "always":
      return { present: true, why: "has_always" };
    case "never":
      return { present: false, why: m.why };
    case "midr-range": {
      const midr = Number(reg("MIDR_EL1") & 0xffff_ffffn);
      const rv = midr & MIDR_VARIANT_REVISION_MASK;
      const present = ((midr & MIDR_CPU_MODEL_MASK) >>> 0) === m.model && rv >= m.rvMin && rv <= m.rvMax;
      return { present, why: `MIDR_EL1 0x${midr.toString(16)} ${present ? "is" : "is not"} ${m.cpu}` };
    }
    case "id-field": {
      const v = fieldValue(reg(m.register), m.shift, m.width, m.signed);
      const present = v >= m.min && v <= m.max;
      return { present, why: `${m.register}.${m.field} [${m.shift + m.width - 1}:${m.shift}] = ${v}, ${present ? "within" : "outside"} ${m.min}..${m.max}` };
    }
  }
}

export interface CapabilityDecision {
  readonly capability: string;
  readonly present: boolean;
  readonly why: string;
}

export function decideCapabilities(rules: readonly AppliedRule[], registers: ReadonlyMap<IdRegister, bigint>): CapabilityDecision[] {
  return rules.map((r) => ({ capability: r.capability, ...evaluateMatch(r.match, registers) }));
}

/** The rule as the harness reads it: kind, p1..p4 (qemu/object-trap.c RULE_*). */
export function encodeMatch(m: CapabilityMatch): [bigint, bigint, bigint, bigint, bigint] {
  const u64 = (n: number) => BigInt.asUintN(64, BigInt(n));
  switch (m.kind) {
    case "never":
      return [0n, 0n, 0n, 0n, 0n];
    case "always":
      return [1n, 0n, 0n, 0n, 0n];
    case "midr-range":
      return [2n, u64(MIDR_CPU_MODEL_MASK), u64(m.model), u64(m.rvMin), u64(m.rvMax)];
    case "id-field":
      return [3n, BigInt(ID_REGISTERS.indexOf(m.register)), BigInt(m.shift | (m.width << 8) | ((m.signed ? 1 : 0) << 16)), u64(m.min), u64(m.max)];
  }
}
