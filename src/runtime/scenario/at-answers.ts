// What every AT operation answers on FAR, on the guest's tables and on a scenario's machine, and
// the scenario `at` that makes the second agree with the first.
//
// The trap builder picks one of the scenario's `at` forms from what AT S1E1R finds on the guest's
// tables ({"ok"}, "fault", {"s2fault"}, {"par"}); the scenario machine then answers the other
// operations from the tables it builds for that form, which need not be the guest's (its stage 2
// maps only the stage-1 table pages, so AT S12E1R on an {"ok"} form meets a stage-2 Translation
// fault whatever the guest's stage 2 maps; its page is EL1 read/write whatever the guest's AP).
// Here each operation is asked on both, and where any answer differs the `at` becomes the
// {"par":...} form with a key for each operation whose answer differs from AT S1E1R's: the
// scenario then states, and replays, exactly what the guest's tables answer.
//
// AT whose walk meets a synchronous External abort takes a Data Abort instead of writing PAR_EL1
// (mmu/at-exception.ts). A scenario's `at` cannot take an exception; as for AT S1E1R (trap.ts),
// the operation's answer is PAR_EL1 with F alone, what Linux's __kvm_at (6.12 on) leaves its caller
// after the exception, and the exception's ESR_EL2 is kept alongside.

import { AtExternalAbort, atAbortEsr } from "../mmu/at-exception.ts";
import { translateAtOperation } from "../mmu/at-operation.ts";
import { atOperationAnswers } from "../mmu/at-every-operation.ts";
import { readTranslationContext, type TranslationContext } from "../mmu/registers.ts";
import { AT_KINDS, atKindOfTraits, atTraits, type AtKind } from "../semantics/at-operations.ts";
import { bits } from "../semantics/concrete-domain.ts";
import { machineForScenario, scenarioAtSource } from "./machine.ts";
import { parFor, ScenarioError, type Scenario, type ScenarioAt } from "./scenario.ts";

/** PAR_EL1 with F set and nothing else: what Linux's __kvm_at leaves its caller after an exception. */
export const PAR_F_ONLY = 1n;

/** Every AT operation's PAR_EL1 on one VA. */
export type AtPars = Readonly<Record<AtKind, bigint>>;

export interface GuestAtAnswers {
  /** Each operation's PAR_EL1 (F alone for an operation that takes an External abort). */
  readonly pars: AtPars;
  /** ESR_EL2 of the Data Abort an operation takes instead of writing PAR_EL1, for those that do. */
  readonly abortEsrs: Readonly<Partial<Record<AtKind, bigint>>>;
}

/** What every AT operation on `va` answers on the guest's tables (their registers and memory `ctx`; PAMax 48 bits, as the trap builder's walks). */
export function guestAtAnswers(va: bigint, ctx: TranslationContext): GuestAtAnswers {
  const pars = {} as Record<AtKind, bigint>;
  const abortEsrs: Partial<Record<AtKind, bigint>> = {};
  atOperationAnswers(ctx, va, AT_KIND_TRAITS).forEach((answer, i) => {
    const kind = AT_KINDS[i];
    if (typeof answer === "bigint") pars[kind] = answer;
    else {
      pars[kind] = PAR_F_ONLY;
      abortEsrs[kind] = atAbortEsr(answer);
    }
  });
  return { pars, abortEsrs };
}

/** Each of AT_KINDS's traits, in its order. */
const AT_KIND_TRAITS = AT_KINDS.map((kind) => atTraits(kind));

/**
 * What every AT operation on FAR answers on the machine `faultc run` builds for `s`. A machine
 * whose AT is the MMU model's (translateAtOperation over its registers and memory, PAMax 48 bits)
 * is asked every operation at once (one stage-1 walk per direction); one with a translator of its
 * own (the {"par":...} form's) is asked each.
 */
export function scenarioAtAnswers(s: Scenario): AtPars {
  const { machine } = machineForScenario(s);
  const pars = {} as Record<AtKind, bigint>;
  if (machine.translator === translateAtOperation) {
    const ctx = readTranslationContext((name) => machine.getSysreg(name), machine.memory);
    atOperationAnswers(ctx, s.far, AT_KIND_TRAITS).forEach((answer, i) => {
      pars[AT_KINDS[i]] = typeof answer === "bigint" ? answer : PAR_F_ONLY;
    });
    return pars;
  }
  const far = bits(s.far, 64);
  for (const kind of AT_KINDS) {
    try {
      pars[kind] = machine.addressTranslate(kind, far).value;
    } catch (e) {
      if (!(e instanceof AtExternalAbort)) throw e;
      pars[kind] = PAR_F_ONLY;
    }
  }
  return pars;
}

/**
 * `s.at` when the machine of `s` answers every operation as `guest` does; otherwise the {"par":...}
 * form: AT S1E1R's answer, and each operation whose answer differs from it.
 */
export function atAnsweringAs(s: Scenario, guest: AtPars): ScenarioAt {
  if (s.at !== undefined && answersAs(s, guest)) return s.at;
  const par = guest.s1e1r;
  const ops: Partial<Record<AtKind, bigint>> = {};
  for (const k of AT_KINDS) if (guest[k] !== par) ops[k] = guest[k];
  return Object.keys(ops).length > 0 ? { par, ops } : { par };
}

/** Whether the machine of `s` answers every operation as `guest`; false when it cannot be built for `s` (an {"s2fault"} form for a FAR that is no IPA). */
function answersAs(s: Scenario, guest: AtPars): boolean {
  // The {"s2fault"} form maps FAR's page to itself, which a FAR beyond 48 bits is not (a TTBR1
  // VA): machineForScenario refuses it, as caught below, but only after starting its tables.
  if (typeof s.at === "object" && "s2fault" in s.at && s.far >> 48n !== 0n) return false;
  let machine: AtPars;
  try {
    machine = scenarioAtAnswersWithoutMachine(s);
  } catch (e) {
    if (e instanceof ScenarioError) return false;
    throw e;
  }
  return AT_KINDS.every((k) => machine[k] === guest[k]);
}

/**
 * scenarioAtAnswers(s) from what its machine's AT reads (scenarioAtSource), without the machine:
 * the same answers (a test compares them), at the cost of the walks alone.
 */
export function scenarioAtAnswersWithoutMachine(s: Scenario): AtPars {
  const source = scenarioAtSource(s);
  if (source === undefined) return scenarioAtAnswers(s);
  const pars = {} as Record<AtKind, bigint>;
  if ("fixed" in source) {
    // The machine's translator answers FAR with the form's PAR of the operation its traits name.
    AT_KINDS.forEach((kind, i) => (pars[kind] = BigInt.asUintN(64, parFor(source.fixed, atKindOfTraits(AT_KIND_TRAITS[i])))));
    return pars;
  }
  atOperationAnswers(source.context, s.far, AT_KIND_TRAITS).forEach((answer, i) => {
    pars[AT_KINDS[i]] = typeof answer === "bigint" ? answer : PAR_F_ONLY;
  });
  return pars;
}
