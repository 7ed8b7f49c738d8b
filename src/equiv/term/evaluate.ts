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
    let waiting = false;
    // ite evaluates its condition first and then only the branch taken.
    const args = t.kind === TermKind.Operator && t.op === "ite" ? iteArgs(t, memo) : t.args;
    for (const x of args)
      if (!memo.has(x)) {
        stack.push(x);
        waiting = true;
      }
    if (waiting) continue;
    memo.set(t, value(t, a, memo));
    stack.pop();
  }
  return memo.get(root)!;
}

function iteArgs(t: Term, memo: Map<Term, TermValue>): readonly Term[] {
  const c = memo.get(t.args[0]);
  if (c === undefined) return [t.args[0]];
  return [c === true ? t.args[1] : t.args[2]];
}

function value(t: Term, a: Assignment, memo: Map<Term, TermValue>): TermValue {
  switch (t.kind) {
    case TermKind.Numeral: return t.value;
    case TermKind.BoolLiteral: return t.op === "true";
    case TermKind.Constant: return a.consts.get(t.op) ?? (t.sort === "bool" ? false : 0n);
    case TermKind.Application: return a.functions.get(t.op)?.get(memo.get(t.args[0]) as bigint) ?? 0n;
    case TermKind.Operator: break;
  }
  if (t.op === "ite") return memo.get(memo.get(t.args[0]) === true ? t.args[1] : t.args[2])!;
  const xs = t.args.map((x) => memo.get(x)!);
  switch (t.op) {
    case "not": return !xs[0];
    case "and": return xs.every((x) => x === true);
    case "or": return xs.some((x) => x === true);
    case "=>": return xs[0] !== true || xs[1] === true;
    case "=": return xs[0] === xs[1];
    case "at-most": return xs.filter((x) => x === true).length <= t.params[0];
  }
  const b = xs as bigint[];
  const [x, y] = b;
  const w = t.args[0].width;
  const m = mask(w);
  switch (t.op) {
    case "bvnot": return ~x & m;
    case "bvadd": return (x + y) & m;
    case "bvsub": return (x - y) & m;
    case "bvmul": return (x * y) & m;
    case "bvand": return x & y;
    case "bvor": return x | y;
    case "bvxor": return x ^ y;
    case "bvshl": return y >= BigInt(w) ? 0n : (x << y) & m;
    case "bvlshr": return y >= BigInt(w) ? 0n : x >> y;
    case "bvashr": return (signed(x, w) >> (y >= BigInt(w) ? BigInt(w) : y)) & m;
    case "bvult": return x < y;
    case "bvule": return x <= y;
    case "bvugt": return x > y;
    case "bvslt": return signed(x, w) < signed(y, w);
    case "bvsle": return signed(x, w) <= signed(y, w);
    case "extract": return (x >> BigInt(t.params[1])) & mask(t.params[0] - t.params[1] + 1);
    case "zero_extend": return x;
    case "sign_extend": return signed(x, w) & mask(w + t.params[0]);
    case "concat": return t.args.reduce((acc, arg, i) => (acc << BigInt(arg.width)) | b[i], 0n);
  }
  throw new Error(`internal: no evaluation of ${t.op}`);
}
