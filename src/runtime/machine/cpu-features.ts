// CPU capabilities (Linux's cpucaps names) and the MIDR-based errata detection that feeds them.
import { archFacts, ArmPart, Implementer, MIDR, MidrArchitecture } from "../../../generated/arch-facts.ts";

export const ARM64_HAS_VIRT_HOST_EXTN = "ARM64_HAS_VIRT_HOST_EXTN";
export const ARM64_WORKAROUND_834220 = "ARM64_WORKAROUND_834220";
/** hVHE (Linux 6.4 on): the nVHE hypervisor runs with HCR_EL2.E2H=1 while the host kernel stays at EL1. */
export const ARM64_KVM_HVHE = "ARM64_KVM_HVHE";

/**
 * Whether Linux's hypervisor code runs with HCR_EL2.E2H=1: under VHE (the host lives at EL2) and
 * under hVHE (the nVHE hypervisor sets E2H for itself and keeps it while the guest runs).
 */
export function hypRunsWithE2H(caps: ReadonlySet<string>): boolean {
  return caps.has(ARM64_HAS_VIRT_HOST_EXTN) || caps.has(ARM64_KVM_HVHE);
}

/** MIDR_EL1 fields: Implementer [31:24], Variant [23:20], Architecture [19:16], PartNum [15:4], Revision [3:0]. */
export interface MidrFields {
  implementer: number;
  variant: number;
  architecture: number;
  partNum: number;
  revision: number;
}

/** The layout and values are dsl/arch's (aarch64-id.fault, through generated/arch-facts.ts). */
export function decodeMidr(midr: bigint): MidrFields {
  const get = (f: { msb: number; lsb: number }) => Number((midr >> BigInt(f.lsb)) & ((1n << BigInt(f.msb - f.lsb + 1)) - 1n));
  return {
    implementer: get(MIDR.Implementer),
    variant: get(MIDR.Variant),
    architecture: get(MIDR.Architecture),
    partNum: get(MIDR.PartNum),
    revision: get(MIDR.Revision),
  };
}

export const ARM_CPU_IMP_ARM: number = Implementer.ARM;
export const ARM_CPU_PART_CORTEX_A57: number = ArmPart.CORTEX_A57;

const ERRATUM_834220 = archFacts.errata.find((e) => e.erratum === "834220");

/** The implementer code whose part numbers an enum names (dsl/arch: variant MIDR.PartNum on Implementer). */
function implementerOf(partEnum: string): number | undefined {
  const partNames = archFacts.variants.find((v) => v.layout === "MIDR" && v.field === "PartNum");
  return partNames?.cases.find((c) => c.target === partEnum)?.value;
}

/**
 * Erratum 834220 is present on the parts and revisions dsl/arch's `erratum 834220` lists
 * (Cortex-A57 r0p0 to r1p2, cpu_errata.c), with architecture 0xF as every ARMv8 MIDR has, as
 * Linux's MIDR range check defines it: the (variant, revision) pair is compared as the number
 * variant:revision, inclusive.
 */
export function hasErratum834220(midr: bigint): boolean {
  // Asked for every trap and scenario machine, of a few MIDRs: each answered once.
  let known = erratum834220ByMidr.get(midr);
  if (known === undefined) {
    if (erratum834220ByMidr.size >= MIDRS_KEPT) erratum834220ByMidr.clear();
    erratum834220ByMidr.set(midr, (known = erratum834220On(midr)));
  }
  return known;
}

const erratum834220ByMidr = new Map<bigint, boolean>();
const MIDRS_KEPT = 64;

function erratum834220On(midr: bigint): boolean {
  const f = decodeMidr(midr);
  if (f.architecture !== MidrArchitecture.ID_REGISTERS) return false;
  const variantRevision = (f.variant << 4) | f.revision;
  return (ERRATUM_834220?.ranges ?? []).some(
    (r) =>
      f.implementer === implementerOf(r.partEnum) &&
      f.partNum === r.partNum &&
      variantRevision >= ((r.from.variant << 4) | r.from.revision) &&
      variantRevision <= ((r.to.variant << 4) | r.to.revision),
  );
}

/** The capabilities Linux would set from this MIDR's errata list (those the model knows). */
export function capabilitiesFromMidr(midr: bigint): Set<string> {
  const caps = new Set<string>();
  if (hasErratum834220(midr)) caps.add(ARM64_WORKAROUND_834220);
  return caps;
}
