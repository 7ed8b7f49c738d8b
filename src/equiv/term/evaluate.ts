// The value of a term under an assignment of its leaves: constants by name, each uninterpreted
// function by its table. A constant or an application the assignment leaves out gets the default
// (zero, false) every time: the model's completion, as z3's model evaluation completes it. Each
// subterm is evaluated once per assignment (`memo`), children first, without recursion: terms are
// thousands deep. A bit-vector's value is a bigint below 2^width; its width is the term's sort.
import { TermKind, type Term } from "./term.ts";

export type TermValue = boolean | bigint;

export interface Assignment {
  consts: ReadonlyMap<string, TermValue>;
  functions: ReadonlyMap<string, ReadonlyMap<bigint, bigint>>;
}

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;
const signed = (v: bigint, w: number): bigint => (v >> BigInt(w - 1) ? v - (1n << BigInt(w)) : v);

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

function value(t: Term, a: Assignment, memo: Map<Term, TermValue>): TermValue {
  switch (t.kind) {
    case TermKind.Numeral: return t.value;
    case TermKind.BoolLiteral: return t.op === "true";
    case TermKind.Constant: return a.consts.get(t.op) ?? (t.sort === "bool" ? false : 0n);
    case TermKind.Application: return a.functions.get(t.op)?.get(memo.get(t.args[0]) as bigint) ?? 0n;
    case TermKind.Operator: break;
  }
  const args = t.args;
  switch (t.op) {
    case "not": return memo.get(args[0]) !== true;
    case "and":
      for (let i = 0; i < args.length; i++) if (memo.get(args[i]) !== true) return false;
      return true;
    case "or":
      for (let i = 0; i < args.length; i++) if (memo.get(args[i]) === true) return true;
      return false;
    case "=>": return memo.get(args[0]) !== true || memo.get(args[1]) === true;
    case "=": return memo.get(args[0]) === memo.get(args[1]);
    case "at-most": {
      let set = 0;
      for (let i = 0; i < args.length; i++) if (memo.get(args[i]) === true) set++;
      return set <= t.params[0];
    }
    case "concat": {
      let acc = 0n;
      for (let i = 0; i < args.length; i++) acc = (acc << BigInt(args[i].width)) | (memo.get(args[i]) as bigint);
      return acc;
    }
  }
  const x = memo.get(args[0]) as bigint;
  const y = (args.length > 1 ? memo.get(args[1]) : 0n) as bigint;
  const w = args[0].width;
  switch (t.op) {
    case "bvnot": return ~x & mask(w);
    case "bvadd": return (x + y) & mask(w);
    case "bvsub": return (x - y) & mask(w);
    case "bvmul": return (x * y) & mask(w);
    case "bvand": return x & y;
    case "bvor": return x | y;
    case "bvxor": return x ^ y;
    case "bvshl": return y >= BigInt(w) ? 0n : (x << y) & mask(w);
    case "bvlshr": return y >= BigInt(w) ? 0n : x >> y;
    case "bvashr": return (signed(x, w) >> (y >= BigInt(w) ? BigInt(w) : y)) & mask(w);
    case "bvult": return x < y;
    case "bvule": return x <= y;
    case "bvugt": return x > y;
    case "bvslt": return signed(x, w) < signed(y, w);
    case "bvsle": return signed(x, w) <= signed(y, w);
    case "extract": return (x >> BigInt(t.params[1])) & mask(t.params[0] - t.params[1] + 1);
    case "zero_extend": return x;
    case "sign_extend": return signed(x, w) & mask(w + t.params[0]);
  }
  throw new Error(`internal: no evaluation of ${t.op}`);
}
