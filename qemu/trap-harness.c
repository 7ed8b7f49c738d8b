// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultc's bare-metal QEMU harness, guest traps (issue 6, section 2; src/oracle/trap-cases.ts
 * writes the input). A generated handler (generated/kvm-2016.S, assembled with
 * include/faultc-asm.h) is linked in as the EL2 synchronous handler of lower-EL traps
 * (trap-entry.S). At boot its alternatives are patched like the kernel does for the capabilities
 * this CPU has (MIDR_EL1: erratum 834220; VHE never, the harness does not run with E2H).
 *
 * Input (little-endian 64-bit words): MAGIC, ncases, then per case
 *	TCR_EL1 TTBR0_EL1 TTBR1_EL1 MAIR_EL1 SCTLR_EL1 HCR_EL2 VTTBR_EL2 VTCR_EL2
 *	VA (the guest instruction's address register value) kind (its guest stub's index) guest-PAR_EL1
 *	memory image (lib.c load_memory_image)
 *
 * Output:
 *	MIDR <MIDR_EL1> CAPS <capability mask> PATCHED <alternatives applied>
 *	TRAP <case> <outcome> <code> <ESR_EL2> <FAR_EL2> <HPFAR_EL2> <ELR_EL2> <PAR in> <PAR out>
 *	     <vcpu+0x40> <vcpu+0x48> <vcpu+0x50> <ESR_EL1> <FAR_EL1>
 *	DONE <ncases>
 * outcome: exit (code = the handler's x1), retry (the handler re-entered the guest, which trapped
 * again), host_hvc, fpsimd_guest_restore. ESR/FAR/HPFAR/ELR are the values at the first entry.
 * ESR_EL1/FAR_EL1 are zeroed before the guest runs and read after: a stage-1 fault's syndrome.
 *
 * Built with -DFAULTC_OBJECT_TRAPS, the handler is a compiled kernel function instead
 * (object-trap.c, which prints its own first line and a CALL line after each TRAP line); the vcpu
 * is then not written and its three words print as 0.
 */
#include "lib.h"

#ifdef FAULTC_OBJECT_TRAPS
void object_trap_setup(void);
void object_trap_reset(void);
void object_trap_report(u64 index);
#endif

#define TRAP_MAGIC 0x6661756c74635452ULL /* "faultcTR" */

/* include/faultc-asm.h's numbering */
#define CAP_VHE 0
#define CAP_834220 1

struct alt_instr {
	s32 orig_offset;
	s32 alt_offset;
	u16 cpucap;
	u8 orig_len;
	u8 alt_len;
};

extern struct alt_instr __alt_instructions[], __alt_instructions_end[];
extern u64 trap_state[8];
extern char guest_vectors[];
u64 run_guest(u64 va, u64 kind);

/* faultc's vcpu (src/runtime/machine/vcpu-layout.ts): 0x80 bytes, fault record at 0x40. */
static u64 vcpu[16] __attribute__((aligned(64)));

static const char *const outcomes[] = { "none", "exit", "retry", "host_hvc", "fpsimd_guest_restore" };

#ifndef FAULTC_OBJECT_TRAPS

/* Linux's MIDR range for erratum 834220: Cortex-A57 (0x41, 0xd07) r0p0 to r1p2. */
static int has_834220(u64 midr)
{
	u64 implementer = (midr >> 24) & 0xff, part = (midr >> 4) & 0xfff;
	u64 variant = (midr >> 20) & 0xf, revision = midr & 0xf, arch = (midr >> 16) & 0xf;
	return implementer == 0x41 && part == 0xd07 && arch == 0xf && ((variant << 4) | revision) <= 0x12;
}

static s64 sext(u64 v, int bits)
{
	return (s64)(v << (64 - bits)) >> (64 - bits);
}

