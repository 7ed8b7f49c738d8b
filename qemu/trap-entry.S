// SPDX-License-Identifier: GPL-2.0-only
// faultc's bare-metal QEMU harness, guest traps: the guest's code and EL1 vectors, the way from the
// EL2 lower-EL synchronous vector into the generated handler (el1_sync), and the symbols that
// handler leaves through (__guest_exit, host_hvc, fpsimd_guest_restore), which record the outcome
// and return to the C loop (trap-harness.c) from run_guest.

// The EL2 handler a guest trap enters: the generated handler's el1_sync, or another one the
// build names (-DTRAP_HANDLER=object_el1_sync: object-entry.S, a compiled kernel function).
#ifndef TRAP_HANDLER
#define TRAP_HANDLER el1_sync
#endif

	.equ	OUT_EXIT, 1
	.equ	OUT_RETRY, 2
	.equ	OUT_HOST_HVC, 3
	.equ	OUT_FPSIMD, 4

	.text
// u64 run_guest(u64 va, u64 kind): enters the guest at EL1h (DAIF masked) with x0 = va (the
// address register's value), x1 = kind (the guest stub's index); returns the outcome (OUT_*),
// with the handler's exit code in trap_state.code.
	.global run_guest
	.type run_guest, %function
run_guest:
	ldr	x9, =run_context
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x30, [x9, #80]
	mov	x10, sp
	str	x10, [x9, #96]
	adr	x10, guest_entry
	msr	elr_el2, x10
	mov	x10, #0x3c5		// EL1h, DAIF masked
	msr	spsr_el2, x10
	isb
	eret
	.size run_guest, . - run_guest

// x0 = outcome, x1 = exit code: back to run_guest's caller, dropping whatever the handler left.
guest_return:
	ldr	x9, =trap_state
	str	x1, [x9, #48]
	ldr	x9, =run_context
	ldr	x10, [x9, #96]
	mov	sp, x10
	ldp	x19, x20, [x9, #0]
	ldp	x21, x22, [x9, #16]
	ldp	x23, x24, [x9, #32]
	ldp	x25, x26, [x9, #48]
	ldp	x27, x28, [x9, #64]
	ldp	x29, x30, [x9, #80]
	ret

// The generated handler's exits (kvm-2016: b __guest_exit with x0 = vcpu, x1 = exception code).
	.global __guest_exit
__guest_exit:
	mov	x0, #OUT_EXIT
	b	guest_return
	.global host_hvc
host_hvc:
	mov	x0, #OUT_HOST_HVC
	mov	x1, #0
	b	guest_return
	.global fpsimd_guest_restore
fpsimd_guest_restore:
	mov	x0, #OUT_FPSIMD
	mov	x1, #0
	b	guest_return

// The lower-EL AArch64 synchronous vector entry (start.S branches here). The first entry of a case
// records ESR_EL2, FAR_EL2, HPFAR_EL2 and ELR_EL2 as QEMU produced them and enters the handler
// (TRAP_HANDLER) with the guest's x0-x30 untouched; a second entry means the handler re-entered the guest
// (eret) and the access trapped again: the outcome is "retry".
	.global el2_lower_sync
el2_lower_sync:
	stp	x0, x1, [sp, #-16]!
	ldr	x0, =trap_state
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	cmp	x1, #1
	b.ne	1f
	mrs	x1, esr_el2
	str	x1, [x0, #8]
	mrs	x1, far_el2
	str	x1, [x0, #16]
	mrs	x1, hpfar_el2
	str	x1, [x0, #24]
	mrs	x1, elr_el2
	str	x1, [x0, #32]
	ldp	x0, x1, [sp], #16
	b	TRAP_HANDLER
1:	ldp	x0, x1, [sp], #16
	mov	x0, #OUT_RETRY
	mov	x1, #0
	b	guest_return

// The guest, at EL1 with its MMU on (the image is identity-mapped by both stages). x0 = the
// instruction's address register value, x1 = the stub's index in faultc_guest_stubs (guest-stubs.S,
// generated per build by src/oracle/guest-stubs.ts: one stub per distinct instruction of the batch,
// each executing the real instruction). An access that completes ends with hvc #0x52.
	.balign	4096
guest_entry:
	ldr	x9, =faultc_guest_stub_count
	ldr	x9, [x9]
	cmp	x1, x9
	b.hs	1f
	ldr	x9, =faultc_guest_stubs
	ldr	x9, [x9, x1, lsl #3]
	br	x9
1:	hvc	#0x5f
	.ltorg

// The guest's EL1 vectors: an exception taken to EL1 (a stage-1 fault) ends with hvc #0x51.
	.balign	0x800
	.global guest_vectors
guest_vectors:
	.rept	16
	.balign	0x80
	hvc	#0x51
	.endr

	.data
	.balign	16
run_context:
	.skip	112
// entries, esr, far, hpfar, elr, (pad), code
	.global trap_state
trap_state:
	.skip	64
