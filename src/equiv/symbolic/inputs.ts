// The inputs of one equivalence problem, shared by both sides so that "the same input" means
// the same symbol: the trap's system registers, the guest's registers, the stack's contents, and
// what AT returns. Values the architecture leaves UNKNOWN are fresh symbols, never zero.
// Created once per capability combination.
import { PAR, ParFailure, ParSuccess, TranslationResult } from "../../../generated/arch-facts.ts";
import { atTraits, type AtKind } from "../../runtime/semantics/at-operations.ts";
import { stage12Relation, stage1PermissionFault } from "./at-stage12-axioms.ts";
import type { SymbolicDomain, SymBool, SymValue } from "./domain.ts";
import type { BvTerm, BoolTerm } from "../term/term.ts";
import { bitVecFunction, boolConstant } from "../smt/symbols.ts";

/** Where faultc's vcpu structure and the EL2 stack live in the symbolic machine. */
export const SYM_VCPU = 0x4_0000_0000n;
export const SYM_VCPU_SIZE = 0x80n;
export const SYM_STACK_TOP = 0x4_0001_0000n;

/** HCR_EL2 during a guest trap: VM (stage 2 on) and RW (AArch64 EL1), plus E2H on a VHE host. */
export const HCR_VM = 1n;
export const HCR_RW = 1n << 31n;
export const HCR_E2H = 1n << 34n;

/** An AT operation as the assembler spells it (dsl/arch's AtOperation). */
export type AtOp = AtKind;

/** The system registers a counterexample names, in the order it prints them. */
export const SCENARIO_REGISTERS = ["ESR_EL2", "FAR_EL2", "HPFAR_EL2", "PAR_EL1"] as const;

export class SymbolicInputs {
  private readonly sysregs = new Map<string, SymValue>();
  private readonly gprs = new Map<number, SymValue>();
  private readonly stack = new Map<bigint, SymValue>();
  private readonly atFunctions = new Map<AtOp, ReturnType<SymbolicDomain["ctx"]["Function"]["declare"]>>();
  /** Every AT application made, with the PAR it returns: (op, va term) -> result. */
  readonly atApplications: { op: AtOp; va: SymValue; par: SymValue }[] = [];
  /** Facts about the inputs every path may assume (the PAR format of AT results). */
  readonly axioms: BoolTerm[] = [];

  constructor(
    readonly d: SymbolicDomain,
    readonly vhe: boolean,
  ) {}

  /** The value a system register holds when the handler starts. */
  sysreg(name: string): SymValue {
    let v = this.sysregs.get(name);
    if (v === undefined) {
      switch (name) {
        case "TPIDR_EL2":
          v = this.d.const(SYM_VCPU, 64);
          break;
        case "HCR_EL2":
          v = this.d.const(HCR_VM | HCR_RW | (this.vhe ? HCR_E2H : 0n), 64);
          break;
        default:
          v = this.d.fresh(name, 64);
      }
      this.sysregs.set(name, v);
    }
    return v;
  }

  private flags: { n: SymBool; z: SymBool; c: SymBool; v: SymBool } | undefined;

  /** NZCV when the handler starts. */
  entryFlags(): { n: SymBool; z: SymBool; c: SymBool; v: SymBool } {
    const b = (name: string): SymBool => ({ z: boolConstant(this.d.ctx, name) });
    this.flags ??= { n: b("nzcv_n"), z: b("nzcv_z"), c: b("nzcv_c"), v: b("nzcv_v") };
    return this.flags;
  }

  /** The guest's X[i] when it trapped. */
  x(index: number): SymValue {
    let v = this.gprs.get(index);
    if (v === undefined) {
      v = this.d.fresh(`x${index}`, 64);
      this.gprs.set(index, v);
    }
    return v;
  }

  /** A byte of memory nobody has written: zero in the vcpu structure, arbitrary elsewhere. */
  memoryByte(address: bigint): SymValue {
    if (address >= SYM_VCPU && address < SYM_VCPU + SYM_VCPU_SIZE) return this.d.const(0n, 8);
    let v = this.stack.get(address);
    if (v === undefined) {
      v = this.d.fresh(`mem_${address.toString(16)}`, 8);
      this.stack.set(address, v);
    }
    return v;
  }

