// Where two sides differ under one capability combination, as solver terms: for every pair of
// paths (one of A's, one of B's) the inputs taking both (pc_a ∧ pc_b) and what differs there:
// the outcome (after the outcome mapping), or, for the same outcome, each observed field of the
// record (the contract's `observe ... when`) and each system register either path writes (and
// PAR_EL1). The differing region is the union over the pairs. A signature names one way of
// differing (A's outcome, B's outcome, the items that differ); its predicate is the inputs that
// differ exactly that way.
import { evalBool } from "../codegen/ir/eval.ts";
import { pairName, type FieldPair } from "../equiv/fields.ts";
import { observedFields, whenFieldSource } from "../equiv/observe.ts";
import type { Combination, ContractUsed } from "../equiv/prove.ts";
import type { SymValue } from "../equiv/symbolic/domain.ts";
import { outcomeKey, type SymbolicPath } from "../equiv/symbolic/paths.ts";
import type { BoolTerm } from "../equiv/term/term.ts";
import type { Side } from "../sides/side.ts";
import { mapOutcome } from "./outcome-mapping.ts";
import type { OutcomePair } from "./types.ts";

/** One thing that may differ on a pair of paths with the same outcome: "field NAME" or "sysreg NAME", and where it does. */
export interface Item {
  name: string;
  differs: BoolTerm;
  /** For a field: the pair of record fields. */
  field?: FieldPair;
}

export interface PathPair {
  a: SymbolicPath;
  b: SymbolicPath;
  /** pc_a ∧ pc_b. */
  taken: BoolTerm;
  /** Outcome keys: A's own, B's. */
  oa: string;
  ob: string;
  /** The outcomes differ after the mapping: every input taking the pair differs. */
  outcomeDiffers: boolean;
  items: Item[];
}

/** One way of differing. `differs` is ["outcome"], or the items that differ, sorted. */
export interface Signature {
  oa: string;
  ob: string;
  differs: string[];
  /** A weak signature: some of `differs` differ (used only where no exact way of differing describes a class). */
  some?: boolean;
}

export function signatureKey(s: Signature): string {
  return `${s.oa} | ${s.ob} | ${s.some ? "some of " : ""}${s.differs.join(", ")}`;
}

export interface ComboRegion {
  combo: Combination;
  pairs: PathPair[];
  /** The differing region. */
  differ: BoolTerm;
}

export interface RegionOptions {
  a: Side;
  b: Side;
  fields: readonly FieldPair[];
  contract: ContractUsed | undefined;
  mapping: readonly OutcomePair[];
}

