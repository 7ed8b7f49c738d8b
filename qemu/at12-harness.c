// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultc's bare-metal QEMU harness, two-stage AT agreement (src/oracle/at12-oracle.ts). Its input
 * is the AT harness's (qemu/harness.c, written by src/oracle/at-cases.ts serialiseAtCases).
 *
 * For each case it writes the memory, programs the registers, invalidates the EL1&0 TLBs and,
 * for each VA, runs at EL2 AT S1E1R, S1E1W, S12E1R, S12E1W, S12E0R and S12E0W, each followed by
 * an isb and a read of PAR_EL1, and prints
 *
 *	PAR12 <case> <probe> <s1e1r> <s1e1w> <s12e1r> <s12e1w> <s12e0r> <s12e0w>
 *
 * in lower-case hex with a 0x prefix, then `DONE <ncases>` and exits with status 0 through
 * semihosting. Malformed input prints `ERROR <what>` and exits with status 2; an exception
 * taken to EL2 prints `EXC <kind> <ESR_EL2> <ELR_EL2> <FAR_EL2>` and exits with status 3.
 */
#include "lib.h"

#define AT_THEN_PAR(op)                                                          \
	static u64 at_##op(u64 va)                                               \
	{                                                                        \
		asm volatile("at " #op ", %0\n\tisb" : : "r"(va) : "memory");   \
		return read_sysreg(par_el1);                                     \
	}

AT_THEN_PAR(s1e1r)
AT_THEN_PAR(s1e1w)
AT_THEN_PAR(s12e1r)
AT_THEN_PAR(s12e1w)
AT_THEN_PAR(s12e0r)
AT_THEN_PAR(s12e0w)

static void run_case(u64 index)
{
	u64 nprobe = set_up_at_case();
	u64 i, k;

	for (i = 0; i < nprobe; i++) {
		u64 va = next();
		u64 par[6];

		par[0] = at_s1e1r(va);
		par[1] = at_s1e1w(va);
		par[2] = at_s12e1r(va);
		par[3] = at_s12e1w(va);
		par[4] = at_s12e0r(va);
		par[5] = at_s12e0w(va);
		puts_uart("PAR12 ");
		putdec(index);
		putc_uart(' ');
		putdec(i);
		for (k = 0; k < 6; k++) {
			putc_uart(' ');
			puthex(par[k]);
		}
		putc_uart('\n');
	}
}

int harness_main(void)
{
	return run_at_input(run_case);
}
