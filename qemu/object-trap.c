// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultc's bare-metal QEMU harness, guest traps through a compiled kernel function (issue 10
 * item 5; src/oracle/object-oracle.ts). trap-harness.c built with -DFAULTC_OBJECT_TRAPS links this
 * file and object-entry.S in place of a generated handler, and trap-entry.S enters
 * object_el1_sync on a guest trap.
 *
 * The function comes as data (object-fn.S, generated per run into the build directory):
 *	faultc_object_info	nwords ncaps nrules-words record-bytes exit-code
 *	faultc_cap_rules	ncaps rules of 5 words (kind, p1..p4): how the kernel decides each
 *				capability the function's alternatives test (src/oracle/cpu-capabilities.ts)
 *	faultc_fn_variants	1 << ncaps copies of the function's nwords machine words, copy `mask`
 *				with the alternatives of the capabilities in `mask` (bit i = rule i) applied
 *	faultc_fn		nwords zero words (UDF) in .text: the function's place
 * At boot the harness reads the ID registers, evaluates the rules on them, copies the matching
 * copy to faultc_fn (as the kernel patches its text in place before it runs) and prints
 *	CPU MIDR_EL1 <v> ID_AA64MMFR3_EL1 <v> CAPS <mask> WORDS <nwords>
 * Per case, after trap-harness.c's TRAP line:
 *	CALL <case> <called> <w0> <PAR_EL1 before> <PAR_EL1 after> <record word 0> ... <word n-1>
 * called is 1 when the trap's EC is one the kernel's exit-handler table sends to
 * __get_fault_info's callers (IABT_LOW, DABT_LOW, WATCHPT_LOW: nvhe/switch.c:227-229); then the
 * function ran with x0 = ESR_EL2 and x1 = a zeroed record of record-bytes bytes.
 */
#include "lib.h"

#define RULE_ABSENT 0
#define RULE_PRESENT 1
#define RULE_MIDR_RANGE 2 /* p1 = model mask, p2 = model, p3 = rv_min, p4 = rv_max */
#define RULE_ID_FIELD 3	  /* p1 = register, p2 = shift | width << 8 | signed << 16, p3 = min, p4 = max */

/* The registers the rules may read, in cpu-capabilities.ts ID_REGISTERS order. */
#define NREGISTERS 2
static const char *const register_names[NREGISTERS] = { "MIDR_EL1", "ID_AA64MMFR3_EL1" };

#define MAX_RECORD_BYTES 256

/* The exit code of a trap the kernel hands to the host: its ARM_EXCEPTION_TRAP (asm/kvm_asm.h). */
#define EXIT_CODE (faultc_object_info[4])

extern const u64 faultc_object_info[5];
extern const u64 faultc_cap_rules[];
extern const u32 faultc_fn_variants[];
/*
 * The function, called as its C caller calls it (bool __get_fault_info(u64 esr, struct
 * kvm_vcpu_fault_info *fault)), but read as the whole of w0, which is what is reported.
 */
u32 faultc_fn(u64 esr, void *record);

static u64 registers[NREGISTERS];
static u64 record[MAX_RECORD_BYTES / 8] __attribute__((aligned(16)));

static struct {
	u64 called, w0, par_before, par_after;
} call;

static s64 field(u64 reg, u64 shift, u64 width, int is_signed)
{
	u64 v = (reg >> shift) & ((1UL << width) - 1);
	if (is_signed && (v >> (width - 1)))
		return (s64)v - (s64)(1UL << width);
	return (s64)v;
}

static int rule_holds(const u64 *r)
{
	u64 midr = registers[0] & 0xffffffffUL, rv = midr & 0x00f0000fUL;

	switch (r[0]) {
	case RULE_ABSENT:
		return 0;
	case RULE_PRESENT:
		return 1;
	case RULE_MIDR_RANGE:
		return (midr & r[1]) == r[2] && rv >= r[3] && rv <= r[4];
	case RULE_ID_FIELD: {
		u64 shift = r[2] & 0xff, width = (r[2] >> 8) & 0xff;
		int is_signed = (r[2] >> 16) & 1;
		s64 v;
		if (r[1] >= NREGISTERS || width == 0 || shift + width > 64)
			fail("capability rule: bad register field");
		v = field(registers[r[1]], shift, width, is_signed);
		return v >= (s64)r[3] && v <= (s64)r[4];
	}
	}
	fail("capability rule: unknown kind");
}

void object_trap_setup(void)
{
	u64 nwords = faultc_object_info[0], ncaps = faultc_object_info[1];
	u64 mask = 0, i;
	const u32 *words;

	if (ncaps > 16 || faultc_object_info[2] != ncaps * 5 || faultc_object_info[3] > MAX_RECORD_BYTES || (faultc_object_info[3] & 7) != 0 || EXIT_CODE == 0)
		fail("object-fn.S: malformed faultc_object_info");
	registers[0] = read_sysreg(midr_el1);
	registers[1] = read_sysreg(s3_0_c0_c7_3); /* ID_AA64MMFR3_EL1: RAZ before it was allocated */
	for (i = 0; i < ncaps; i++)
		if (rule_holds(&faultc_cap_rules[i * 5]))
			mask |= 1UL << i;
	/* Patched in place before it first runs, as the kernel's apply_alternatives does. */
	words = &faultc_fn_variants[mask * nwords];
	for (i = 0; i < nwords; i++)
		((volatile u32 *)(void *)faultc_fn)[i] = words[i];
	asm volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" : : : "memory");

	puts_uart("CPU");
	for (i = 0; i < NREGISTERS; i++) {
		putc_uart(' ');
		puts_uart(register_names[i]);
		putc_uart(' ');
		puthex(registers[i]);
	}
	puts_uart(" CAPS ");
	puthex(mask);
	puts_uart(" WORDS ");
	putdec(nwords);
	putc_uart('\n');
}

void object_trap_reset(void)
{
	u64 i;

	call.called = call.w0 = call.par_before = call.par_after = 0;
	for (i = 0; i < MAX_RECORD_BYTES / 8; i++)
		record[i] = 0;
}

/*
 * object-entry.S calls this on the first trap of a case, the guest's registers saved: 0 = re-enter
 * the guest (the kernel's caller does so when the function returns false), else the exit code.
 */
u64 object_trap_call(u64 esr)
{
	u64 ec = (esr >> 26) & 0x3f;

	if (ec != 0x20 && ec != 0x24 && ec != 0x34)
		return EXIT_CODE; /* no memory-fault handler for this EC: exit to the host */
	call.called = 1;
	call.par_before = read_sysreg(par_el1);
	call.w0 = faultc_fn(esr, record);
	call.par_after = read_sysreg(par_el1);
	/* A bool: its caller tests the low byte (AAPCS64 leaves the rest of w0 unspecified). */
	return (u8)call.w0 != 0 ? EXIT_CODE : 0;
}

void object_trap_report(u64 index)
{
	u64 i;

	puts_uart("CALL ");
	putdec(index);
	putc_uart(' ');
	putdec(call.called);
	putc_uart(' ');
	puthex(call.w0);
	putc_uart(' ');
	puthex(call.par_before);
	putc_uart(' ');
	puthex(call.par_after);
	for (i = 0; i < faultc_object_info[3] / 8; i++) {
		putc_uart(' ');
		puthex(record[i]);
	}
	putc_uart('\n');
}
