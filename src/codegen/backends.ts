// The kernel-style backends the build registers beside the TypeScript variants: NAME.S (the
// asm-like program for GNU as, with include/faultc-asm.h) and NAME.c (kernel C, with
// include/faultc-hyp.h).
import { registerBackend } from "./build.ts";
import { emitKernelAsm } from "./c/asm-file.ts";
import { emitKernelC } from "./c/emit.ts";

registerBackend(".S", emitKernelAsm);
registerBackend(".c", emitKernelC);
