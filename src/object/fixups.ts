// KVM's hyp exception table. Since 2020 ("KVM: arm64: Survive synchronous exceptions caused
// by AT instructions"), __kvm_at (asm/kvm_asm.h) wraps the AT in inline assembly that records the
// pair (the AT, its fixup) with __KVM_EXTABLE: in section __kvm_ex_table, 8-byte aligned, two
// `.long` offsets relative to each field, `struct kvm_exception_table_entry { int insn, fixup; }`
// (hyp/switch.h). When an exception is taken at EL2 from the AT, the hyp vector's
// __kvm_unexpected_el2_exception looks ELR_EL2 up in the table and returns to the fixup, which
// restores SPSR_EL2 and ELR_EL2 and makes __kvm_at return -EFAULT.
import { hex } from "./errors.ts";
import type { ObjectImage } from "./image.ts";

export const KVM_EXCEPTION_TABLE = "__kvm_ex_table";
export const KVM_EXCEPTION_ENTRY_SIZE = 8;

export interface ExceptionFixup {
  /** Index in the table. */
  readonly index: number;
  /** The instruction that may take the exception. */
  readonly insn: bigint;
  /** Where execution resumes when it does. */
  readonly fixup: bigint;
}

/** The entries of __kvm_ex_table (none if the object has no such section). */
export function readKvmExceptionTable(image: ObjectImage): ExceptionFixup[] {
  const elf = image.elf;
  const section = elf.section(KVM_EXCEPTION_TABLE);
  if (section === undefined) return [];
  if (section.size % KVM_EXCEPTION_ENTRY_SIZE !== 0) {
    throw elf.error(`${KVM_EXCEPTION_TABLE} is ${hex(section.size)} bytes, not a whole number of ${KVM_EXCEPTION_ENTRY_SIZE}-byte entries`);
  }
  const placed = image.placedSection(section);
  if (placed === undefined) throw elf.error(`${KVM_EXCEPTION_TABLE} is not an allocated section`);
  const view = new DataView(placed.bytes.buffer, placed.bytes.byteOffset, placed.bytes.byteLength);
  const out: ExceptionFixup[] = [];
  for (let i = 0; i * KVM_EXCEPTION_ENTRY_SIZE < section.size; i++) {
    const at = i * KVM_EXCEPTION_ENTRY_SIZE;
    const field = placed.address + BigInt(at);
    out.push({ index: i, insn: field + BigInt(view.getInt32(at, true)), fixup: field + 4n + BigInt(view.getInt32(at + 4, true)) });
  }
  return out;
}
