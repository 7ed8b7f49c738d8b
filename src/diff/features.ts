// The decision features a diff's classes are written in: the ESR fields the rule files decide on
// (EC, FSC with its type and level, S1PTW, FnV, EA, whether any bit above 31 is set), what AT
// answered (PAR.F per operation), whether another register a side reads is zero (VTTBR_EL2 in
// the 2016 host-HVC test), and the capabilities. Each feature is a small bit-vector term over one
// capability combination's symbolic inputs; a class constrains each to a set of values.
import { architecture, memberName } from "../equiv/decode.ts";
import type { Combination } from "../equiv/prove.ts";
import type { BvTerm, BoolTerm } from "../equiv/term/term.ts";
import { scenarioInputs } from "../equiv/model-scenario.ts";
import { SCENARIO_REGISTERS } from "../equiv/symbolic/inputs.ts";
import type { ClassCondition } from "./types.ts";

/** A feature evaluated by the solver: a term of `width` bits over the combination's inputs. */
export interface SolverFeature {
  name: string;
  width: number;
  term: BvTerm;
}

/** The features of one combination, in the order a class's conditions are generalised (least telling first). */
export function solverFeatures(combo: Combination): SolverFeature[] {
  const d = combo.inputs.d;
  const ctx = d.ctx;
  const esr = d.term(combo.inputs.sysreg("ESR_EL2"));
  const bit = (n: number) => esr.extract(n, n) as BvTerm;
  const nonZero = (t: BvTerm) => ctx.If(t.eq(ctx.BitVec.val(0n, t.width)), ctx.BitVec.val(0n, 1), ctx.BitVec.val(1n, 1)) as BvTerm;
  const isZero = (t: BvTerm) => ctx.If(t.eq(ctx.BitVec.val(0n, t.width)), ctx.BitVec.val(1n, 1), ctx.BitVec.val(0n, 1)) as BvTerm;
  const out: SolverFeature[] = [{ name: "ESR[63:32]", width: 1, term: nonZero(esr.extract(63, 32) as BvTerm) }];
  for (const [name, n] of [["FnV", 10], ["EA", 9], ["S1PTW", 7]] as const) out.push({ name, width: 1, term: bit(n) });
  // What AT answered: PAR.F of each operation applied (on FAR, in every bundled handler).
  const ops = combo.inputs.atApplications;
  for (const app of ops) {
    const name = ops.filter((x) => x.op === app.op).length > 1 ? `AT ${app.op}(${d.term(app.va).toString()})` : `AT ${app.op}`;
    out.push({ name, width: 1, term: d.term(app.par).extract(0, 0) as BvTerm });
  }
  // HPFAR_EL2.NS (RES0 in Non-secure): Linux 6.15 marks a valid IPA with it, so what an older
  // version records equals 6.15's exactly when the bit is already set.
  out.push({ name: "HPFAR_EL2.NS", width: 1, term: d.term(combo.inputs.sysreg("HPFAR_EL2")).extract(63, 63) as BvTerm });
  for (const x of scenarioInputs(combo)) {
    if ((SCENARIO_REGISTERS as readonly string[]).includes(x.name) || x.name.startsWith("AT ")) continue;
    out.push({ name: `${x.name}=0`, width: 1, term: isZero(d.term(x.value)) });
  }
  out.push({ name: "FSC", width: 6, term: esr.extract(5, 0) as BvTerm }, { name: "EC", width: 6, term: esr.extract(31, 26) as BvTerm });
  return out;
}

/** The term `f` takes a value in `values` (ascending), as ranges of consecutive values. */
export function inSet(combo: Combination, f: SolverFeature, values: readonly number[]): BoolTerm {
  const ctx = combo.inputs.d.ctx;
  const ranges = toRanges(values);
  const one = ([lo, hi]: [number, number]): BoolTerm => {
    if (lo === hi) return f.term.eq(ctx.BitVec.val(BigInt(lo), f.width)) as BoolTerm;
    const parts: BoolTerm[] = [];
    if (lo > 0) parts.push(ctx.BitVec.val(BigInt(lo), f.width).ule(f.term) as BoolTerm);
    if (hi < (1 << f.width) - 1) parts.push(f.term.ule(ctx.BitVec.val(BigInt(hi), f.width)) as BoolTerm);
    return parts.length === 0 ? (ctx.Bool.val(true) as BoolTerm) : parts.length === 1 ? parts[0] : (ctx.And(...parts) as BoolTerm);
  };
  if (ranges.length === 0) return ctx.Bool.val(false) as BoolTerm;
  return ranges.length === 1 ? one(ranges[0]) : (ctx.Or(...ranges.map(one)) as BoolTerm);
}

