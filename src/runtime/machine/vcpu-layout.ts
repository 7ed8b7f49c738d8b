// The layout of faultc's vcpu structure in model memory: the one place its offsets are defined.
//
// TPIDR_EL2 holds the vcpu's address during a handler run, as in KVM's hyp code. faultc's vcpu is
// not Linux's struct kvm_vcpu; only the fault record matters to the fault-decoding logic, and it
// follows the 2016 struct kvm_vcpu_fault_info { u32 esr_el2; u64 far_el2; u64 hpfar_el2; } (esr is
// stored with a 32-bit `str w`, then 4 bytes of padding). The fault record sits at a nonzero offset
// so that code which forgets the offset is caught.
//
//   offset  size  field
//   0x000   0x40  reserved (context the fault logic does not touch)
//   0x040   4     fault.esr_el2    VCPU_ESR_EL2
//   0x044   4     (padding)
//   0x048   8     fault.far_el2    VCPU_FAR_EL2
//   0x050   8     fault.hpfar_el2  VCPU_HPFAR_EL2
//   0x058   0x28  reserved
//   total   0x80  VCPU_SIZE

export const VCPU_FAULT_INFO = 0x40;
export const VCPU_ESR_EL2 = VCPU_FAULT_INFO + 0x0;
export const VCPU_FAR_EL2 = VCPU_FAULT_INFO + 0x8;
export const VCPU_HPFAR_EL2 = VCPU_FAULT_INFO + 0x10;
export const VCPU_SIZE = 0x80;

/** The fault record's fields with their offsets and widths, for readers of model memory. */
export const VCPU_FAULT_FIELDS = [
  { name: "esr_el2", offset: VCPU_ESR_EL2, size: 4 },
  { name: "far_el2", offset: VCPU_FAR_EL2, size: 8 },
  { name: "hpfar_el2", offset: VCPU_HPFAR_EL2, size: 8 },
] as const;
