// The seed's trap path after the patch, transcribed by hand from "[PATCH v2 19/21] arm64: KVM:
// Move most of the fault decoding to C" (shared/seed/000_b177247cef8b16d1.txt): hyp-entry.S's
// el1_sync as the patch leaves it (ESR through the VHE alternative, HVC64 from the host, FP/ASIMD,
// then the exit with ARM_EXCEPTION_TRAP), and __guest_run's call of __populate_fault_info
// (`goto again` when it returns false). Written against the model's HypApi, line by line, without faultc's rule
// language or code generator, so that it is an independent reference for dsl/kvm-2016.fault.
// Generic over the bit-vector domain: it runs on the model and is executed symbolically.
import type { HypApi, Outcome } from "../src/runtime/hyp/api.ts";
import { VCPU_ESR_EL2, VCPU_FAR_EL2, VCPU_HPFAR_EL2 } from "../src/runtime/machine/vcpu-layout.ts";

const ESR_ELx_EC_SHIFT = 26;
const ESR_ELx_EC_DABT_LOW = 0x24n;
const ESR_ELx_EC_IABT_LOW = 0x20n;
const ESR_ELx_S1PTW = 1n << 7n;
const ESR_ELx_FSC_TYPE = 0x3cn;
const FSC_PERM = 0x0cn;
const ARM_EXCEPTION_TRAP = 1n;

const trap: Outcome = { kind: "exit", code: ARM_EXCEPTION_TRAP, name: "ARM_EXCEPTION_TRAP" };

/** read_sysreg_el2(r): the EL1 encoding on a VHE kernel (redirected to the EL2 register by E2H). */
function read_sysreg_el2<V, B>(h: HypApi<V, B>, reg: "ESR" | "FAR"): V {
  return h.mrs(h.cap("ARM64_HAS_VIRT_HOST_EXTN") ? `${reg}_EL1` : `${reg}_EL2`);
}

/** static hyp_alternate_value(__check_arm_834220, false, true, ARM64_WORKAROUND_834220); */
function __check_arm_834220<V, B>(h: HypApi<V, B>): boolean {
  return h.cap("ARM64_WORKAROUND_834220");
}

const ESR_ELx_EC_HVC64 = 0x16n;
const ESR_ELx_EC_FP_ASIMD = 0x07n;

/** hyp-entry.S el1_sync/el1_trap after the patch, then __guest_run. */
export function el1_sync_after<V, B>(h: HypApi<V, B>): Outcome {
  const d = h.d;
  // alternative_if_not ARM64_HAS_VIRT_HOST_EXTN: mrs x1, esr_el2; alternative_else: mrs x1, esr_el1
  const x1 = h.mrs(h.cap("ARM64_HAS_VIRT_HOST_EXTN") ? "ESR_EL1" : "ESR_EL2");
  // lsr x2, x1, #ESR_ELx_EC_SHIFT
  const x2 = d.lshr(x1, ESR_ELx_EC_SHIFT);
  // cmp x2, #ESR_ELx_EC_HVC64; b.ne el1_trap; mrs x3, vttbr_el2; cbnz x3, el1_trap
  if (h.branch(d.eq(x2, d.const(ESR_ELx_EC_HVC64, 64)), "HVC64")) {
    if (h.branch(d.eq(h.mrs("VTTBR_EL2"), d.const(0n, 64)), "from the host")) return { kind: "handoff", target: "host_hvc" };
  }
  // el1_trap: cmp x2, #ESR_ELx_EC_FP_ASIMD; b.eq __fpsimd_guest_restore
  if (h.branch(d.eq(x2, d.const(ESR_ELx_EC_FP_ASIMD, 64)), "FP/ASIMD")) return { kind: "handoff", target: "fpsimd_guest_restore" };
  // mrs x0, tpidr_el2; mov x1, #ARM_EXCEPTION_TRAP; b __guest_exit
  // __guest_run: if (exit_code == ARM_EXCEPTION_TRAP && !__populate_fault_info(vcpu)) goto again;
  return __populate_fault_info(h) ? trap : { kind: "retry" };
}

/** __populate_fault_info(vcpu): false means "back to the guest". */
function __populate_fault_info<V, B>(h: HypApi<V, B>): boolean {
  const d = h.d;
  const c64 = (v: bigint) => d.const(v, 64);
  // u64 esr = read_sysreg_el2(esr);
  const esr = read_sysreg_el2(h, "ESR");
  // u8 ec = esr >> ESR_ELx_EC_SHIFT;
  const ec = d.extract(d.lshr(esr, ESR_ELx_EC_SHIFT), 7, 0);
  // vcpu->arch.fault.esr_el2 = esr;   (u32 esr_el2)
  h.storeVcpu(VCPU_ESR_EL2, 4, d.extract(esr, 31, 0));
  // if (ec != ESR_ELx_EC_DABT_LOW && ec != ESR_ELx_EC_IABT_LOW) return true;
  const notDabt = d.notB(d.eq(ec, d.const(ESR_ELx_EC_DABT_LOW, 8)));
  const notIabt = d.notB(d.eq(ec, d.const(ESR_ELx_EC_IABT_LOW, 8)));
  if (h.branch(d.andB(notDabt, notIabt), "not an abort")) return true;
  // far = read_sysreg_el2(far);
  const far = read_sysreg_el2(h, "FAR");
  let hpfar: V;
  // if (!(esr & ESR_ELx_S1PTW) && (__check_arm_834220() || (esr & ESR_ELx_FSC_TYPE) == FSC_PERM)) {
  const noS1ptw = d.eq(d.and(esr, c64(ESR_ELx_S1PTW)), c64(0n));
  const perm = d.eq(d.and(esr, c64(ESR_ELx_FSC_TYPE)), c64(FSC_PERM));
  if (h.branch(d.andB(noS1ptw, d.orB(d.bool(__check_arm_834220(h)), perm)), "HPFAR may be invalid")) {
    // par = read_sysreg(par_el1); asm volatile("at s1e1r, %0" : : "r" (far)); isb();
    const par = h.mrs("PAR_EL1");
    h.at("S1E1R", far);
    h.isb();
    // tmp = read_sysreg(par_el1); write_sysreg(par, par_el1);
    const tmp = h.mrs("PAR_EL1");
    h.msr("PAR_EL1", par);
    // if (unlikely(tmp & 1)) return false;   -> goto again: re-enter the guest
    if (h.branch(d.eq(d.and(tmp, c64(1n)), c64(1n)), "translation failed")) return false;
    // hpfar = ((tmp >> 12) & ((1UL << 36) - 1)) << 4;
    hpfar = d.shl(d.and(d.lshr(tmp, 12), c64((1n << 36n) - 1n)), 4);
  } else {
    // hpfar = read_sysreg(hpfar_el2);
    hpfar = h.mrs("HPFAR_EL2");
  }
  // vcpu->arch.fault.far_el2 = far; vcpu->arch.fault.hpfar_el2 = hpfar; return true;
  h.storeVcpu(VCPU_FAR_EL2, 8, far);
  h.storeVcpu(VCPU_HPFAR_EL2, 8, hpfar);
  return true;
}
