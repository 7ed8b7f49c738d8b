/*
 * el1_sync / el1_trap of Linux's arch/arm64/kvm/hyp/hyp-entry.S as they stood BEFORE
 * "[PATCH v2 19/21] arm64: KVM: Move most of the fault decoding to C" (Marc Zyngier,
 * 25 Jan 2016), reconstructed from the patch as quoted in Christoffer Dall's review,
 * "Re: [PATCH v2 19/21] arm64: KVM: Move most of the fault decoding to C", 1 Feb 2016
 * (faultc seed 000_b177247cef8b16d1).
 *
 * Provenance, block by block:
 *  [seed]  lines the seed prints: hunk context and the '-' lines of the hyp-entry.S diff.
 *          Only the pre-patch side is kept: `mrs x1, esr_el2` without the alternative
 *          the patch adds.
 *  [FACTS] lines the seed does not print (between `cmp x2, #ESR_ELx_EC_HVC64` and
 *          `el1_trap:`), written for faultc from FACTS.md: an HVC64 taken
 *          while VTTBR_EL2 is zero comes from the host (no guest is loaded), and goes to
 *          the host's HVC handler with x0-x3 as the host passed them; anything else is a
 *          guest trap and falls into el1_trap.
 * The comments are faultc's own.
 *
 * Model conventions: TPIDR_EL2 holds the vcpu address, SP_EL2 the hyp stack; VCPU_* are
 * faultc's vcpu layout (src/runtime/machine/vcpu-layout.ts). __guest_exit (x0 = vcpu,
 * x1 = exception code), __fpsimd_guest_restore and __kvm_handle_stub_hvc are external:
 * a branch to one ends a run with that outcome.
 */

el1_sync:				// [seed] Guest trapped into EL2
	save_x0_to_x3

	mrs	x1, esr_el2
	lsr	x2, x1, #ESR_ELx_EC_SHIFT

	cmp	x2, #ESR_ELx_EC_HVC64
	/* [FACTS] from here to el1_trap: */
	b.ne	el1_trap		// not an HVC64: a guest trap

	mrs	x3, vttbr_el2		// a loaded guest has a non-zero VTTBR_EL2,
	cbnz	x3, el1_trap		// so this HVC64 came from that guest

	restore_x0_to_x3		// the host's HVC: its arguments back in x0-x3
	b	__kvm_handle_stub_hvc
	/* [FACTS] end */

el1_trap:
	/* [seed] from here to the end; x1 = ESR_EL2, x2 = its exception class */
	cmp	x2, #ESR_ELx_EC_FP_ASIMD
	b.eq	__fpsimd_guest_restore

	cmp	x2, #ESR_ELx_EC_DABT_LOW
	mov	x0, #ESR_ELx_EC_IABT_LOW
	ccmp	x2, x0, #4, ne
	b.ne	1f			// not a data or instruction abort from the guest

	/* An abort: only a permission fault leaves HPFAR_EL2 unreliable. */
alternative_if_not ARM64_WORKAROUND_834220
	and	x2, x1, #ESR_ELx_FSC_TYPE
	cmp	x2, #FSC_PERM
	b.ne	1f			// not a permission fault
alternative_else
	nop				// erratum 834220: every abort takes the
	nop				// AT path below, which checks that stage 1
	nop				// translates before trusting the fault
alternative_endif

	/* A fault on a stage-1 table walk always has a valid HPFAR_EL2. */
	tbnz	x1, #7, 1f		// S1PTW

	/* AT overwrites PAR_EL1, which belongs to the guest: keep it on the stack. */
	mrs	x3, par_el1
	stp	x3, xzr, [sp, #-16]!

	/*
	 * Recompute the IPA from the guest VA with a stage-1 EL1&0 translation; the
	 * access rights were checked by stage 1 already, so a read probe does.
	 */
	mrs	x2, far_el2
	at	s1e1r, x2
	isb

	mrs	x3, par_el1		// the translation result
	ldp	x0, xzr, [sp], #16	// the guest's PAR_EL1, back
	msr	par_el1, x0
	tbnz	x3, #0, 3f		// PAR_EL1.F: stage 1 faults now, let the guest retry
	ubfx	x3, x3, #12, #36	// PAR_EL1.PA[47:12]
	lsl	x3, x3, #4		// in HPFAR_EL2's FIPA position
	b	2f

1:	mrs	x3, hpfar_el2
	mrs	x2, far_el2

2:	mrs	x0, tpidr_el2
	str	w1, [x0, #VCPU_ESR_EL2]
	str	x2, [x0, #VCPU_FAR_EL2]
	str	x3, [x0, #VCPU_HPFAR_EL2]

	mov	x1, #ARM_EXCEPTION_TRAP
	b	__guest_exit

	/* The translation failed (the guest's tables changed under us): re-enter the guest. */
3:	restore_x0_to_x3

	eret
