// Symbolic constants the hyp assembly uses, with their values. ESR and FSC values are from
// FACTS.md (the Arm ARM's ESR_ELx encoding, with Linux's names); ARM_EXCEPTION_* are
// the 2016 arch/arm64/include/asm/kvm_asm.h values (IRQ 0, TRAP 1); VCPU_* are faultc's own vcpu
// layout (src/runtime/machine/vcpu-layout.ts), not Linux's asm-offsets.
import { VCPU_ESR_EL2, VCPU_FAR_EL2, VCPU_HPFAR_EL2 } from "../machine/vcpu-layout.ts";

const ESR_EC: Record<string, number> = {
  UNKNOWN: 0x00, WFx: 0x01, CP15_32: 0x03, CP15_64: 0x04, CP14_MR: 0x05, CP14_LS: 0x06,
  FP_ASIMD: 0x07, CP10_ID: 0x08, PAC: 0x09, OTHER: 0x0a, CP14_64: 0x0c, BTI: 0x0d, ILL: 0x0e,
  SVC32: 0x11, HVC32: 0x12, SMC32: 0x13, SVC64: 0x15, HVC64: 0x16, SMC64: 0x17, SYS64: 0x18,
  SVE: 0x19, ERET: 0x1a, FPAC: 0x1c, SME: 0x1d, IMP_DEF: 0x1f, IABT_LOW: 0x20, IABT_CUR: 0x21,
  PC_ALIGN: 0x22, DABT_LOW: 0x24, DABT_CUR: 0x25, SP_ALIGN: 0x26, MOPS: 0x27, FP_EXC32: 0x28,
  FP_EXC64: 0x2c, GCS: 0x2d, SERROR: 0x2f, BREAKPT_LOW: 0x30, BREAKPT_CUR: 0x31,
  SOFTSTP_LOW: 0x32, SOFTSTP_CUR: 0x33, WATCHPT_LOW: 0x34, WATCHPT_CUR: 0x35, BKPT32: 0x38,
  VECTOR32: 0x3a, BRK64: 0x3c,
};

function buildTable(): Map<string, bigint> {
  const t = new Map<string, bigint>();
  for (const [name, value] of Object.entries(ESR_EC)) t.set(`ESR_ELx_EC_${name}`, BigInt(value));
  const more: Record<string, bigint> = {
    ESR_ELx_EC_SHIFT: 26n,
    ESR_ELx_EC_MASK: 0x3fn << 26n,
    ESR_ELx_IL: 1n << 25n,
    ESR_ELx_ISS_MASK: (1n << 25n) - 1n,
    ESR_ELx_S1PTW: 1n << 7n,
    ESR_ELx_WNR: 1n << 6n,
    ESR_ELx_FnV: 1n << 10n,
    ESR_ELx_EA: 1n << 9n,
    ESR_ELx_FSC: 0x3fn,
    ESR_ELx_FSC_TYPE: 0x3cn,
    ESR_ELx_FSC_LEVEL: 0x03n,
    ESR_ELx_FSC_EXTABT: 0x10n,
    ESR_ELx_FSC_ACCESS: 0x08n,
    ESR_ELx_FSC_FAULT: 0x04n,
    ESR_ELx_FSC_PERM: 0x0cn,
    FSC_FAULT: 0x04n,
    FSC_ACCESS: 0x08n,
    FSC_PERM: 0x0cn,
    ARM_EXCEPTION_IRQ: 0n,
    ARM_EXCEPTION_TRAP: 1n,
    VCPU_ESR_EL2: BigInt(VCPU_ESR_EL2),
    VCPU_FAR_EL2: BigInt(VCPU_FAR_EL2),
    VCPU_HPFAR_EL2: BigInt(VCPU_HPFAR_EL2),
  };
  for (const [name, value] of Object.entries(more)) t.set(name, value);
  return t;
}

/** The built-in constants; a program may add its own with `.equ`/`.set`. */
export const BUILTIN_CONSTANTS: ReadonlyMap<string, bigint> = buildTable();
