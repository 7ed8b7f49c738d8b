// What equiv may assume about AT S12E1R/W and S12E0R/W (the two-stage translation) beside another
// AT operation on the same VA. Each S12 operation is an uninterpreted function of the VA; these are
// the only facts relating it to the others, and each holds for every set of tables (Arm ARM
// AArch64.AT over AArch64.FullTranslate: stage 1 first, with the same walk and the same stage-2
// checks of its table fetches whatever the operation, then the operation's stage-1 permission
// check, then stage 2 of the output IPA, whose permission check depends on the direction):
//
//  - a walk fault (a fault that is neither a stage-1 permission fault nor, for an S12 operation, a
//    stage-2 fault on the output IPA) is met by every operation on the VA, with the same PAR;
//  - an S12 operation and the stage-1 operation of the same EL and direction check the same stage-1
//    permission: any fault of the stage-1 one is the S12 one's too, and an S12 success means the
//    stage-1 one succeeded;
//  - when an S12 operation succeeds, stage 1 walked to a leaf: every stage-1 operation on the VA
//    succeeds or meets a stage-1 permission fault;
//  - two S12 operations that both succeed give the same PAR (the same PA, attributes, shareability).
//
// Nothing relates a successful stage-1 PAR (an IPA) to a successful S12 one (a PA), and nothing
// says that a stage-1 success means an S12 success (stage 2 of the output may fault).
import { FaultStage, FaultStatus, PAR, ParFailure, TranslationResult } from "../../../generated/arch-facts.ts";
import { atTraits, type AtKind } from "../../runtime/semantics/at-operations.ts";
import type { BoolTerm } from "../term/term.ts";
import type { SymbolicDomain, SymValue } from "./domain.ts";

type Term = ReturnType<SymbolicDomain["term"]>;

function bitIs(d: SymbolicDomain, p: Term, f: { msb: number; lsb: number }, value: number): BoolTerm {
  return p.extract(f.msb, f.lsb).eq(d.ctx.BitVec.val(BigInt(value), f.msb - f.lsb + 1)) as BoolTerm;
}

function succeeded(d: SymbolicDomain, p: Term): BoolTerm {
  return bitIs(d, p, PAR.F, TranslationResult.SUCCEEDED);
}

/** A stage-1 permission fault in a PAR: F=1, S=0 and FST a permission fault at some level (0x0C-0x0F). */
export function stage1PermissionFault(d: SymbolicDomain, par: SymValue): BoolTerm {
  const p = d.term(par);
  // FST's type bits (its level in the low two) hold PERM's; positions and values from dsl/arch.
  const fst = ParFailure.FST;
  const permType = BigInt(FaultStatus.PERM["0"] >> 2);
  return d.ctx.And(
    bitIs(d, p, ParFailure.F, TranslationResult.FAILED),
    bitIs(d, p, ParFailure.S, FaultStage.STAGE1),
    p.extract(fst.msb, fst.lsb + 2).eq(d.ctx.BitVec.val(permType, fst.msb - fst.lsb - 1)),
  ) as BoolTerm;
}

/** A stage-2 fault on the output IPA: F=1, S=1, PTW=0 (only an S12 operation reports one). */
function outputStage2Fault(d: SymbolicDomain, p: Term): BoolTerm {
  return d.ctx.And(bitIs(d, p, ParFailure.F, TranslationResult.FAILED), bitIs(d, p, ParFailure.S, FaultStage.STAGE2), bitIs(d, p, ParFailure.PTW, 0)) as BoolTerm;
}

/** A fault of the stage-1 walk (its table fetches through stage 2 included), which every operation on the VA meets. */
function walkFault(d: SymbolicDomain, op: AtKind, par: SymValue): BoolTerm {
  const p = d.term(par);
  const notPermission = d.ctx.And(d.ctx.Not(succeeded(d, p)), d.ctx.Not(stage1PermissionFault(d, par)));
  return (atTraits(op).stages === 12 ? d.ctx.And(notPermission, d.ctx.Not(outputStage2Fault(d, p))) : notPermission) as BoolTerm;
}

/**
 * The facts above for an S12 operation `x` and another operation `y` (of either kind) applied to
 * the same VA. The caller relates two stage-1 operations itself.
 */
export function stage12Relation(d: SymbolicDomain, x: { op: AtKind; par: SymValue }, y: { op: AtKind; par: SymValue }): BoolTerm {
  const ctx = d.ctx;
  const [px, py] = [d.term(x.par), d.term(y.par)];
  const facts: BoolTerm[] = [
    ctx.Implies(walkFault(d, x.op, x.par), py.eq(px)) as BoolTerm,
    ctx.Implies(walkFault(d, y.op, y.par), px.eq(py)) as BoolTerm,
  ];
  const tx = atTraits(x.op);
  const ty = atTraits(y.op);
  if (ty.stages === 12) {
    facts.push(ctx.Implies(ctx.And(succeeded(d, px), succeeded(d, py)), px.eq(py)) as BoolTerm);
  } else {
    facts.push(ctx.Implies(succeeded(d, px), ctx.Or(succeeded(d, py), stage1PermissionFault(d, y.par))) as BoolTerm);
    if (tx.el === ty.el && tx.access === ty.access) {
      facts.push(ctx.Implies(ctx.Not(succeeded(d, py)), px.eq(py)) as BoolTerm);
      facts.push(ctx.Implies(succeeded(d, px), succeeded(d, py)) as BoolTerm);
    }
  }
  return ctx.And(...facts) as BoolTerm;
}
