// Generating a rule file's outputs from its IR module, for the build (build.ts) when the build
// cache does not already know them: the asm-like program assembled once, then an emitter per
// output. A module of its own that the build imports on first need, so that a build with
// nothing changed does not load the assembler and the emitters.
import type { Diagnostic } from "../parser/diagnostics.ts";
import type { SourceText } from "../parser/source.ts";
import { emitAsmModule } from "./asm/asm-module.ts";
import { assembleModule } from "./asm/program.ts";
import type { ExtraBackend } from "./build.ts";
import { orTooComplex } from "./diagnostics.ts";
import type { IrModule } from "./ir/types.ts";
import { emitCVariant } from "./ts/c-variant.ts";

export type Emitter = () => string | Promise<string>;

/**
 * The emitters of `m`'s outputs, in the order of their suffixes (.c.ts, .asm.ts, then each of
 * `extra`), or the diagnostic of a handler too large for the asm-like variant (the rule file's
 * error, at the handler).
 */
export function emittersOf(m: IrModule, sources: ReadonlyMap<string, SourceText>, runtimeImport: string, extra: readonly ExtraBackend[]): { emitters: Emitter[] } | { diagnostic: Diagnostic } {
  const selected = orTooComplex(() => assembleModule(m), sources);
  if ("diagnostic" in selected) return selected;
  const program = selected.value;
  return { emitters: [() => emitCVariant(m, { runtimeImport }), () => emitAsmModule(m, program), ...extra.map((emit) => () => emit(m))] };
}
