// Which stages of the Non-secure EL1&0 translation regime are in force (Arm ARM
// AArch64.FirstStageTranslate's s1_enabled and AArch64.SecondStageTranslate's s2_enabled).

import { HCR, regBit, SCTLR, type TranslationContext, type TranslationRegisters } from "./registers.ts";

// Every translation asks these of its registers (an AT batch of one set-up dozens of times, with
// the same values): the last answers are kept with the SCTLR_EL1 and HCR_EL2 they were made from
// (-1n, which no 64-bit register holds, before the first).
// The registers object they were last asked of is kept too: the same (readonly) object holds the
// same values, and telling that costs no BigInt comparison.
let lastRegs: TranslationRegisters | undefined;
let lastSctlr = -1n;
let lastHcr = -1n;
let lastStage1 = false;
let lastStage2 = false;
let lastHostRegime = false;

function decideFor(regs: TranslationRegisters): void {
  if (regs === lastRegs) return;
  decide(regs.SCTLR_EL1, regs.HCR_EL2);
  lastRegs = regs;
}

function decide(sctlr: bigint, hcr: bigint): void {
  if (sctlr === lastSctlr && hcr === lastHcr) return;
  lastStage1 = regBit(sctlr, SCTLR.M) && !regBit(hcr, HCR.TGE) && !regBit(hcr, HCR.DC);
  lastStage2 = regBit(hcr, HCR.VM) || regBit(hcr, HCR.DC);
  lastHostRegime = regBit(hcr, HCR.E2H) && regBit(hcr, HCR.TGE);
  lastSctlr = sctlr;
  lastHcr = hcr;
}

/**
 * Stage 1 runs when SCTLR_EL1.M is set, unless HCR_EL2.TGE (EL1 not in use) or HCR_EL2.DC
 * (default cacheable) force it off.
 */
export function stage1Enabled(ctx: TranslationContext): boolean {
  decideFor(ctx.regs);
  return lastStage1;
}

/** Stage 2 runs when HCR_EL2.VM is set; HCR_EL2.DC also forces it on. */
export function stage2Enabled(ctx: TranslationContext): boolean {
  decideFor(ctx.regs);
  return lastStage2;
}

/**
 * {E2H,TGE} = {1,1} makes EL1&0 the host's EL2&0 regime (TTBRx_EL2, TCR_EL2), whose registers
 * are not inputs of this model; translating it as EL1&0 would silently give wrong answers.
 */
export function assertEl10RegimeSelected(ctx: TranslationContext): void {
  decideFor(ctx.regs);
  if (lastHostRegime) {
    throw new Error("HCR_EL2.{E2H,TGE} = {1,1}: the EL2&0 regime is in use, which this MMU model does not translate");
  }
}
