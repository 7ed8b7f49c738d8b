// One z3 context for the process: z3-solver's initialisation loads WebAssembly (about half a
// second), so it happens once, on first use.
import { init } from "z3-solver";

type Z3Api = Awaited<ReturnType<typeof init>>;
export type Z3Context = ReturnType<Z3Api["Context"]> & { readonly name: string };
export type Z3BitVec = ReturnType<Z3Context["BitVec"]["const"]>;
export type Z3Bool = ReturnType<Z3Context["Bool"]["const"]>;

let context: Promise<Z3Context> | undefined;

export function z3Context(): Promise<Z3Context> {
  context ??= init().then((api) => api.Context("faultc") as unknown as Z3Context);
  return context;
}
