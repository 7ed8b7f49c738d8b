// The value of a term (as SMT-LIB 2 text, read by sexpr.ts) under a native solver's model: the
// quantifier-free bit-vector and Boolean operators the symbolic domain builds, uninterpreted
// functions by table, `let`. A constant or an application the model leaves out gets the default
// (zero, false) every time: the model's completion, as z3's model evaluation completes it.
// Anything else is an internal error, never a guess.
import type { Sexpr } from "./sexpr.ts";

export type BitsValue = { w: number; v: bigint };
export type Value = boolean | BitsValue;

/** What a model says: constants by name, and each function's value at the arguments it was asked about. */
export interface ModelValues {
  consts: ReadonlyMap<string, Value>;
  functions: ReadonlyMap<string, ReadonlyMap<bigint, bigint>>;
  /** The sort of a symbol the model may leave out: "bool", a width, or a function's result width. */
  sortOf(name: string): "bool" | number | undefined;
  /** Named subterms (print.ts), and their values in this model once evaluated. */
  definitions?: ReadonlyMap<string, Sexpr>;
  memo?: Map<string, Value>;
}

export class EvaluationError extends Error {}

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;
const bits = (v: bigint, w: number): BitsValue => ({ w, v: v & mask(w) });
const signed = (x: BitsValue): bigint => (x.v >> BigInt(x.w - 1) ? x.v - (1n << BigInt(x.w)) : x.v);

/** A literal: #x..., #b..., (_ bvN W), true, false; undefined when `e` is none. */
export function literal(e: Sexpr): Value | undefined {
  if (typeof e === "string") {
    if (e === "true") return true;
    if (e === "false") return false;
    if (e.startsWith("#x")) return { w: (e.length - 2) * 4, v: BigInt(`0x${e.slice(2)}`) };
    if (e.startsWith("#b")) return { w: e.length - 2, v: BigInt(`0b${e.slice(2)}`) };
    return undefined;
  }
  if (e.length === 3 && e[0] === "_" && typeof e[1] === "string" && e[1].startsWith("bv") && typeof e[2] === "string") return { w: Number(e[2]), v: BigInt(e[1].slice(2)) };
  return undefined;
}

