// Values as the solvers write them in a model's answer (get-value): literals read, and a value
// written back as z3 prints one. Terms are evaluated in a model by term/evaluate.ts.
import type { Sexpr } from "./sexpr.ts";

export type BitsValue = { w: number; v: bigint };
export type Value = boolean | BitsValue;

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

/** A value as z3 prints it (#x... when the width is a multiple of 4, else #b...), or true/false. */
export function valueText(v: Value): string {
  if (typeof v === "boolean") return String(v);
  return v.w % 4 === 0 ? `#x${v.v.toString(16).padStart(v.w / 4, "0")}` : `#b${v.v.toString(2).padStart(v.w, "0")}`;
}
