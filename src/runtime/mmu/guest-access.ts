// What the architecture does with a guest memory access from EL1 or EL0: the trap builder's view
// of AArch64.FullTranslate. A stage-1 fault is taken to EL1; a stage-2 fault is taken to EL2 with
// the facts ESR_EL2 (FSC, S1PTW, WnR), FAR_EL2 (the VA) and HPFAR_EL2 (the faulting IPA) need.

import type { PhysicalMemory } from "../memory.ts";
import type { AccessDescriptor } from "./access.ts";
import { encodeLDFSC, type FaultStatus } from "./fault.ts";
import { fullTranslate } from "./full-translate.ts";
import { readTranslationContext, type TranslationContext } from "./registers.ts";
import { assertEl10RegimeSelected } from "./regime.ts";

export type GuestAccessKind = "data" | "instruction";

export interface GuestAccessInput {
  va: bigint;
  access: "read" | "write";
  /** "instruction" is a fetch, which is always a read. */
  kind: GuestAccessKind;
  /** Exception level whose stage-1 permissions apply (EL0 for LDTR/STTR at EL1); EL1 when omitted. */
  el?: 0 | 1;
  /** A cache maintenance instruction by VA (see AccessDescriptor.cacheMaintenance). */
  cacheMaintenance?: "dc" | "ic";
  sysreg: (name: string) => bigint;
  memory: PhysicalMemory;
  paMaxBits?: number;
}

export interface GuestAccessSuccess {
  readonly outcome: "success";
  readonly va: bigint;
  readonly ipa: bigint;
  readonly pa: bigint;
}

export interface GuestStage1Fault {
  readonly outcome: "stage1-fault";
  readonly va: bigint;
  readonly faultType: FaultStatus;
  readonly level: number;
  /** DFSC/IFSC for ESR_EL1. */
  readonly fsc: number;
  /** ESR_EL1.WnR for a data abort (false for instruction aborts). */
  readonly wnr: boolean;
}

export interface GuestStage2Fault {
  readonly outcome: "stage2-fault";
  readonly va: bigint;
  readonly faultType: FaultStatus;
  /** The stage-2 lookup level, also for an S1PTW fault. */
  readonly level: number;
  readonly fsc: number;
  /** The fault hit the stage-2 translation of a stage-1 descriptor fetch. */
  readonly s1ptw: boolean;
  /** The IPA stage 2 failed on: the descriptor's IPA for S1PTW, else the access's IPA (HPFAR.FIPA). */
  readonly ipa: bigint;
  /**
   * ESR_EL2.WnR (data aborts). ARMv8.0's pseudocode gives an S1PTW Translation / Access flag /
   * Address size fault the original access's direction (SecondStageWalk passes iswrite through)
   * but an S1PTW Permission fault WnR=0 (the walk is checked as a read). Not forced to 1.
   */
  readonly wnr: boolean;
}

export type GuestAccessOutcome = GuestAccessSuccess | GuestStage1Fault | GuestStage2Fault;

export function translateGuestAccess(input: GuestAccessInput): GuestAccessOutcome {
  return translateGuestAccessIn(readTranslationContext(input.sysreg, input.memory, input.paMaxBits), input);
}

/** translateGuestAccess on registers already read (the access's fields of `input`; its sysreg, memory and PAMax are the context's). */
export function translateGuestAccessIn(ctx: TranslationContext, input: Omit<GuestAccessInput, "sysreg" | "memory" | "paMaxBits">): GuestAccessOutcome {
  if (input.kind === "instruction" && input.access === "write") {
    throw new Error("an instruction fetch is a read");
  }
  assertEl10RegimeSelected(ctx);
  const access: AccessDescriptor = {
    kind: input.kind === "instruction" ? "IFETCH" : "DATA",
    write: input.access === "write",
    el: input.el ?? 1,
    ...(input.cacheMaintenance !== undefined ? { cacheMaintenance: input.cacheMaintenance } : {}),
  };
  const result = fullTranslate(ctx, input.va, access);
  if (result.ok) return { outcome: "success", va: input.va, ipa: result.value.ipa, pa: result.value.pa };
  const { fault } = result;
  const common = {
    va: input.va,
    faultType: fault.statuscode,
    level: fault.level,
    fsc: encodeLDFSC(fault.statuscode, fault.level),
    wnr: input.kind === "data" && fault.write,
  };
  if (!fault.secondstage) return { outcome: "stage1-fault", ...common };
  if (fault.ipaddress === undefined) throw new Error("stage-2 fault without an IPA");
  return { outcome: "stage2-fault", ...common, s1ptw: fault.s2fs1walk, ipa: fault.ipaddress };
}
