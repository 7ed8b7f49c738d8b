/*
 * faultc's stand-ins for the kernel API that the seed's __populate_fault_info (the switch.c hunk
 * of "[PATCH v2 19/21] arm64: KVM: Move most of the fault decoding to C", 2016) uses, so that the
 * seed's own C compiles with the cross gcc outside a 2016 tree. Written for faultc; the seed's
 * code itself is extracted from the review at build time (scripts/seed-c.ts), never copied.
 *
 * What matters for the verdicts is kept as the 2016 kernel had it: the ESR/FSC constants, the
 * u32 esr_el2 of struct kvm_vcpu_fault_info, read_sysreg_el2() as an alternative on
 * ARM64_HAS_VIRT_HOST_EXTN (mrs of the _EL2 register, or of the _EL1 encoding that E2H redirects),
 * and hyp_alternate_value() as a real alternative in .altinstructions (struct alt_instr: s32
 * orig_offset, s32 alt_offset, u16 cpucap, u8 orig_len, u8 alt_len), which faultc's object loader
 * patches as apply_alternatives does. The vcpu is reduced to its fault record, which therefore
 * sits at the start of struct kvm_vcpu: a pointer to the vcpu is a pointer to the record.
 */
#ifndef FAULTC_SEED_2016_KVM_HYP_H
#define FAULTC_SEED_2016_KVM_HYP_H

#include <asm/cpucaps.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;
typedef _Bool bool;
#define true 1
#define false 0

#define ESR_ELx_EC_SHIFT	26
#define ESR_ELx_EC_IABT_LOW	0x20
#define ESR_ELx_EC_DABT_LOW	0x24
#define ESR_ELx_S1PTW		(1UL << 7)
#define ESR_ELx_FSC_TYPE	0x3C
#define FSC_PERM		0x0C

#define unlikely(x)	__builtin_expect(!!(x), 0)
/* The hyp text section; `used` keeps a static function nothing in this file calls. */
#define __hyp_text	__attribute__((section(".hyp.text"), used))

struct kvm_vcpu_fault_info {
	u32 esr_el2;
	u64 far_el2;
	u64 hpfar_el2;
};
struct kvm_vcpu_arch {
	struct kvm_vcpu_fault_info fault;
};
struct kvm_vcpu {
	struct kvm_vcpu_arch arch;
};

#define __faultc_str(x) #x
#define __faultc_xstr(x) __faultc_str(x)
#define ALTERNATIVE(oldinstr, newinstr, cap)				\
	"661:\n\t" oldinstr "\n662:\n"					\
	".pushsection .altinstructions,\"a\"\n"				\
	".word 661b - .\n.word 663f - .\n"				\
	".hword " __faultc_xstr(cap) "\n"				\
	".byte 662b - 661b\n.byte 664f - 663f\n"			\
	".popsection\n"							\
	".pushsection .altinstr_replacement,\"ax\"\n"			\
	"663:\n\t" newinstr "\n664:\n"					\
	".popsection\n"

#define read_sysreg_el2(r) ({						\
	u64 __val;							\
	asm volatile(ALTERNATIVE("mrs %0, " #r "_el2",			\
				 "mrs %0, " #r "_el1",			\
				 ARM64_HAS_VIRT_HOST_EXTN)		\
		     : "=r" (__val));					\
	__val;								\
})
#define read_sysreg(r) ({						\
	u64 __val;							\
	asm volatile("mrs %0, " #r : "=r" (__val));			\
	__val;								\
})
#define write_sysreg(v, r) do {						\
	u64 __val = (u64)(v);						\
	asm volatile("msr " #r ", %x0" : : "rZ" (__val));		\
} while (0)
#define isb()	asm volatile("isb" : : : "memory")

/* A function whose value is patched at boot: `orig`, or `alt` when the CPU has `cond`. */
#define hyp_alternate_value(fname, orig, alt, cond)			\
typeof(orig) __hyp_text fname(void)					\
{									\
	u64 __val = (orig);						\
	asm volatile(ALTERNATIVE("nop", "mov %0, %1", cond)		\
		     : "+r" (__val) : "r" ((u64)(alt)));		\
	return __val;							\
}

#endif