export function evaluate(e: Sexpr, m: ModelValues, env: Map<string, Value> = new Map()): Value {
  const lit = literal(e);
  if (lit !== undefined) return lit;
  if (typeof e === "string") {
    const bound = env.get(e);
    if (bound !== undefined) return bound;
    const c = m.consts.get(e) ?? m.memo?.get(e);
    if (c !== undefined) return c;
    const body = m.definitions?.get(e);
    if (body !== undefined) {
      const v = evaluate(body, m);
      m.memo?.set(e, v);
      return v;
    }
    const sort = m.sortOf(e);
    if (sort === undefined) throw new EvaluationError(`unknown symbol ${e}`);
    return sort === "bool" ? false : { w: sort, v: 0n };
  }
  const [head, ...args] = e;
  if (head === "let") {
    const inner = new Map(env);
    for (const b of args[0] as Sexpr[]) {
      const [name, value] = b as [string, Sexpr];
      inner.set(name, evaluate(value, m, env));
    }
    return evaluate(args[1], m, inner);
  }
  if (Array.isArray(head) && (head[1] === "at-most" || head[1] === "at-least")) {
    const set = args.filter((a) => bool(evaluate(a, m, env))).length;
    const k = Number(head[2]);
    return head[1] === "at-most" ? set <= k : set >= k;
  }
  if (Array.isArray(head)) return indexed(head, args.map((a) => bv(evaluate(a, m, env))));
  if (head === "ite") {
    const c = evaluate(args[0], m, env);
    return evaluate(c === true ? args[1] : args[2], m, env);
  }
  const xs = args.map((a) => evaluate(a, m, env));
  switch (head) {
    case "not": return !bool(xs[0]);
    case "and": return xs.every(bool);
    case "or": return xs.some(bool);
    case "xor": return xs.reduce<boolean>((a, x) => a !== bool(x), false);
    case "=>": return xs.slice(0, -1).every(bool) ? bool(xs[xs.length - 1]) : true;
    case "=": return xs.every((x) => same(x, xs[0]));
    case "distinct": return xs.every((x, i) => xs.every((y, j) => i === j || !same(x, y)));
  }
  const fn = m.functions.get(head);
  if (fn !== undefined || (m.sortOf(head) !== undefined && !m.consts.has(head))) {
    const width = m.sortOf(head);
    if (typeof width !== "number" || xs.length !== 1) throw new EvaluationError(`unsupported application of ${head}`);
    return { w: width, v: fn?.get(bv(xs[0]).v) ?? 0n };
  }
  const b = xs.map(bv);
  const [x, y] = b;
  switch (head) {
    case "bvnot": return bits(~x.v, x.w);
    case "bvneg": return bits(-x.v, x.w);
    case "bvadd": return bits(b.reduce((a, z) => a + z.v, 0n), x.w);
    case "bvsub": return bits(x.v - y.v, x.w);
    case "bvmul": return bits(b.reduce((a, z) => a * z.v, 1n), x.w);
    case "bvand": return bits(b.reduce((a, z) => a & z.v, mask(x.w)), x.w);
    case "bvor": return bits(b.reduce((a, z) => a | z.v, 0n), x.w);
    case "bvxor": return bits(b.reduce((a, z) => a ^ z.v, 0n), x.w);
    case "bvnand": return bits(~(x.v & y.v), x.w);
    case "bvnor": return bits(~(x.v | y.v), x.w);
    case "bvxnor": return bits(~(x.v ^ y.v), x.w);
    case "bvshl": return y.v >= BigInt(x.w) ? bits(0n, x.w) : bits(x.v << y.v, x.w);
    case "bvlshr": return y.v >= BigInt(x.w) ? bits(0n, x.w) : bits(x.v >> y.v, x.w);
    case "bvashr": return bits(signed(x) >> (y.v >= BigInt(x.w) ? BigInt(x.w) : y.v), x.w);
    case "bvudiv": return y.v === 0n ? bits(-1n, x.w) : bits(x.v / y.v, x.w);
    case "bvurem": return y.v === 0n ? x : bits(x.v % y.v, x.w);
    case "concat": return b.reduce((a, z) => ({ w: a.w + z.w, v: (a.v << BigInt(z.w)) | z.v }));
    case "bvcomp": return bits(x.v === y.v ? 1n : 0n, 1);
    case "bvult": return x.v < y.v;
    case "bvule": return x.v <= y.v;
    case "bvugt": return x.v > y.v;
    case "bvuge": return x.v >= y.v;
    case "bvslt": return signed(x) < signed(y);
    case "bvsle": return signed(x) <= signed(y);
    case "bvsgt": return signed(x) > signed(y);
    case "bvsge": return signed(x) >= signed(y);
  }
  throw new EvaluationError(`unsupported operator ${head}`);
}

function indexed(head: Sexpr[], b: BitsValue[]): Value {
  const [u, op, ...ns] = head;
  const n = ns.map((s) => Number(s));
  if (u !== "_" || b.length !== 1) throw new EvaluationError(`unsupported operator (${head.join(" ")})`);
  const x = b[0];
  switch (op) {
    case "extract": return bits(x.v >> BigInt(n[1]), n[0] - n[1] + 1);
    case "zero_extend": return { w: x.w + n[0], v: x.v };
    case "sign_extend": return bits(signed(x), x.w + n[0]);
    case "repeat": return { w: x.w * n[0], v: Array.from({ length: n[0] }).reduce<bigint>((a) => (a << BigInt(x.w)) | x.v, 0n) };
    case "rotate_left": {
      const k = BigInt(n[0] % x.w);
      return bits((x.v << k) | (x.v >> (BigInt(x.w) - k)), x.w);
    }
    case "rotate_right": {
      const k = BigInt(n[0] % x.w);
      return bits((x.v >> k) | (x.v << (BigInt(x.w) - k)), x.w);
    }
  }
  throw new EvaluationError(`unsupported operator (${head.join(" ")})`);
}

function bool(v: Value): boolean {
  if (typeof v !== "boolean") throw new EvaluationError("a bit-vector where a Boolean was expected");
  return v;
}

function bv(v: Value): BitsValue {
  if (typeof v === "boolean") throw new EvaluationError("a Boolean where a bit-vector was expected");
  return v;
}

function same(x: Value, y: Value): boolean {
  return typeof x === "boolean" || typeof y === "boolean" ? x === y : x.w === y.w && x.v === y.v;
}

/** A value as z3 prints it (#x... when the width is a multiple of 4, else #b...), or true/false. */
export function valueText(v: Value): string {
  if (typeof v === "boolean") return String(v);
  return v.w % 4 === 0 ? `#x${v.v.toString(16).padStart(v.w / 4, "0")}` : `#b${v.v.toString(2).padStart(v.w, "0")}`;
}
