// Which rules can never match and which rule lists can fall through without an outcome.
// Guards of the form `e == c`, `e in {...}` and their negations over the same `e` are
// reasoned about as sets of values; any other guard only as itself or its negation. This is
// sound for what it reports (a reported rule really can never match) but not complete: the
// equivalence checker's solver sees the rest.
import type * as A from "../ast.ts";
import { printExpr } from "../print.ts";
import type { SemanticModel } from "./model.ts";

/** A guard as a set of values of one expression: `values` or, when negated, every other value. */
interface SetGuard {
  kind: "set";
  key: string;
  width: number;
  values: Set<bigint>;
  negated: boolean;
}
interface OpaqueGuard {
  kind: "opaque";
  key: string;
  negated: boolean;
}
type Guard = SetGuard | OpaqueGuard;

export function constantValue(e: A.Expr, model: SemanticModel): bigint[] | undefined {
  if (e.kind === "int") return [e.value];
  const res = model.resolutions.get(e);
  if (res?.kind === "enumValue") return [res.value];
  if (res?.kind === "family") return res.values;
  if (e.kind === "call" && e.callee.text === "zext" && e.args.length === 2) return constantValue(e.args[0], model);
  return undefined;
}

function normalise(g: A.Expr, model: SemanticModel): Guard {
  if (g.kind === "unary" && g.op === "!") {
    const inner = normalise(g.operand, model);
    return { ...inner, negated: !inner.negated };
  }
  const width = (e: A.Expr): number | undefined => {
    const t = model.types.get(e);
    return t?.kind === "bits" ? t.width : undefined;
  };
  if (g.kind === "binary" && (g.op === "==" || g.op === "!=")) {
    for (const [subject, other] of [[g.left, g.right], [g.right, g.left]] as const) {
      const values = constantValue(other, model);
      const w = width(subject);
      if (values !== undefined && w !== undefined && constantValue(subject, model) === undefined) {
        return { kind: "set", key: printExpr(subject), width: w, values: new Set(values), negated: g.op === "!=" };
      }
    }
  }
  if (g.kind === "in") {
    const w = width(g.operand);
    const values = model.setValues.get(g);
    if (w !== undefined && values !== undefined) return { kind: "set", key: printExpr(g.operand), width: w, values: new Set(values), negated: g.negated };
  }
  return { kind: "opaque", key: printExpr(g), negated: false };
}

/** The union of earlier guards on one subject: `values`, or every value except `except`. */
type Union = { complement: false; values: Set<bigint> } | { complement: true; except: Set<bigint> };

function addToUnion(u: Union, g: SetGuard): Union {
  if (!g.negated) {
    if (!u.complement) return { complement: false, values: new Set([...u.values, ...g.values]) };
    return { complement: true, except: new Set([...u.except].filter((v) => !g.values.has(v))) };
  }
  // complement of g.values
  if (!u.complement) return { complement: true, except: new Set([...g.values].filter((v) => !u.values.has(v))) };
  return { complement: true, except: new Set([...u.except].filter((v) => g.values.has(v))) };
}

function covers(u: Union, g: SetGuard): boolean {
  if (!g.negated) {
    if (u.complement) return [...g.values].every((v) => !u.except.has(v));
    return [...g.values].every((v) => u.values.has(v));
  }
  if (u.complement) return [...u.except].every((v) => g.values.has(v));
  // every value outside g.values must be in u.values: only countable for narrow subjects
  const size = 1n << BigInt(g.width);
  const outside = [...g.values].filter((v) => v < size).length;
  return BigInt(u.values.size) >= size - BigInt(outside) && [...u.values].length + outside >= Number(size);
}

function isEverything(u: Union, width: number): boolean {
  if (u.complement) return u.except.size === 0;
  return width <= 16 && u.values.size === 2 ** width;
}

export interface CoverageResult {
  /** Rules that can never match, with the earlier rule(s) that take all their inputs. */
  neverMatches: { rule: A.Rule; because: A.Rule[] }[];
  /** True when some input matches no rule. */
  mayFallThrough: boolean;
}

export function analyseRules(rules: A.Rule[], model: SemanticModel): CoverageResult {
  const neverMatches: CoverageResult["neverMatches"] = [];
  const unions = new Map<string, { union: Union; width: number; rules: A.Rule[] }>();
  const opaque = new Map<string, { negated: boolean; rule: A.Rule }[]>();
  let everything: A.Rule | undefined;
  for (const rule of rules) {
    if (everything !== undefined) {
      neverMatches.push({ rule, because: [everything] });
      continue;
    }
    if (rule.guard === undefined || (rule.guard.kind === "bool" && rule.guard.value)) {
      everything = rule;
      continue;
    }
    if (rule.guard.kind === "bool" && !rule.guard.value) {
      neverMatches.push({ rule, because: [] });
      continue;
    }
    const g = normalise(rule.guard, model);
    if (g.kind === "set") {
      const entry = unions.get(g.key);
      if (entry !== undefined && covers(entry.union, g)) {
        neverMatches.push({ rule, because: [...entry.rules] });
        continue;
      }
      const next = entry === undefined ? addToUnion({ complement: false, values: new Set() }, g) : addToUnion(entry.union, g);
      unions.set(g.key, { union: next, width: g.width, rules: [...(entry?.rules ?? []), rule] });
      if (isEverything(next, g.width)) everything = rule;
    } else {
      const seen = opaque.get(g.key) ?? [];
      const same = seen.find((s) => s.negated === g.negated);
      if (same !== undefined) {
        neverMatches.push({ rule, because: [same.rule] });
        continue;
      }
      if (seen.some((s) => s.negated !== g.negated)) everything = rule;
      opaque.set(g.key, [...seen, { negated: g.negated, rule }]);
    }
  }
  return { neverMatches, mayFallThrough: everything === undefined };
}
