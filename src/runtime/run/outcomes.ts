// The one table from the kernel's symbol names to the rule language's names for the routines a
// handler hands over to (dsl/arch/linux-kvm.fault: `external host_hvc; external fpsimd_guest_restore;`).
// A symbol not in the table keeps its own name. A program may name its own external symbols
// (ParsedProgram.externalNames: a generated program whose symbols are escaped), which comes first.
export const EXTERNAL_HANDLER_NAMES: ReadonlyMap<string, string> = new Map([
  ["__kvm_handle_stub_hvc", "host_hvc"],
  ["__fpsimd_guest_restore", "fpsimd_guest_restore"],
]);

export function externalHandlerName(symbol: string, programNames?: ReadonlyMap<string, string>): string {
  return programNames?.get(symbol) ?? EXTERNAL_HANDLER_NAMES.get(symbol) ?? symbol;
}
