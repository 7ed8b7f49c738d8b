// Record layouts the run targets read the fault record with.
import { VCPU_FAULT_FIELDS } from "../machine/vcpu-layout.ts";
import type { RecordLayout } from "./types.ts";

/** struct kvm_vcpu_fault_info of 2016 (u32 esr_el2; u64 far_el2; u64 hpfar_el2) in faultc's vcpu. */
export const KVM_2016_RECORD_LAYOUT: RecordLayout = Object.fromEntries(
  VCPU_FAULT_FIELDS.map((f) => [f.name, { offset: f.offset, size: f.size }]),
);
