// The value of a term under an assignment of its leaves: constants by name, each uninterpreted
// function by its table. A constant or an application the assignment leaves out gets the default
// (zero, false) every time: the model's completion, as z3's model evaluation completes it. Each
// subterm is evaluated once per assignment (`memo`), children first, without recursion: terms are
// thousands deep. A bit-vector's value is a bigint below 2^width; its width is the term's sort. Each
// operator's value is term/compiled.ts's (the semantics is written there once).
import { TermKind, type Term } from "./term.ts";
import { compileNode, nodeValue, type CompiledNode, type TermValue } from "./compiled.ts";

export type { TermValue };

export interface Assignment {
  consts: ReadonlyMap<string, TermValue>;
  functions: ReadonlyMap<string, ReadonlyMap<bigint, bigint>>;
}

/** `root`'s value; `memo` holds (and is given) the values of subterms already evaluated under `a`. */
export function evaluateTerm(root: Term, a: Assignment, memo: Map<Term, TermValue> = new Map()): TermValue {
  const known = memo.get(root);
  if (known !== undefined) return known;
  const stack: Term[] = [root];
  while (stack.length > 0) {
    const t = stack[stack.length - 1];
    if (memo.has(t)) {
      stack.pop();
      continue;
    }
    const args = t.args;
    if (t.kind === TermKind.Operator && t.op === "ite") {
      // The condition first, then only the branch it takes.
      const c = memo.get(args[0]);
      if (c === undefined) {
        stack.push(args[0]);
        continue;
      }
      const taken = c === true ? args[1] : args[2];
      const v = memo.get(taken);
      if (v === undefined) {
        stack.push(taken);
        continue;
      }
      memo.set(t, v);
      stack.pop();
      continue;
    }
    let waiting = false;
    for (let i = 0; i < args.length; i++)
      if (!memo.has(args[i])) {
        stack.push(args[i]);
        waiting = true;
      }
    if (waiting) continue;
    memo.set(t, value(t, a, memo));
    stack.pop();
  }
  return memo.get(root)!;
}

/** The compiled form of each operator term evaluated, against its own arguments (0, 1, ...). */
const compiled = new WeakMap<Term, CompiledNode>();

function value(t: Term, a: Assignment, memo: Map<Term, TermValue>): TermValue {
  switch (t.kind) {
    case TermKind.Constant: return a.consts.get(t.op) ?? (t.sort === "bool" ? false : 0n);
    case TermKind.Application: return a.functions.get(t.op)?.get(memo.get(t.args[0]) as bigint) ?? 0n;
    default: break;
  }
  let n = compiled.get(t);
  if (n === undefined) compiled.set(t, (n = compileNode(t, (_, i) => i)));
  return nodeValue(
    n,
    t.args.map((x) => memo.get(x)),
  );
}
