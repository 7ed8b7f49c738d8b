// The .S file for the kernel toolchain: faultc-asm.h (save_x0_to_x3, the alternative_* macros,
// AT by its SYS encoding), then exactly the asm-like variant's program text (which sets the
// numbers of the capabilities it tests, names/capabilities.ts), so the assembled file and the
// text the model's interpreter runs cannot drift.
// Build: aarch64-linux-gnu-gcc -c -x assembler-with-cpp -Iinclude -Wa,--fatal-warnings x.S
import { assembleModule } from "../asm/program.ts";
import type { IrModule } from "../ir/types.ts";

export const ASM_HEADER = "faultc-asm.h";

export function emitKernelAsm(m: IrModule): string {
  return `#include "${ASM_HEADER}"\n${assembleModule(m).text}`;
}
