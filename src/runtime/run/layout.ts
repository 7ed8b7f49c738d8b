// Record layouts the run targets read the fault record with, and the reading itself.
import { VCPU_FAULT_FIELDS } from "../machine/vcpu-layout.ts";
import type { PhysicalMemory } from "../memory.ts";
import type { RecordLayout } from "./types.ts";

/** struct kvm_vcpu_fault_info of 2016 (u32 esr_el2; u64 far_el2; u64 hpfar_el2) in faultc's vcpu. */
export const KVM_2016_RECORD_LAYOUT: RecordLayout = Object.fromEntries(
  VCPU_FAULT_FIELDS.map((f) => [f.name, { offset: f.offset, size: f.size }]),
);

/** A layout's fields in offset order (a target reads its record after every run). */
const fieldOrder = new WeakMap<RecordLayout, readonly { name: string; offset: number; bigOffset: bigint; small: boolean; size: RecordLayout[string]["size"] }[]>();

let lastLayout: RecordLayout | undefined;
let lastFields: ReturnType<typeof fieldOrder.get>;

/** A vcpu below this plus a field offset below 2^32 is exact as a Number. */
const NUMBER_BASE = 1n << 52n;

/** Every field of the record at `vcpu`, in offset order, as it stands in memory. */
export function readRecord(memory: PhysicalMemory, vcpu: bigint, layout: RecordLayout): Map<string, bigint> {
  // A run target reads its one layout after every run: the last one's fields at hand.
  let fields = layout === lastLayout ? lastFields : fieldOrder.get(layout);
  if (fields === undefined) {
    fields = Object.entries(layout)
      .sort(([, a], [, b]) => a.offset - b.offset)
      .map(([name, f]) => ({ name, offset: f.offset, bigOffset: BigInt(f.offset), small: f.offset >= 0 && f.offset < 2 ** 32, size: f.size }));
    fieldOrder.set(layout, fields);
  }
  lastLayout = layout;
  lastFields = fields;
  const fault = new Map<string, bigint>();
  // The vcpu's PA as a Number where that is exact (it is in every scenario machine): no BigInt sum per field.
  const base = vcpu >= 0n && vcpu < NUMBER_BASE ? Number(vcpu) : undefined;
  for (const f of fields) fault.set(f.name, base !== undefined && f.small ? memory.readAt(base + f.offset, f.size) : memory.read(vcpu + f.bigOffset, f.size));
  return fault;
}