/* A replacement instruction moved from `from` to `to`: PC-relative branches keep their target. */
static u32 relocate(u32 insn, u64 from, u64 to, u64 alt_start, u64 alt_end)
{
	u64 target;
	s64 delta;

	if ((insn & 0x7c000000) == 0x14000000) { /* B, BL: imm26 */
		target = from + (u64)(sext(insn & 0x3ffffff, 26) * 4);
		if (target >= alt_start && target < alt_end)
			return insn;
		delta = (s64)(target - to) / 4;
		return (insn & 0xfc000000) | ((u32)delta & 0x3ffffff);
	}
	if ((insn & 0xff000010) == 0x54000000 || (insn & 0x7e000000) == 0x34000000) { /* B.cond, CBZ/CBNZ: imm19 */
		target = from + (u64)(sext((insn >> 5) & 0x7ffff, 19) * 4);
		if (target >= alt_start && target < alt_end)
			return insn;
		delta = (s64)(target - to) / 4;
		return (insn & ~(0x7ffffU << 5)) | (((u32)delta & 0x7ffff) << 5);
	}
	if ((insn & 0x7e000000) == 0x36000000) { /* TBZ/TBNZ: imm14 */
		target = from + (u64)(sext((insn >> 5) & 0x3fff, 14) * 4);
		if (target >= alt_start && target < alt_end)
			return insn;
		delta = (s64)(target - to) / 4;
		return (insn & ~(0x3fffU << 5)) | (((u32)delta & 0x3fff) << 5);
	}
	if ((insn & 0x1f000000) == 0x10000000 || (insn & 0x3b000000) == 0x18000000)
		fail("alternative: ADR/ADRP/LDR literal in a replacement is not relocated");
	return insn;
}

static u64 apply_alternatives(u64 caps)
{
	struct alt_instr *a;
	u64 patched = 0;

	for (a = __alt_instructions; a < __alt_instructions_end; a++) {
		u32 *orig = (u32 *)((u8 *)&a->orig_offset + a->orig_offset);
		u32 *alt = (u32 *)((u8 *)&a->alt_offset + a->alt_offset);
		u64 n = a->alt_len / 4, i;

		if (a->alt_len != a->orig_len || (a->alt_len & 3) != 0)
			fail("alternative: lengths differ");
		if (!(caps & (1UL << a->cpucap)))
			continue;
		for (i = 0; i < n; i++)
			orig[i] = relocate(alt[i], (u64)&alt[i], (u64)&orig[i], (u64)alt, (u64)alt + a->alt_len);
		patched++;
	}
	asm volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" : : : "memory");
	return patched;
}
#endif

static void run_case(u64 index)
{
	struct set_up_registers r;
	u64 va, kind, par;
	u64 outcome, parin, parout, esr1, far1, i;

	read_set_up_registers(&r);
	va = next();
	kind = next();
	par = next();
	load_memory_image_regime_off();

	for (i = 0; i < 16; i++)
		vcpu[i] = 0;
	for (i = 0; i < 8; i++)
		trap_state[i] = 0;
#ifdef FAULTC_OBJECT_TRAPS
	object_trap_reset();
#endif
	write_walk_registers(&r);
	write_sysreg((u64)guest_vectors, vbar_el1);
	write_sysreg((u64)vcpu, tpidr_el2);
	write_sysreg(par, par_el1);
	write_sysreg(0UL, esr_el1);
	write_sysreg(0UL, far_el1);
	write_sysreg(r.hcr, hcr_el2);
	asm volatile("isb" : : : "memory");
	write_sysreg(r.sctlr, sctlr_el1);
	asm volatile("isb\n\ttlbi alle1\n\tic iallu\n\tdsb sy\n\tisb" : : : "memory");
	parin = read_sysreg(par_el1);

	outcome = run_guest(va, kind);
	parout = read_sysreg(par_el1);
	esr1 = read_sysreg(esr_el1);
	far1 = read_sysreg(far_el1);
	if (outcome < 1 || outcome > 4)
		fail("unknown outcome");

	puts_uart("TRAP ");
	putdec(index);
	putc_uart(' ');
	puts_uart(outcomes[outcome]);
	for (i = 0; i < 6; i++) {
		static const int slots[6] = { 6, 1, 2, 3, 4, -1 };
		putc_uart(' ');
		if (slots[i] < 0)
			puthex(parin);
		else
			puthex(trap_state[slots[i]]);
	}
	putc_uart(' ');
	puthex(parout);
	for (i = 8; i < 11; i++) {
		putc_uart(' ');
		puthex(vcpu[i]);
	}
	putc_uart(' ');
	puthex(esr1);
	putc_uart(' ');
	puthex(far1);
	putc_uart('\n');
#ifdef FAULTC_OBJECT_TRAPS
	object_trap_report(index);
#endif
}

int harness_main(void)
{
#ifdef FAULTC_OBJECT_TRAPS
	object_trap_setup();
#else
	u64 midr = read_sysreg(midr_el1);
	u64 caps = has_834220(midr) ? (1UL << CAP_834220) : 0;
	u64 patched;

	(void)CAP_VHE;
	patched = apply_alternatives(caps);
	puts_uart("MIDR ");
	puthex(midr);
	puts_uart(" CAPS ");
	puthex(caps);
	puts_uart(" PATCHED ");
	putdec(patched);
	putc_uart('\n');
#endif

	return run_cases(TRAP_MAGIC, run_case);
}
