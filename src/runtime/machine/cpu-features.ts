// CPU capabilities (Linux's cpucaps names) and the MIDR-based errata detection that feeds them.

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

export function decodeMidr(midr: bigint): MidrFields {
  const m = Number(midr & 0xffffffffn);
  return {
    implementer: (m >>> 24) & 0xff,
    variant: (m >>> 20) & 0xf,
    architecture: (m >>> 16) & 0xf,
    partNum: (m >>> 4) & 0xfff,
    revision: m & 0xf,
  };
}

export const ARM_CPU_IMP_ARM = 0x41;
export const ARM_CPU_PART_CORTEX_A57 = 0xd07;

/**
 * Erratum 834220 is present on Cortex-A57 (implementer 0x41, part 0xD07, architecture 0xF as every
 * ARMv8 MIDR has) from r0p0 to r1p2 inclusive, as Linux's MIDR range check defines it: the
 * (variant, revision) pair is compared as the number variant:revision.
 */
export function hasErratum834220(midr: bigint): boolean {
  const f = decodeMidr(midr);
  if (f.implementer !== ARM_CPU_IMP_ARM || f.partNum !== ARM_CPU_PART_CORTEX_A57 || f.architecture !== 0xf) return false;
  const variantRevision = (f.variant << 4) | f.revision;
  return variantRevision >= 0x00 && variantRevision <= 0x12;
}

/** The capabilities Linux would set from this MIDR's errata list (those the model knows). */
export function capabilitiesFromMidr(midr: bigint): Set<string> {
  const caps = new Set<string>();
  if (hasErratum834220(midr)) caps.add(ARM64_WORKAROUND_834220);
  return caps;
}