export function comboRegion(combo: Combination, o: RegionOptions): ComboRegion {
  const d = combo.inputs.d;
  const ctx = d.ctx;
  const conj = (cs: BoolTerm[]): BoolTerm => (cs.length === 0 ? (ctx.Bool.val(true) as BoolTerm) : cs.length === 1 ? cs[0] : (ctx.And(...cs) as BoolTerm));
  const neq = (x: SymValue, y: SymValue): BoolTerm => d.boolTerm(d.notB(d.eq(x, y)));
  const fieldOf = (side: Side, p: SymbolicPath, name: string, width: number) => d.zeroExtend(p.state.field(side.layout[name].offset, side.layout[name].size as 4 | 8), width);
  const pairs: PathPair[] = [];
  for (const pa of combo.pathsA) {
    for (const pb of combo.pathsB) {
      const taken = conj([...pa.conds, ...pb.conds]);
      const oa = outcomeKey(pa.outcome);
      const ob = outcomeKey(pb.outcome);
      const same = mapOutcome(o.mapping, oa) === ob;
      const items: Item[] = [];
      if (same) {
        // The contract's clause is found by its own side's name for the outcome.
        const observed = observedFields(o.contract, o.contract?.side === "a" ? oa : ob, o.fields);
        for (const f of observed) {
          const width = Math.max(o.a.layout[f.pair.a].size, o.b.layout[f.pair.b].size) * 8;
          const parts = [neq(fieldOf(o.a, pa, f.pair.a, width), fieldOf(o.b, pb, f.pair.b, width))];
          if (f.when !== undefined) {
            const when = evalBool(f.when, {
              d,
              input: (r) => combo.inputs.sysreg(r),
              caps: new Set(combo.caps),
              module: o.contract?.module,
              field: (name, w) => {
                const src = whenFieldSource(o.contract, o.fields, name);
                const [side, p] = src.side === "a" ? [o.a, pa] : [o.b, pb];
                if (side.layout[src.field] === undefined) throw new Error(`internal: no field ${name}`);
                return d.extract(fieldOf(side, p, src.field, 64), w - 1, 0);
              },
            });
            parts.push(d.boolTerm(when));
          }
          items.push({ name: `field ${pairName(f.pair)}`, differs: conj(parts), field: f.pair });
        }
        const regs = new Set<string>(["PAR_EL1", ...pa.state.written, ...pb.state.written]);
        for (const r of [...regs].sort()) items.push({ name: `sysreg ${r}`, differs: neq(pa.state.readSysreg(r), pb.state.readSysreg(r)) });
      }
      pairs.push({ a: pa, b: pb, taken, oa, ob, outcomeDiffers: !same, items });
    }
  }
  const parts = pairs.map((p) => (p.outcomeDiffers ? p.taken : p.items.length === 0 ? undefined : (ctx.And(p.taken, ctx.Or(...p.items.map((i) => i.differs))) as BoolTerm))).filter((x): x is BoolTerm => x !== undefined);
  const differ = parts.length === 0 ? (ctx.Bool.val(false) as BoolTerm) : (ctx.Or(...parts) as BoolTerm);
  return { combo, pairs, differ };
}

/** The inputs that differ the way `s` says, under one combination. */
export function signaturePredicate(r: ComboRegion, s: Signature): BoolTerm {
  const ctx = r.combo.inputs.d.ctx;
  const parts: BoolTerm[] = [];
  for (const p of r.pairs) {
    if (p.oa !== s.oa || p.ob !== s.ob) continue;
    if (p.outcomeDiffers) {
      if (s.differs.length === 1 && s.differs[0] === "outcome") parts.push(p.taken);
      continue;
    }
    const inS = p.items.filter((i) => s.differs.includes(i.name));
    if (inS.length !== s.differs.length) continue;
    const rest = p.items.filter((i) => !s.differs.includes(i.name)).map((i) => ctx.Not(i.differs) as BoolTerm);
    const these = s.some ? [ctx.Or(...inS.map((i) => i.differs)) as BoolTerm] : inS.map((i) => i.differs);
    parts.push(ctx.And(p.taken, ...these, ...rest) as BoolTerm);
  }
  return parts.length === 0 ? (ctx.Bool.val(false) as BoolTerm) : parts.length === 1 ? parts[0] : (ctx.Or(...parts) as BoolTerm);
}

type Model = { eval(t: BoolTerm, complete: boolean): { toString(): string } };

/** The pair of paths a model of the region takes, and the way it differs there. */
export function signatureAt(r: ComboRegion, m: Model): { pair: PathPair; signature: Signature } {
  const holds = (t: BoolTerm) => m.eval(t, true).toString() === "true";
  const pair = r.pairs.find((p) => holds(p.taken));
  if (pair === undefined) throw new Error("internal: a model of the differing region takes no pair of paths");
  if (pair.outcomeDiffers) return { pair, signature: { oa: pair.oa, ob: pair.ob, differs: ["outcome"] } };
  const differs = pair.items.filter((i) => holds(i.differs)).map((i) => i.name);
  if (differs.length === 0) throw new Error("internal: a model of the differing region differs in nothing");
  return { pair, signature: { oa: pair.oa, ob: pair.ob, differs } };
}

/** The rules a path enters, in order (a rule-file side's steps; none for machine code). */
export function rulesOf(p: SymbolicPath): string[] {
  return p.steps.flatMap((s) => {
    const m = /^rule (\S+)/.exec(s);
    return m === null ? [] : [m[1]];
  });
}
