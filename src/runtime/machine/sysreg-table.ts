// The system registers the model knows, as data (in the spirit of Linux's arch/arm64/tools/sysreg):
// name, encoding op0/op1/CRn/CRm/op2 as `mrs`/`msr` name it (S<op0>_<op1>_C<n>_C<m>_<op2>), width,
// reset value, and the VHE relations. Encodings checked against the Arm ARM's register index and
// Linux's asm/sysreg.h.
//
// Two kinds of entries:
//  - registers, which hold a value (ESR_EL1, ESR_EL2, PAR_EL1, ...);
//  - *_EL12 encodings, which hold nothing: at EL2 with HCR_EL2.E2H == 1 they reach the EL1 register
//    (`el12Of`), and with E2H == 0 they are UNDEFINED.
// An *_EL1 register with `vheRedirect` is reached by its own encoding only when E2H == 0 (or below
// EL2); at EL2 with E2H == 1 that encoding reaches the *_EL2 register named there.

export interface SysregEncoding {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
}

export interface SysregDescriptor {
  readonly name: string;
  readonly encoding: SysregEncoding;
  readonly width: 64;
  /** The value at reset, or "unknown" (architecturally UNKNOWN: the model starts it at 0). */
  readonly reset: bigint | "unknown";
  readonly access: "rw" | "ro";
  /** The lowest exception level at which an access is not UNDEFINED. */
  readonly minEl: 1 | 2;
  readonly vheRedirect?: string;
  readonly el12Of?: string;
  readonly description: string;
}

function enc(op0: number, op1: number, crn: number, crm: number, op2: number): SysregEncoding {
  return { op0, op1, crn, crm, op2 };
}

function el1(name: string, e: SysregEncoding, description: string, vheRedirect?: string, access: "rw" | "ro" = "rw"): SysregDescriptor {
  return { name, encoding: e, width: 64, reset: "unknown", access, minEl: 1, description, ...(vheRedirect ? { vheRedirect } : {}) };
}

function el2(name: string, e: SysregEncoding, description: string): SysregDescriptor {
  return { name, encoding: e, width: 64, reset: "unknown", access: "rw", minEl: 2, description };
}

function el12(name: string, e: SysregEncoding, el12Of: string): SysregDescriptor {
  return { name, encoding: e, width: 64, reset: "unknown", access: "rw", minEl: 2, el12Of, description: `${el12Of} from EL2 with HCR_EL2.E2H == 1` };
}

