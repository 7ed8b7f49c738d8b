// SPDX-License-Identifier: GPL-2.0-only
// faultc's bare-metal QEMU harness, guest traps through a compiled kernel function: the EL2 handler
// trap-entry.S enters on the first trap of a case (built with -DTRAP_HANDLER=object_el1_sync). It
// saves the guest's registers, calls object_trap_call(ESR_EL2) (object-trap.c), which calls the
// function, and then does what the kernel's caller does with the answer: re-enter the guest
// (restore its registers, eret; the access traps again and trap-entry.S reports "retry"), or
// exit with the code in x1 through __guest_exit, as a generated handler's exit does.

	.text
	.global object_el1_sync
	.type object_el1_sync, %function
object_el1_sync:
	// The call below is an AAPCS64 call: it keeps x19-x29 and SP, so the registers to save for
	// the guest are the caller-saved ones, x0-x18 and x30.
	sub	sp, sp, #(20 * 8)
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mrs	x0, esr_el2
	bl	object_trap_call
	cbz	x0, 1f
	mov	x1, x0
	add	sp, sp, #(20 * 8)
	b	__guest_exit
1:	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #(20 * 8)
	eret
	.size object_el1_sync, . - object_el1_sync
