// Which field of side A's fault record is compared with which field of side B's: fields of the
// same name, and the pairs the user maps with `--map A_FIELD=B_FIELD` (for records that name the
// same thing differently). Two records with fields but no pair between them cannot be compared:
// that is an error, never a vacuous "equivalent".
import type { Side } from "../sides/side.ts";

export interface FieldPair {
  /** The field on side A. */
  readonly a: string;
  /** The field on side B. */
  readonly b: string;
}

/** How reports name a pair: the field's name, or `A_FIELD=B_FIELD` when they differ. */
export function pairName(p: FieldPair): string {
  return p.a === p.b ? p.a : `${p.a}=${p.b}`;
}

/** The pairing cannot be made: a bad --map (usage) or records with nothing in common (input). */
export class FieldPairingError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
    this.name = "FieldPairingError";
  }
}

/** `A_FIELD=B_FIELD`, as --map takes it. */
export function parseFieldMap(texts: readonly string[]): FieldPair[] {
  return texts.map((t) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(t);
    if (m === null) throw new FieldPairingError(`--map must be A_FIELD=B_FIELD (a field of side A's record, one of side B's), got '${t}'`, true);
    return { a: m[1], b: m[2] };
  });
}

export interface FieldPairing {
  /** Every pair compared, in side A's layout order. */
  pairs: FieldPair[];
  /** Fields in no pair, as `A.name` or `B.name`, sorted. */
  notCompared: string[];
}

const fieldsOf = (s: Side): string[] => Object.entries(s.layout).sort(([, x], [, y]) => x.offset - y.offset).map(([n]) => n);

export function pairFields(a: Side, b: Side, map: readonly FieldPair[] = []): FieldPairing {
  const [fa, fb] = [fieldsOf(a), fieldsOf(b)];
  const listed = (fs: string[]) => fs.join(", ") || "no field";
  for (const m of map) {
    if (!fa.includes(m.a)) throw new FieldPairingError(`--map ${m.a}=${m.b}: side A (${a.label}) has no field '${m.a}' (it has ${listed(fa)})`, true);
    if (!fb.includes(m.b)) throw new FieldPairingError(`--map ${m.a}=${m.b}: side B (${b.label}) has no field '${m.b}' (it has ${listed(fb)})`, true);
    if (map.filter((x) => x.a === m.a).length > 1) throw new FieldPairingError(`--map: side A's field '${m.a}' is mapped twice`, true);
    if (map.filter((x) => x.b === m.b).length > 1) throw new FieldPairingError(`--map: side B's field '${m.b}' is mapped twice`, true);
  }
  const pairs = fa.flatMap((n): FieldPair[] => {
    const mapped = map.find((x) => x.a === n);
    if (mapped !== undefined) return [mapped];
    return fb.includes(n) && !map.some((x) => x.b === n) ? [{ a: n, b: n }] : [];
  });
  if (pairs.length === 0 && fa.length + fb.length > 0) {
    throw new FieldPairingError(
      `the fault records share no field: side A (${a.label}) has ${listed(fa)}; side B (${b.label}) has ${listed(fb)}; say which correspond with --map A_FIELD=B_FIELD`,
      false,
    );
  }
  const notCompared = [...fa.filter((n) => !pairs.some((p) => p.a === n)).map((n) => `A.${n}`), ...fb.filter((n) => !pairs.some((p) => p.b === n)).map((n) => `B.${n}`)].sort();
  return { pairs, notCompared };
}
