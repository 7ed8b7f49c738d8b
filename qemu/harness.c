// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultc's bare-metal QEMU harness, AT agreement (src/oracle/at-cases.ts writes the input).
 *
 * Runs at EL2 with its own MMU off. The input blob (oracle_blob, linked in by blob.S) is a
 * sequence of little-endian 64-bit words:
 *
 *	MAGIC, ncases, then per case:
 *	  TCR_EL1 TTBR0_EL1 TTBR1_EL1 MAIR_EL1 SCTLR_EL1 HCR_EL2 VTTBR_EL2 VTCR_EL2
 *	  nzero nwrite nprobe
 *	  nzero page addresses (4 KiB, zeroed first)
 *	  nwrite (address, value) pairs (64-bit stores)
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
#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;

#define ORACLE_MAGIC 0x6661756c74634154ULL /* "faultcAT" */
#define UART_DR ((volatile u32 *)0x09000000UL)

extern const u64 oracle_blob[];
extern const u64 oracle_blob_end[];
void semihost_exit(u64 code) __attribute__((noreturn));
int harness_main(void);
void harness_el2_exception(u64 kind, const u64 *frame) __attribute__((noreturn));

/* GCC may emit calls to these even with -ffreestanding. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

#define __str1(x) #x
#define __str(x) __str1(x)
#define read_sysreg(r) ({ u64 __v; asm volatile("mrs %0, " __str(r) : "=r"(__v)); __v; })
#define write_sysreg(v, r) do { u64 __v = (u64)(v); asm volatile("msr " __str(r) ", %0" : : "r"(__v)); } while (0)

static void putc_uart(char c)
{
	*UART_DR = (u32)(unsigned char)c;
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void puthex(u64 v)
{
	char buf[19];
	int i = 18;
	buf[i] = 0;
	do {
		unsigned d = (unsigned)(v & 0xf);
		buf[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_uart(&buf[i]);
}

static void putdec(u64 v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_uart(&buf[i]);
}

static void __attribute__((noreturn)) fail(const char *what)
{
	puts_uart("ERROR ");
	puts_uart(what);
	putc_uart('\n');
	semihost_exit(2);
}

void harness_el2_exception(u64 kind, const u64 *frame)
{
	(void)frame;
	puts_uart("EXC ");
	putdec(kind);
	putc_uart(' ');
	puthex(read_sysreg(esr_el2));
	putc_uart(' ');
	puthex(read_sysreg(elr_el2));
	putc_uart(' ');
	puthex(read_sysreg(far_el2));
	putc_uart('\n');
	semihost_exit(3);
}

static const u64 *cursor;

static u64 next(void)
{
	if (cursor >= oracle_blob_end)
		fail("input ends early");
	return *cursor++;
}

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
	u64 nzero = next(), nwrite = next(), nprobe = next();
	u64 i;

	/* Leave the EL1&0 regime off while its tables change. */
	write_sysreg(0x30d00800UL, sctlr_el1);
	write_sysreg((1UL << 31), hcr_el2);
	asm volatile("isb" : : : "memory");

	for (i = 0; i < nzero; i++) {
		volatile u64 *page = (volatile u64 *)next();
		if (((u64)page & 0xfff) != 0 || (u64)page < 0x50000000UL)
			fail("zero page outside the set-up area");
		for (int w = 0; w < 512; w++)
			page[w] = 0;
	}
	for (i = 0; i < nwrite; i++) {
		u64 address = next();
		u64 value = next();
		if ((address & 7) != 0 || address < 0x50000000UL)
			fail("write outside the set-up area");
		*(volatile u64 *)address = value;
	}
	asm volatile("dsb sy" : : : "memory");

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
