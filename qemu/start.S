// SPDX-License-Identifier: GPL-2.0-only
// faultc's bare-metal QEMU harness: entry at EL2 (qemu -M virt,virtualization=on starts a
// -kernel ELF there), the EL2 vector table, and semihosting exit.

	.section .text.boot, "ax"
	.global _start
_start:
	ldr	x0, =__stack_top
	mov	sp, x0
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	isb
	// zero .bss
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	bl	harness_main
	bl	semihost_exit
3:	b	3b

// semihost_exit(code): SYS_EXIT (0x18) with x1 -> {ADP_Stopped_ApplicationExit, code}; QEMU
// -semihosting makes `code` its exit status.
	.text
	.global semihost_exit
	.type semihost_exit, %function
semihost_exit:
	ldr	x1, =exit_block
	ldr	x2, =0x20026
	str	x2, [x1]
	str	x0, [x1, #8]
	mov	w0, #0x18
	hlt	#0xf000
1:	b	1b
	.size semihost_exit, . - semihost_exit

	.data
	.balign 16
exit_block:
	.quad	0, 0

// EL2 vectors. Every entry saves x0-x30 in a frame and calls harness_el2_exception(kind, frame),
// which reports the exception over the UART and exits: the AT cases never take one, so any
// exception is a harness failure, printed rather than hung on.
	.macro	vector_entry kind
	.balign	0x80
	sub	sp, sp, #(34 * 8)
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	el2_common
	.endm

	.text
	.balign	0x800
	.global el2_vectors
el2_vectors:
	vector_entry 0	// current EL, SP_EL0: sync
	vector_entry 1
	vector_entry 2
	vector_entry 3
	vector_entry 4	// current EL, SP_ELx: sync
	vector_entry 5
	vector_entry 6
	vector_entry 7
	.balign	0x80	// lower EL, AArch64: sync
	b	el2_lower_sync
	vector_entry 9
	vector_entry 10
	vector_entry 11
	vector_entry 12	// lower EL, AArch32
	vector_entry 13
	vector_entry 14
	vector_entry 15

// The lower-EL synchronous entry: reported like any other exception here; trap-entry.S, linked into
// the trap harness, replaces it (a strong definition) with the way into the generated handler.
	.weak	el2_lower_sync
el2_lower_sync:
	sub	sp, sp, #(34 * 8)
	stp	x0, x1, [sp, #0]
	mov	x0, #8
	b	el2_common

el2_common:
	// x0 = kind, x1 saved at [sp, #8]; save x2-x30
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mov	x1, sp
	bl	harness_el2_exception
	// harness_el2_exception does not return (it reports and exits).
1:	b	1b
