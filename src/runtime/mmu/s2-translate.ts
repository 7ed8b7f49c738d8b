// AArch64.S2Translate(): IPA to PA for the Non-secure EL1&0 stage 2, either for an access's final
// IPA or for a stage-1 descriptor fetch (s2fs1walk).

import type { AccessDescriptor } from "./access.ts";
import { isZeroField } from "./bits.ts";
import { S2LeafWords } from "./descriptor.ts";
import { failure, makeFault, success, type Outcome } from "./fault.ts";
import type { TranslationContext } from "./registers.ts";
import { s2CheckPermissions } from "./s2-permissions.ts";
import { s2Walk, type S2WalkState } from "./s2-walk.ts";
import { s2StartLevel, s2StartLevelIsConsistent } from "./start-level.ts";
import { getS2TTWParams, type S2TTWParams } from "./walk-params.ts";

export interface S2Output {
  readonly pa: bigint;
  readonly walk: S2WalkState;
  readonly memAttr: number;
}

/** Stage 2's output from its walk: the PA is the walk's, as a bigint only when asked. */
class S2Walked implements S2Output {
  constructor(readonly walk: S2WalkState) {}

  get pa(): bigint {
    return this.walk.pa;
  }

  get memAttr(): number {
    return S2LeafWords.memAttr(this.walk.descriptorLow);
  }
}

/**
 * Whether stage 2 as VTCR_EL2 configures it can walk at all, for the decoded parameters last
 * asked about (getS2TTWParams keeps one object while the registers and PAMax hold, and a
 * stage-1 walk asks once per fetch), which are made with ctx's PAMax.
 */
let walkableParams: S2TTWParams | undefined;
let walkable = false;

function s2ConfigurationWalks(ctx: TranslationContext, params: S2TTWParams): boolean {
  if (params !== walkableParams) {
    walkable = params.inputsize <= ctx.paMax && s2StartLevelIsConsistent(params.geometry, s2StartLevel(params.geometry, params.sl0), params.inputsize, ctx.paMax);
    walkableParams = params;
  }
  return walkable;
}

export function s2Translate(
  ctx: TranslationContext,
  ipa: bigint,
  access: AccessDescriptor,
  s2fs1walk: boolean,
): Outcome<S2Output> {
  const params = getS2TTWParams(ctx);
  // An IPA beyond 64-T0SZ bits is a level-0 Translation fault. So are an IPA size beyond PAMax
  // (CONSTRAINED UNPREDICTABLE; like QEMU we choose the fault) and an inconsistent start level.
  if (!isZeroField(ipa, 63, params.inputsize) || !s2ConfigurationWalks(ctx, params)) {
    return failure(makeFault("Translation", 0, { secondstage: true, s2fs1walk, ipaddress: ipa, write: access.write }));
  }

  const walked = s2Walk(ctx, params, ipa, access, s2fs1walk);
  if (!walked.ok) return walked;
  const denied = s2CheckPermissions(walked.value, ipa, access, s2fs1walk, params.protectedTableWalk);
  if (denied !== undefined) return failure(denied);
  return success(new S2Walked(walked.value));
}