export const SYSREG_TABLE: readonly SysregDescriptor[] = [
  // Identification
  el1("MIDR_EL1", enc(3, 0, 0, 0, 0), "Main ID Register", undefined, "ro"),
  el1("MPIDR_EL1", enc(3, 0, 0, 0, 5), "Multiprocessor Affinity Register", undefined, "ro"),
  el1("ID_AA64MMFR0_EL1", enc(3, 0, 0, 7, 0), "Memory Model Feature Register 0", undefined, "ro"),
  el1("ID_AA64MMFR1_EL1", enc(3, 0, 0, 7, 1), "Memory Model Feature Register 1", undefined, "ro"),

  // EL1 translation regime and exception state (redirected to EL2 under VHE)
  el1("SCTLR_EL1", enc(3, 0, 1, 0, 0), "System Control Register (EL1)", "SCTLR_EL2"),
  el1("CPACR_EL1", enc(3, 0, 1, 0, 2), "Architectural Feature Access Control Register", "CPTR_EL2"),
  el1("TTBR0_EL1", enc(3, 0, 2, 0, 0), "Translation Table Base Register 0 (EL1)", "TTBR0_EL2"),
  el1("TTBR1_EL1", enc(3, 0, 2, 0, 1), "Translation Table Base Register 1 (EL1)", "TTBR1_EL2"),
  el1("TCR_EL1", enc(3, 0, 2, 0, 2), "Translation Control Register (EL1)", "TCR_EL2"),
  el1("SPSR_EL1", enc(3, 0, 4, 0, 0), "Saved Program Status Register (EL1)", "SPSR_EL2"),
  el1("ELR_EL1", enc(3, 0, 4, 0, 1), "Exception Link Register (EL1)", "ELR_EL2"),
  el1("AFSR0_EL1", enc(3, 0, 5, 1, 0), "Auxiliary Fault Status Register 0 (EL1)", "AFSR0_EL2"),
  el1("AFSR1_EL1", enc(3, 0, 5, 1, 1), "Auxiliary Fault Status Register 1 (EL1)", "AFSR1_EL2"),
  el1("ESR_EL1", enc(3, 0, 5, 2, 0), "Exception Syndrome Register (EL1)", "ESR_EL2"),
  el1("FAR_EL1", enc(3, 0, 6, 0, 0), "Fault Address Register (EL1)", "FAR_EL2"),
  // PAR_EL1 has no EL2 counterpart: AT at EL2 writes the guest's PAR_EL1, VHE or not.
  el1("PAR_EL1", enc(3, 0, 7, 4, 0), "Physical Address Register"),
  el1("MAIR_EL1", enc(3, 0, 10, 2, 0), "Memory Attribute Indirection Register (EL1)", "MAIR_EL2"),
  el1("AMAIR_EL1", enc(3, 0, 10, 3, 0), "Auxiliary Memory Attribute Indirection Register (EL1)", "AMAIR_EL2"),
  el1("VBAR_EL1", enc(3, 0, 12, 0, 0), "Vector Base Address Register (EL1)", "VBAR_EL2"),
  el1("CONTEXTIDR_EL1", enc(3, 0, 13, 0, 1), "Context ID Register (EL1)", "CONTEXTIDR_EL2"),
  el1("TPIDR_EL1", enc(3, 0, 13, 0, 4), "Thread Pointer ID Register (EL1)"),
  el1("CNTKCTL_EL1", enc(3, 0, 14, 1, 0), "Counter-timer Kernel Control register", "CNTHCTL_EL2"),

  // EL2
  el2("VPIDR_EL2", enc(3, 4, 0, 0, 0), "Virtualization Processor ID Register"),
  el2("VMPIDR_EL2", enc(3, 4, 0, 0, 5), "Virtualization Multiprocessor ID Register"),
  el2("SCTLR_EL2", enc(3, 4, 1, 0, 0), "System Control Register (EL2)"),
  el2("HCR_EL2", enc(3, 4, 1, 1, 0), "Hypervisor Configuration Register"),
  el2("CPTR_EL2", enc(3, 4, 1, 1, 2), "Architectural Feature Trap Register (EL2)"),
  el2("TTBR0_EL2", enc(3, 4, 2, 0, 0), "Translation Table Base Register 0 (EL2)"),
  el2("TTBR1_EL2", enc(3, 4, 2, 0, 1), "Translation Table Base Register 1 (EL2), VHE"),
  el2("TCR_EL2", enc(3, 4, 2, 0, 2), "Translation Control Register (EL2)"),
  el2("VTTBR_EL2", enc(3, 4, 2, 1, 0), "Virtualization Translation Table Base Register"),
  el2("VTCR_EL2", enc(3, 4, 2, 1, 2), "Virtualization Translation Control Register"),
  el2("SPSR_EL2", enc(3, 4, 4, 0, 0), "Saved Program Status Register (EL2)"),
  el2("ELR_EL2", enc(3, 4, 4, 0, 1), "Exception Link Register (EL2)"),
  el2("AFSR0_EL2", enc(3, 4, 5, 1, 0), "Auxiliary Fault Status Register 0 (EL2)"),
  el2("AFSR1_EL2", enc(3, 4, 5, 1, 1), "Auxiliary Fault Status Register 1 (EL2)"),
  el2("ESR_EL2", enc(3, 4, 5, 2, 0), "Exception Syndrome Register (EL2)"),
  el2("FAR_EL2", enc(3, 4, 6, 0, 0), "Fault Address Register (EL2)"),
  el2("HPFAR_EL2", enc(3, 4, 6, 0, 4), "Hypervisor IPA Fault Address Register"),
  el2("MAIR_EL2", enc(3, 4, 10, 2, 0), "Memory Attribute Indirection Register (EL2)"),
  el2("AMAIR_EL2", enc(3, 4, 10, 3, 0), "Auxiliary Memory Attribute Indirection Register (EL2)"),
  el2("VBAR_EL2", enc(3, 4, 12, 0, 0), "Vector Base Address Register (EL2)"),
  el2("CONTEXTIDR_EL2", enc(3, 4, 13, 0, 1), "Context ID Register (EL2), VHE"),
  el2("TPIDR_EL2", enc(3, 4, 13, 0, 2), "Thread Pointer ID Register (EL2): the vcpu pointer in KVM hyp code"),
  el2("CNTHCTL_EL2", enc(3, 4, 14, 1, 0), "Counter-timer Hypervisor Control register"),

  // VHE *_EL12 encodings (op1 = 5): the real EL1 registers, from EL2 with E2H == 1
  el12("SCTLR_EL12", enc(3, 5, 1, 0, 0), "SCTLR_EL1"),
  el12("CPACR_EL12", enc(3, 5, 1, 0, 2), "CPACR_EL1"),
  el12("TTBR0_EL12", enc(3, 5, 2, 0, 0), "TTBR0_EL1"),
  el12("TTBR1_EL12", enc(3, 5, 2, 0, 1), "TTBR1_EL1"),
  el12("TCR_EL12", enc(3, 5, 2, 0, 2), "TCR_EL1"),
  el12("SPSR_EL12", enc(3, 5, 4, 0, 0), "SPSR_EL1"),
  el12("ELR_EL12", enc(3, 5, 4, 0, 1), "ELR_EL1"),
  el12("AFSR0_EL12", enc(3, 5, 5, 1, 0), "AFSR0_EL1"),
  el12("AFSR1_EL12", enc(3, 5, 5, 1, 1), "AFSR1_EL1"),
  el12("ESR_EL12", enc(3, 5, 5, 2, 0), "ESR_EL1"),
  el12("FAR_EL12", enc(3, 5, 6, 0, 0), "FAR_EL1"),
  el12("MAIR_EL12", enc(3, 5, 10, 2, 0), "MAIR_EL1"),
  el12("AMAIR_EL12", enc(3, 5, 10, 3, 0), "AMAIR_EL1"),
  el12("VBAR_EL12", enc(3, 5, 12, 0, 0), "VBAR_EL1"),
  el12("CONTEXTIDR_EL12", enc(3, 5, 13, 0, 1), "CONTEXTIDR_EL1"),
  el12("CNTKCTL_EL12", enc(3, 5, 14, 1, 0), "CNTKCTL_EL1"),
];

const BY_NAME = new Map(SYSREG_TABLE.map((r) => [r.name, r]));
const BY_ENCODING = new Map(SYSREG_TABLE.map((r) => [encodingKey(r.encoding), r]));

function encodingKey(e: SysregEncoding): string {
  return `${e.op0}_${e.op1}_${e.crn}_${e.crm}_${e.op2}`;
}

/** The descriptor of a register or *_EL12 encoding by (case-insensitive) name. */
export function sysregByName(name: string): SysregDescriptor | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(name.toUpperCase());
}

export function sysregByEncoding(e: SysregEncoding): SysregDescriptor | undefined {
  return BY_ENCODING.get(encodingKey(e));
}

/** The registers that hold state (everything but the *_EL12 encodings). */
export function storageRegisters(): SysregDescriptor[] {
  return SYSREG_TABLE.filter((r) => r.el12Of === undefined);
}

/** The generic spelling GNU as accepts for any encoding, e.g. S3_4_C6_C0_4 for HPFAR_EL2. */
export function genericSysregName(e: SysregEncoding): string {
  return `S${e.op0}_${e.op1}_C${e.crn}_C${e.crm}_${e.op2}`;
}
