// A term's value built children first, each subterm once (kept in `done`), without recursion:
// terms are thousands deep. What the back ends make of a term (z3-solver's term of it, its SMT-LIB
// name) is each such a fold. (term/evaluate.ts is one too, written out on its own: an ite there
// evaluates one branch only; the sweep evaluates terms compiled, term/compiled.ts.)
import type { Term } from "./term.ts";

export interface FoldMemo<V> {
  has(t: Term): boolean;
  get(t: Term): V | undefined;
  set(t: Term, v: V): unknown;
}

/** `root`'s value: `make(t, argValues)` for each subterm `done` does not hold yet, arguments first. */
export function foldTerm<V>(root: Term, done: FoldMemo<V>, make: (t: Term, args: V[]) => V): V {
  const stack: Term[] = [root];
  while (stack.length > 0) {
    const t = stack[stack.length - 1];
    if (done.has(t)) {
      stack.pop();
      continue;
    }
    let waiting = false;
    for (const a of t.args)
      if (!done.has(a)) {
        stack.push(a);
        waiting = true;
      }
    if (waiting) continue;
    done.set(t, make(t, t.args.map((a) => done.get(a) as V)));
    stack.pop();
  }
  return done.get(root) as V;
}
