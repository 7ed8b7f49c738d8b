// The small C function test/fixtures/objects/small.fault binds (get_fault_ipa), for the tests of
// object sides, which compile it with the cross gcc: a permission fault re-enters the guest only
// at level 3, where the fixture's handler re-enters it at every level (a deliberate difference).
export const SMALL_C = `struct small_fault { unsigned long syndrome, address, ipa; };
#define read_sysreg(r) ({ unsigned long v; asm volatile("mrs %0, " #r : "=r"(v)); v; })
_Bool get_fault_ipa(unsigned long esr, struct small_fault *f)
{
	unsigned long far = read_sysreg(far_el2);
	if ((esr & 0x3f) == 0x0f)
		return 0;
	f->address = far;
	f->ipa = read_sysreg(hpfar_el2);
	return 1;
}
`;

/** The same function with another body (between the braces). */
export function smallC(body: string): string {
  return SMALL_C.slice(0, SMALL_C.indexOf("{\n") + 2) + body + "\n}\n";
}
