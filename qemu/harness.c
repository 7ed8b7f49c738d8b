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
	u64 nprobe = set_up_at_case();
	u64 i;

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
	return run_at_input(run_case);
}
