// The kernel-style backends the build registers beside the TypeScript variants: NAME.S (the
// asm-like program for GNU as, with include/faultc-asm.h) and NAME.c (kernel C, with
// include/faultc-hyp.h). Each is imported when it first emits: a build whose outputs the build
// cache knows loads neither.
import { registerBackend } from "./build.ts";

registerBackend(".S", async (m) => (await import("./c/asm-file.ts")).emitKernelAsm(m));
registerBackend(".c", async (m) => (await import("./c/emit.ts")).emitKernelC(m));