  /**
   * The PAR_EL1 that AT `op` produces for `va`: an uninterpreted function of the VA (the same VA
   * translates the same way on both sides), whose values are constrained to the PAR_EL1 format.
   */
  at(op: AtOp, va: SymValue): SymValue {
    const ctx = this.d.ctx;
    let f = this.atFunctions.get(op);
    if (f === undefined) {
      f = bitVecFunction(ctx, `at_${op}`, 64, 64);
      this.atFunctions.set(op, f);
    }
    // The same operation on the same VA term is the same application: one input, one axiom (z3
    // shares equal terms, so equal terms have one id; their text costs a print of the whole term,
    // and so does z3-solver's making of an application, which is why it is made only when new).
    const vaId = this.d.term(va).id();
    const known = this.atApplications.find((x) => x.op === op && this.d.term(x.va).id() === vaId);
    if (known !== undefined) return known.par;
    const par = { z: f.call(this.d.term(va)) as unknown as BvTerm };
    this.axioms.push(parFormat(this.d, par));
    if (op === "s1e1a") this.axioms.push(noStage1PermissionFault(this.d, par));
    // Every operation on one VA makes the same walk: stage-1 operations differ only in the
    // permission check; a two-stage one (S12*) also in stage 2 of the output (at-stage12-axioms.ts).
    for (const other of this.atApplications) {
      if (other.op === op || this.d.term(other.va).id() !== vaId) continue;
      if (atTraits(op).stages === 12) this.axioms.push(stage12Relation(this.d, { op, par }, other));
      else if (atTraits(other.op).stages === 12) this.axioms.push(stage12Relation(this.d, other, { op, par }));
      else this.axioms.push(sameWalk(this.d, other.par, par));
    }
    this.atApplications.push({ op, va, par });
    return par;
  }

  /** Every input symbol created so far, for counterexample minimisation, by name. */
  namedInputs(): { name: string; value: SymValue }[] {
    const out: { name: string; value: SymValue }[] = [];
    for (const [name, v] of [...this.sysregs].sort(([a], [b]) => (a < b ? -1 : 1))) if (!("c" in v)) out.push({ name, value: v });
    for (const a of this.atApplications) out.push({ name: `AT ${a.op}`, value: a.par });
    for (const [i, v] of [...this.gprs].sort(([a], [b]) => a - b)) out.push({ name: `x${i}`, value: v });
    for (const [addr, v] of [...this.stack].sort(([a], [b]) => (a < b ? -1 : 1))) out.push({ name: `mem_${addr.toString(16)}`, value: v });
    return out;
  }
}

/** AT S1E1A checks no permission (FEAT_ATS1A, AArch64.AT): it never reports a stage-1 permission fault. */
function noStage1PermissionFault(d: SymbolicDomain, par: SymValue): BoolTerm {
  return d.ctx.Not(stage1PermissionFault(d, par)) as BoolTerm;
}

/**
 * Two AT operations on the same VA (S1E1R and S1E1A, say) walk the same tables the same way and
 * differ only in the permission check made after the walk: when both succeed they give the same
 * PAR (PA, attributes, shareability come from the descriptors), and a fault other than a
 * stage-1 permission fault is the walk's, which the other operation meets too.
 */
function sameWalk(d: SymbolicDomain, x: SymValue, y: SymValue): BoolTerm {
  const ctx = d.ctx;
  const [px, py] = [d.term(x), d.term(y)];
  const ok = (p: typeof px) => p.extract(PAR.F.msb, PAR.F.lsb).eq(ctx.BitVec.val(BigInt(TranslationResult.SUCCEEDED), 1));
  const walkFault = (v: SymValue, p: typeof px) => ctx.And(ctx.Not(ok(p)), ctx.Not(stage1PermissionFault(d, v)));
  return ctx.And(ctx.Implies(ctx.And(ok(px), ok(py)), px.eq(py)), ctx.Implies(walkFault(x, px), py.eq(px)), ctx.Implies(walkFault(y, py), px.eq(py))) as BoolTerm;
}

/**
 * PAR_EL1 after AT (64-bit format, FACTS.md): bit 11 RES1. On failure (F=1): FST[6:1], PTW 8,
 * S 9, every other bit zero. On success (F=0): SH[8:7], NS 9, PA[51:12] (52 bits with FEAT_LPA),
 * ATTR[63:56]; bits [55:52], 10 and [6:1] zero.
 */
function parFormat(d: SymbolicDomain, par: SymValue): BoolTerm {
  const ctx = d.ctx;
  const p = d.term(par);
  const bit = (n: number) => p.extract(n, n);
  const zero = (hi: number, lo: number) => p.extract(hi, lo).eq(ctx.BitVec.val(0n, hi - lo + 1));
  // Positions from dsl/arch's ParSuccess and ParFailure: the bits between their fields are zero.
  const [ok, ko] = [ParSuccess, ParFailure];
  const failed = bit(PAR.F.lsb).eq(ctx.BitVec.val(BigInt(TranslationResult.FAILED), 1));
  const failure = ctx.And(zero(63, ko.RES1.msb + 1), zero(ko.RES1.lsb - 1, ko.S.msb + 1));
  const success = ctx.And(zero(ok.ATTR.lsb - 1, ok.PA.msb + 1), zero(ok.RES1.lsb - 1, ok.NS.msb + 1), zero(ok.SH.lsb - 1, ok.F.msb + 1));
  return ctx.And(bit(ok.RES1.lsb).eq(ctx.BitVec.val(1n, 1)), ctx.If(failed, failure, success) as BoolTerm) as BoolTerm;
}
