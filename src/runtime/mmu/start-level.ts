// The level a walk starts at, and the stage-2 start-level consistency checks (Arm ARM
// AArch64.S1StartLevel, AArch64.S2StartLevel, and ARMv8.0 TranslationTableWalk's basefound rules).

import type { GranuleGeometry } from "./granule.ts";
import { levelShift } from "./granule.ts";

/** AArch64.S1StartLevel(): the number of strides needed to consume the input address. */
export function s1StartLevel(geometry: GranuleGeometry, inputsize: number): number {
  return 4 - Math.ceil((inputsize - geometry.grainsize) / geometry.stride);
}

/** AArch64.S2StartLevel(): 4K starts at 2 - SL0; 16K and 64K at 3 - SL0. */
export function s2StartLevel(geometry: GranuleGeometry, sl0: number): number {
  return (geometry.granule === "4K" ? 2 : 3) - sl0;
}

/**
 * Whether VTCR_EL2's T0SZ/SL0/TG0 combination is usable (TranslationTableWalk in ARMv8.0):
 * the start level must exist for the granule and the PA size, and the start table must have at
 * least 2 entries and at most 16 concatenated pages. An unusable setting is a stage-2 level-0
 * Translation fault.
 */
export function s2StartLevelIsConsistent(
  geometry: GranuleGeometry,
  level: number,
  inputsize: number,
  paMax: number,
): boolean {
  if (geometry.granule === "64K") {
    if (level <= 0 || (level === 1 && paMax <= 42)) return false;
  } else if (geometry.granule === "16K") {
    if (level <= 0 || (level === 1 && paMax <= 40)) return false;
  } else if (level < 0 || (level === 0 && paMax <= 42)) {
    return false;
  }
  if (level > 3) return false;
  const startsizecheck = inputsize - levelShift(geometry, level);
  return startsizecheck >= 1 && startsizecheck <= geometry.stride + 4;
}
