// z3-solver, the embedded solver (smt/wasm.ts): its initialisation loads WebAssembly (about half
// a second), so it happens once, on first use, and only when the embedded solver answers: a proof
// on a native solver never loads it. The package itself is loaded then too (a quarter of a second
// of JavaScript).
import type { Context } from "z3-solver";

/** z3-solver's context, whose terms and models smt/wasm.ts makes and reads. */
export type Z3Context = Context<"faultc">;

let context: Promise<Z3Context> | undefined;

/** The process's z3-solver context, initialised on first use. */
export function z3Context(): Promise<Z3Context> {
  context ??= import("z3-solver").then(async (z3) => (await z3.init()).Context("faultc"));
  return context;
}
