// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultc's bare-metal QEMU harness, AT agreement (src/oracle/at-cases.ts writes the input).
 *
 * Runs at EL2 with its own MMU off. The input blob (oracle_blob, linked in by blob.S) is a
 * sequence of little-endian 64-bit words:
 *
 *	MAGIC, ncases, then per case:
 *	  TCR_EL1 TTBR0_EL1 TTBR1_EL1 MAIR_EL1 SCTLR_EL1 HCR_EL2 VTTBR_EL2 VTCR_EL2
 *	  nprobe
 *	  memory image (lib.c load_memory_image)
 *	  nprobe VAs
 *
 * For each case it writes the memory, programs the registers, invalidates the EL1&0 TLBs and,
 * for each VA, runs AT S1E1R and AT S1E1W at EL2 and prints
 *
 *	PAR <case> <probe> <PAR_EL1 after S1E1R> <PAR_EL1 after S1E1W>
 *
 * in lower-case hex with a 0x prefix, then `DONE <ncases>` and exits with status 0 through
 * semihosting. Malformed input prints `ERROR <what>` and exits with status 2; an exception
 * taken to EL2 prints `EXC <kind> <ESR_EL2> <ELR_EL2> <FAR_EL2>` and exits with status 3.
 */
#include "lib.h"

#define ORACLE_MAGIC 0x6661756c74634154ULL /* "faultcAT" */

static u64 at_s1e1r(u64 va)
{
	asm volatile("at s1e1r, %0\n\tisb" : : "r"(va) : "memory");
	return read_sysreg(par_el1);
}

static u64 at_s1e1w(u64 va)
{
	asm volatile("at s1e1w, %0\n\tisb" : : "r"(va) : "memory");
	return read_sysreg(par_el1);
}

static void run_case(u64 index)
{
	u64 tcr = next(), ttbr0 = next(), ttbr1 = next(), mair = next();
	u64 sctlr = next(), hcr = next(), vttbr = next(), vtcr = next();
	u64 nprobe = next();
	u64 i;

	/* Leave the EL1&0 regime off while its tables change. */
	write_sysreg(0x30d00800UL, sctlr_el1);
	write_sysreg((1UL << 31), hcr_el2);
	asm volatile("isb" : : : "memory");
	load_memory_image();

	write_sysreg(tcr, tcr_el1);
	write_sysreg(ttbr0, ttbr0_el1);
	write_sysreg(ttbr1, ttbr1_el1);
	write_sysreg(mair, mair_el1);
	write_sysreg(vttbr, vttbr_el2);
	write_sysreg(vtcr, vtcr_el2);
	write_sysreg(hcr, hcr_el2);
	asm volatile("isb" : : : "memory");
	write_sysreg(sctlr, sctlr_el1);
	asm volatile("isb\n\ttlbi alle1\n\tdsb sy\n\tisb" : : : "memory");

	for (i = 0; i < nprobe; i++) {
		u64 va = next();
		u64 r = at_s1e1r(va);
		u64 w = at_s1e1w(va);
		puts_uart("PAR ");
		putdec(index);
		putc_uart(' ');
		putdec(i);
		putc_uart(' ');
		puthex(r);
		putc_uart(' ');
		puthex(w);
		putc_uart('\n');
	}
}

int harness_main(void)
{
	u64 ncases, c;

	cursor = oracle_blob;
	if (next() != ORACLE_MAGIC)
		fail("bad magic");
	ncases = next();
	for (c = 0; c < ncases; c++)
		run_case(c);
	if (cursor != oracle_blob_end)
		fail("trailing input");
	puts_uart("DONE ");
	putdec(ncases);
	putc_uart('\n');
	return 0;
}
