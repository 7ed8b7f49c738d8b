// IMPLEMENTATION DEFINED parameters of the modelled PE's VMSA, in one place.
//
// The model is an ARMv8.0-A PE: no FEAT_LPA/LPA2 (52-bit addresses), no FEAT_TTST (small VA
// spaces), no FEAT_HAFDBS (hardware Access flag / dirty state), no FEAT_PAN, no FEAT_HPDS (TCR.HPDx
// is RES0 and APTable/XNTable are honoured), no FEAT_XNX, no FEAT_LVA. All three granules are
// supported (a real Cortex-A57 lacks 16K; the walker does not refuse it).

/**
 * AArch64.PAMax(): implemented physical address size in bits. 48 as the brief asks; QEMU's
 * cortex-a57 reports ID_AA64MMFR0_EL1.PARange = 44 bits, which a caller can select through
 * TranslationInput.paMaxBits when comparing with it.
 */
export const DEFAULT_PA_MAX_BITS = 48;

/** Largest output-address width a VMSAv8-64 descriptor can hold without FEAT_LPA. */
export const DESCRIPTOR_OA_TOP_BIT = 47;

/** Input-address sizes allowed without FEAT_TTST / FEAT_LVA (TxSZ 16..39). */
export const MIN_INPUT_SIZE = 25;
export const MAX_INPUT_SIZE = 48;
