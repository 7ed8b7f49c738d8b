// Built-in assembler macros, as the arm64 kernel of early 2016 defined them for hyp code
// (arch/arm64/kvm/hyp/hyp-entry.S): save_x0_to_x3 pushes x0-x3 on the EL2 stack in two pre-indexed
// pairs, restore_x0_to_x3 pops them in the reverse order. Written here in the `.macro` syntax the
// parser also accepts from programs.

export const BUILTIN_MACRO_FILE = "<builtin-macros>";

export const BUILTIN_MACRO_SOURCE = `
.macro save_x0_to_x3
	stp	x0, x1, [sp, #-16]!
	stp	x2, x3, [sp, #-16]!
.endm

.macro restore_x0_to_x3
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
.endm
`;