export function toRanges(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

const hex = (v: number) => `0x${v.toString(16)}`;

/** Every value of a feature of `width` bits. */
export function domain(width: number): number[] {
  return Array.from({ length: 1 << width }, (_, i) => i);
}

/** "EC in {DABT_LOW, IABT_LOW}", "EC not in {HVC64}" (for sets of more than half the values). */
function ecText(values: readonly number[]): string {
  const a = architecture();
  const name = (v: number) => (a === undefined ? hex(v) : (memberName(a.ec, BigInt(v)) ?? hex(v)));
  const names = (vs: readonly number[]) => vs.map(name).sort();
  if (values.length === 1) return `EC=${name(values[0])}`;
  if (values.length > 32) return `EC not in {${names(domain(6).filter((v) => !values.includes(v))).join(", ")}}`;
  return `EC in {${names(values).join(", ")}}`;
}

/** FSC values grouped by member: "ACCESS L0-L3", "TRANS L0-L3, L-1", "SEA", "0x25". */
function fscGroups(values: readonly number[]): string[] {
  const a = architecture();
  if (a === undefined) return values.map(hex);
  const byMember = new Map<string, number[]>();
  const other: string[] = [];
  for (const v of values) {
    const n = memberName(a.fsc, BigInt(v));
    if (n === undefined) {
      other.push(hex(v));
      continue;
    }
    const m = /^(\S+) level (-?\d+)$/.exec(n);
    const [member, level] = m === null ? [n, undefined] : [m[1], Number(m[2])];
    byMember.set(member, [...(byMember.get(member) ?? []), ...(level === undefined ? [] : [level])]);
  }
  const out: string[] = [];
  for (const [member, levels] of byMember) {
    if (levels.length === 0) {
      out.push(member);
      continue;
    }
    const sorted = [...levels].sort((x, y) => x - y);
    const main = sorted.filter((l) => l >= 0);
    const parts: string[] = [];
    if (main.length === 4) parts.push("L0-L3");
    else parts.push(...main.map((l) => `L${l}`));
    if (sorted.includes(-1)) parts.push("L-1");
    out.push(`${member} ${parts.join(", ")}`);
  }
  return [...out, ...other];
}

function fscText(values: readonly number[]): string {
  if (values.length > 32) return `FSC not in {${fscGroups(domain(6).filter((v) => !values.includes(v))).join("; ")}}`;
  const groups = fscGroups(values);
  return groups.length === 1 ? `FSC ${groups[0]}` : `FSC in {${groups.join("; ")}}`;
}

/** A condition in words. */
export function conditionText(feature: string, values: readonly number[]): string {
  if (feature === "EC") return ecText(values);
  if (feature === "FSC") return fscText(values);
  const v = values[0];
  if (feature.startsWith("cap ")) return v === 1 ? feature.slice(4) : `no ${feature.slice(4)}`;
  if (feature.startsWith("AT ")) return `${feature} ${v === 1 ? "fails (PAR.F=1)" : "succeeds (PAR.F=0)"}`;
  if (feature === "ESR[63:32]") return v === 1 ? "ESR[63:32] not 0" : "ESR[63:32]=0";
  if (feature === "HPFAR_EL2.NS") return `HPFAR_EL2.NS=${v}`;
  if (feature.endsWith("=0")) return v === 1 ? feature : `${feature.slice(0, -2)} not 0`;
  return `${feature}=${v}`;
}

export function condition(feature: string, values: readonly number[]): ClassCondition {
  return { feature, values: [...values], text: conditionText(feature, values) };
}
