// One z3 context for the process: z3-solver's initialisation loads WebAssembly (about half a
// second), so it happens once, on first use. The low-level API is kept beside it for walking
// terms (smt/print.ts). The package itself is loaded then too (a quarter of a second of
// JavaScript), not when a command that may never prove anything starts (`faultc --help`, check).
import type { init } from "z3-solver";

type Z3Api = Awaited<ReturnType<typeof init>>;
export type Z3Low = Z3Api["Z3"];
export type Z3Context = ReturnType<Z3Api["Context"]> & { readonly name: string };
export type Z3BitVec = ReturnType<Z3Context["BitVec"]["const"]>;
export type Z3Bool = ReturnType<Z3Context["Bool"]["const"]>;

let api: Promise<Z3Api> | undefined;

const loadApi = (): Promise<Z3Api> => import("z3-solver").then((z3) => z3.init());
let context: Promise<Z3Context> | undefined;

export function z3Context(): Promise<Z3Context> {
  api ??= loadApi();
  context ??= api.then((a) => a.Context("faultc") as unknown as Z3Context);
  return context;
}

/** z3-solver's low-level API (the process's context's `ptr` is its context). */
export async function z3Low(): Promise<Z3Low> {
  api ??= loadApi();
  return (await api).Z3;
}
