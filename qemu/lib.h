// SPDX-License-Identifier: GPL-2.0-only
/* faultc's bare-metal QEMU harness: what lib.c and start.S provide to the harness mains. */
#ifndef FAULTC_QEMU_LIB_H
#define FAULTC_QEMU_LIB_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef int32_t s32;
typedef int64_t s64;
typedef uint16_t u16;
typedef uint8_t u8;

#define __str1(x) #x
#define __str(x) __str1(x)
#define read_sysreg(r) ({ u64 __v; asm volatile("mrs %0, " __str(r) : "=r"(__v)); __v; })
#define write_sysreg(v, r) do { u64 __v = (u64)(v); asm volatile("msr " __str(r) ", %0" : : "r"(__v)); } while (0)

/* The lowest address a set-up may write (src/oracle/layout.ts ORACLE_AREA_BASE). */
#define ORACLE_AREA_BASE 0x50000000UL

/* The input (blob.S) and a cursor over it; next() fails at the end. */
extern const u64 oracle_blob[];
extern const u64 oracle_blob_end[];
extern const u64 *cursor;
u64 next(void);

void putc_uart(char c);
void puts_uart(const char *s);
void puthex(u64 v);
void putdec(u64 v);
/* Prints `ERROR what` and exits with status 2. */
void fail(const char *what) __attribute__((noreturn));

/* start.S */
void semihost_exit(u64 code) __attribute__((noreturn));
/* Each harness main (harness.c: AT; trap-harness.c: guest traps). */
int harness_main(void);
/* Called by the EL2 vectors (start.S): prints `EXC ...` and exits with status 3. */
void harness_el2_exception(u64 kind, const u64 *frame) __attribute__((noreturn));

/* Zeroes the listed pages and stores the listed words (the set-up's memory image). */
void load_memory_image(void);

/* A set-up's translation registers, as the input gives them. */
struct set_up_registers {
	u64 tcr, ttbr0, ttbr1, mair, sctlr, hcr, vttbr, vtcr;
};
void read_set_up_registers(struct set_up_registers *r);
/* Writes the set-up's memory image with the EL1&0 regime turned off. */
void load_memory_image_regime_off(void);
/* TCR/TTBR0/TTBR1/MAIR_EL1, VTTBR/VTCR_EL2 (not HCR_EL2 or SCTLR_EL1, which turn the regime on). */
void write_walk_registers(const struct set_up_registers *r);
/* The AT harnesses (harness.c, at12-harness.c): one set-up's registers and memory; returns its probe count. */
u64 set_up_at_case(void);
/* Checks the input's magic, runs every case, checks the input's end, prints `DONE <ncases>`. */
int run_cases(u64 magic, void (*run_case)(u64 index));
/* run_cases for the AT harnesses' input. */
int run_at_input(void (*run_case)(u64 index));

#endif
