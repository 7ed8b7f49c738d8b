// The guest set-up the trap builder's tests start from, and the narrowing to a trap to EL2.
import type { GuestAccessTrapInput, Stage2Trap, TrapOutcome } from "../../src/runtime/scenario/index.ts";

/** A data read of VA 0x40001234; VA 0x40000000.. -> IPA 0x80000000.. (16 pages); stage 2 backs IPA 0x80000000's page only (PA 0x90000000). */
export function trapGuest(extra: Partial<GuestAccessTrapInput> = {}): GuestAccessTrapInput {
  return {
    va: 0x4000_1234n,
    access: "read",
    kind: "data",
    stage1: [{ va: 0x4000_0000n, ipa: 0x8000_0000n, size: 0x1_0000n }],
    stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n }],
    seed: 3,
    ...extra,
  };
}

/** `o` as a trap to EL2; anything else fails the test, showing what it was. */
export function el2(o: TrapOutcome): Stage2Trap {
  if (o.taken !== "el2") throw new Error(`expected a trap to EL2, got ${JSON.stringify(o, (_, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}`);
  return o;
}
