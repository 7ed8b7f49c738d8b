// SPDX-License-Identifier: GPL-2.0-only
/* faultc's bare-metal QEMU harness: UART output, input cursor, EL2 exception report (lib.h). */
#include "lib.h"

#define UART_DR ((volatile u32 *)0x09000000UL)

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

void putc_uart(char c)
{
	*UART_DR = (u32)(unsigned char)c;
}

void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

void puthex(u64 v)
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

void putdec(u64 v)
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

void fail(const char *what)
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

const u64 *cursor;

u64 next(void)
{
	if (cursor >= oracle_blob_end)
		fail("input ends early");
	return *cursor++;
}


/*
 * A memory image: nzero nwrite, then nzero page addresses (4 KiB, zeroed first), then nwrite
 * (address, value) pairs (64-bit stores). Everything must lie at or above ORACLE_AREA_BASE, far
 * from the harness image.
 */
void load_memory_image(void)
{
	u64 nzero = next(), nwrite = next();
	u64 i;

	for (i = 0; i < nzero; i++) {
		volatile u64 *page = (volatile u64 *)next();
		if (((u64)page & 0xfff) != 0 || (u64)page < ORACLE_AREA_BASE)
			fail("zero page outside the set-up area");
		for (int w = 0; w < 512; w++)
			page[w] = 0;
	}
	for (i = 0; i < nwrite; i++) {
		u64 address = next();
		u64 value = next();
		if ((address & 7) != 0 || address < ORACLE_AREA_BASE)
			fail("write outside the set-up area");
		*(volatile u64 *)address = value;
	}
	asm volatile("dsb sy" : : : "memory");
}

#define AT_INPUT_MAGIC 0x6661756c74634154ULL /* "faultcAT" */

/* The registers a set-up states, in the input's order (REGISTER_NAMES in src/runtime/mmu/registers.ts). */
void read_set_up_registers(struct set_up_registers *r)
{
	r->tcr = next();
	r->ttbr0 = next();
	r->ttbr1 = next();
	r->mair = next();
	r->sctlr = next();
	r->hcr = next();
	r->vttbr = next();
	r->vtcr = next();
}

/* The set-up's memory image written with the EL1&0 regime off (no walk sees half a table). */
void load_memory_image_regime_off(void)
{
	write_sysreg(0x30d00800UL, sctlr_el1);
	write_sysreg((1UL << 31), hcr_el2);
	asm volatile("isb" : : : "memory");
	load_memory_image();
}

/* The walk's registers; HCR_EL2 and SCTLR_EL1, which turn the regime on, are the caller's. */
void write_walk_registers(const struct set_up_registers *r)
{
	write_sysreg(r->tcr, tcr_el1);
	write_sysreg(r->ttbr0, ttbr0_el1);
	write_sysreg(r->ttbr1, ttbr1_el1);
	write_sysreg(r->mair, mair_el1);
	write_sysreg(r->vttbr, vttbr_el2);
	write_sysreg(r->vtcr, vtcr_el2);
}

/*
 * One AT set-up of the AT harnesses' input (qemu/harness.c describes it): the EL1&0 regime is
 * turned off while the memory image is written, then the registers are programmed and the EL1&0
 * TLBs invalidated. Returns the number of probes that follow.
 */
u64 set_up_at_case(void)
{
	struct set_up_registers r;
	u64 nprobe;

	read_set_up_registers(&r);
	nprobe = next();
	load_memory_image_regime_off();
	write_walk_registers(&r);
	write_sysreg(r.hcr, hcr_el2);
	asm volatile("isb" : : : "memory");
	write_sysreg(r.sctlr, sctlr_el1);
	asm volatile("isb\n\ttlbi alle1\n\tdsb sy\n\tisb" : : : "memory");
	return nprobe;
}

int run_cases(u64 magic, void (*run_case)(u64 index))
{
	u64 ncases, c;

	cursor = oracle_blob;
	if (next() != magic)
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

int run_at_input(void (*run_case)(u64 index))
{
	return run_cases(AT_INPUT_MAGIC, run_case);
}
