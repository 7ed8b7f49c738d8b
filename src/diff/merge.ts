// The classes of every capability combination as one table: each class gets the combination's
// capabilities as features (present 1, absent 0), then classes with the same way of differing
// that agree on every feature but one are merged into one whose set for that feature is the
// union (EC in {DABT_LOW, IABT_LOW}; a capability on both values is no condition), and a class
// inside another of the same way is dropped, until nothing changes. A union of exact classes of
// one way is exact, so merging keeps what the solver proved.
import type { Cube } from "./partition.ts";
import { signatureKey, type Signature } from "./region.ts";

export interface MergedClass {
  /** Feature -> values (ascending); solver features and "cap NAME". */
  values: Map<string, number[]>;
  signature: Signature;
  exact: boolean;
}

/** Widths of the features, for "every value" (a capability is one bit). */
export type Widths = ReadonlyMap<string, number>;

const key = (c: MergedClass) => `${c.exact ? "exact" : "partial"} | ${signatureKey(c.signature)}`;

function sameSet(x: readonly number[] | undefined, y: readonly number[] | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** x's values within y's for every feature (an absent feature is every value). */
function inside(x: MergedClass, y: MergedClass): boolean {
  for (const [f, vs] of y.values) {
    const xs = x.values.get(f);
    if (xs === undefined || !xs.every((v) => vs.includes(v))) return false;
  }
  return true;
}

/** The one feature two classes disagree on, or undefined if none or several. */
function soleDifference(x: MergedClass, y: MergedClass): string | undefined {
  const features = new Set([...x.values.keys(), ...y.values.keys()]);
  let diff: string | undefined;
  for (const f of features) {
    if (sameSet(x.values.get(f), y.values.get(f))) continue;
    if (diff !== undefined) return undefined;
    diff = f;
  }
  return diff;
}

export function withCapabilities(cubes: readonly Cube[], caps: readonly string[], enumerated: readonly string[]): MergedClass[] {
  return cubes.map((c) => {
    const values = new Map(c.values);
    for (const cap of enumerated) values.set(`cap ${cap}`, [caps.includes(cap) ? 1 : 0]);
    return { values, signature: c.signature, exact: c.exact };
  });
}

export function mergeClasses(classes: readonly MergedClass[], widths: Widths): MergedClass[] {
  let out = [...classes];
  for (let changed = true; changed; ) {
    changed = false;
    // Drop classes inside another of the same way.
    out = out.filter((x, i) => !out.some((y, j) => j !== i && key(x) === key(y) && inside(x, y) && (!inside(y, x) || j < i)));
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (key(out[i]) !== key(out[j])) continue;
        const f = soleDifference(out[i], out[j]);
        if (f === undefined) continue;
        const union = [...new Set([...(out[i].values.get(f) ?? []), ...(out[j].values.get(f) ?? [])])].sort((a, b) => a - b);
        const values = new Map(out[i].values);
        const width = widths.get(f) ?? 1;
        if (out[i].values.get(f) === undefined || out[j].values.get(f) === undefined || union.length === 1 << width) values.delete(f);
        else values.set(f, union);
        out = [...out.slice(0, i), { ...out[i], values }, ...out.slice(i + 1, j), ...out.slice(j + 1)];
        changed = true;
        break outer;
      }
    }
  }
  return out;
}
