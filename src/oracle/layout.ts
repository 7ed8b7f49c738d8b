// Where the oracle's set-ups live in QEMU's RAM (virt: RAM from 0x40000000, 1 GiB with -m 1G).
// The harness image is linked at 0x40080000 and asserted below 0x48000000 (qemu/link.ld); the
// set-ups' memory (translation tables, and for the trap cases the guest's data) is a window far
// above it, which the harness also checks every write against.

/** First byte a set-up may write. */
export const ORACLE_AREA_BASE = 0x5000_0000n;
/** One past the last byte (RAM ends at 0x80000000 with -m 1G). */
export const ORACLE_AREA_END = 0x8000_0000n;
/** The table builder's pool for the AT set-ups. */
export const AT_TABLE_POOL = { base: ORACLE_AREA_BASE, size: 0x100_0000n } as const;
/** ID_AA64MMFR0_EL1.PARange of QEMU's cortex-a57: 44 bits (AArch64.PAMax() for the model). */
export const QEMU_A57_PA_BITS = 44;
