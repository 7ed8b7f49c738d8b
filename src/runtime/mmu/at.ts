// AArch64.AT() for AT S1E1R / AT S1E1W executed at EL2: a stage-1 translation of the EL1&0 regime
// with EL1 read or write permission, reported in PAR_EL1 instead of raising an exception. With
// HCR_EL2.VM=1 the result is the IPA, but the walk's descriptor fetches go through stage 2, and a
// stage-2 fault there is reported with S=1, PTW=1 and the stage-2 FST (level included).
//
// QEMU 7.2 differs in two places the tests call out: for a PTW fault it reports the stage-1 lookup
// level in FST, and it returns the descriptor's SH for Device / Normal Non-cacheable memory.

import type { PhysicalMemory } from "../memory.ts";
import type { AccessDescriptor } from "./access.ts";
import { AtExternalAbort, atTakesException } from "./at-exception.ts";
import type { FaultRecord, Outcome } from "./fault.ts";
import { encodePARFault, encodePARSuccessAt } from "./par.ts";
import { readTranslationContext, type TranslationContext } from "./registers.ts";
import { assertEl10RegimeSelected } from "./regime.ts";
import { s1Translate, type S1Output } from "./s1-translate.ts";

/** read/write: AT S1E1R/W, S1E0R/W; "any": AT S1E1A, which checks no permission (FEAT_ATS1A). */
export type AtAccess = "read" | "write" | "any";

export interface TranslationInput {
  va: bigint;
  access: AtAccess;
  /** Whose permissions are checked: 1 for AT S1E1*, 0 for AT S1E0*. Default 1. */
  el?: 0 | 1;
  /** Architectural registers TCR_EL1, TTBR0_EL1, TTBR1_EL1, MAIR_EL1, SCTLR_EL1, HCR_EL2, VTTBR_EL2, VTCR_EL2. */
  sysreg: (name: string) => bigint;
  memory: PhysicalMemory;
  /** AArch64.PAMax(); 48 when omitted. */
  paMaxBits?: number;
}

/** The new PAR_EL1 value after AT S1E1R (access "read") or AT S1E1W (access "write"). */
export function addressTranslateS1E1(input: TranslationInput): bigint {
  return addressTranslateS1E1In(readTranslationContext(input.sysreg, input.memory, input.paMaxBits), input.va, input.access, input.el ?? 1);
}

/** The access each AT S1E<el><access> makes: one object apiece, not one built per translation. */
const AT_READS: readonly [AccessDescriptor, AccessDescriptor] = [{ kind: "AT", write: false, el: 0 }, { kind: "AT", write: false, el: 1 }];
const AT_WRITES: readonly [AccessDescriptor, AccessDescriptor] = [{ kind: "AT", write: true, el: 0 }, { kind: "AT", write: true, el: 1 }];
const AT_ANYS: readonly [AccessDescriptor, AccessDescriptor] = [
  { kind: "AT", write: false, el: 0, checkPermissions: false },
  { kind: "AT", write: false, el: 1, checkPermissions: false },
];

/** addressTranslateS1E1 on registers already read (a set-up that holds them as values, not behind a sysreg function). */
export function addressTranslateS1E1In(ctx: TranslationContext, va: bigint, access: AtAccess, el: 0 | 1 = 1): bigint {
  return parOrException(atS1E1Answer(ctx, va, access, el));
}

/**
 * What AT S1E<el><access> answers: the new PAR_EL1, or the fault of the synchronous External
 * abort it takes as an exception instead (at-exception.ts), returned rather than thrown for a
 * caller that asks every operation and expects some to take it (an Error costs its stack).
 */
export function atS1E1Answer(ctx: TranslationContext, va: bigint, access: AtAccess, el: 0 | 1 = 1): bigint | FaultRecord {
  assertEl10RegimeSelected(ctx);
  return atS1Report(s1Translate(ctx, va, atAccessDescriptor(access, el)));
}

/** The access AT S1E<el><access> (and S12E<el><access>) makes. */
export function atAccessDescriptor(access: AtAccess, el: 0 | 1): AccessDescriptor {
  // A switch, not a look-up by the access's name: every AT asks, and a keyed load by a string is the slower.
  const accesses = access === "read" ? AT_READS : access === "write" ? AT_WRITES : AT_ANYS;
  return accesses[el];
}

/** What a stage-1 AT reports of its translation: PAR_EL1, or the fault of the External abort it takes instead. */
export function atS1Report(s1: Outcome<S1Output>): bigint | FaultRecord {
  if (s1.ok) return encodePARSuccessAt(s1.value.oaNumber, s1.value.attrs);
  return atTakesException(s1.fault) ? s1.fault : encodePARFault(s1.fault);
}

/** The PAR of an answer, or its exception thrown (AtExternalAbort). */
export function parOrException(answer: bigint | FaultRecord): bigint {
  if (typeof answer !== "bigint") throw new AtExternalAbort(answer);
  return answer;
}
