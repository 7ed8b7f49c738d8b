// Translation granules: decoding TCR_EL1.TG0/TG1 and VTCR_EL2.TG0 (whose encodings differ) and the
// geometry each granule gives a walk.

export type Granule = "4K" | "16K" | "64K";

export interface GranuleGeometry {
  readonly granule: Granule;
  /** Log2 of the granule (and table) size in bytes. */
  readonly grainsize: 12 | 14 | 16;
  /** Bits of input address resolved per level: grainsize - 3. */
  readonly stride: 9 | 11 | 13;
  /** First level at which a block descriptor is allowed (ARMv8.0, no FEAT_LPA/LPA2). */
  readonly firstblocklevel: 1 | 2;
}

const GEOMETRY: Record<Granule, GranuleGeometry> = {
  "4K": { granule: "4K", grainsize: 12, stride: 9, firstblocklevel: 1 },
  "16K": { granule: "16K", grainsize: 14, stride: 11, firstblocklevel: 2 },
  "64K": { granule: "64K", grainsize: 16, stride: 13, firstblocklevel: 2 },
};

export function granuleGeometry(granule: Granule): GranuleGeometry {
  return GEOMETRY[granule];
}

/**
 * TCR_EL1.TG0 / VTCR_EL2.TG0: 00 4K, 01 64K, 10 16K. The reserved 11 falls to 4K, as the Arm
 * ARM's TranslationTableWalk treats any value that is neither the large nor the mid grain.
 */
export function decodeTG0(tg0: number): Granule {
  if (tg0 === 0b01) return "64K";
  if (tg0 === 0b10) return "16K";
  return "4K";
}

/** TCR_EL1.TG1: 01 16K, 10 4K, 11 64K; the reserved 00 falls to 4K like TG0's reserved value. */
export function decodeTG1(tg1: number): Granule {
  if (tg1 === 0b11) return "64K";
  if (tg1 === 0b01) return "16K";
  return "4K";
}

export function encodeTG0(granule: Granule): number {
  return granule === "64K" ? 0b01 : granule === "16K" ? 0b10 : 0b00;
}

export function encodeTG1(granule: Granule): number {
  return granule === "64K" ? 0b11 : granule === "16K" ? 0b01 : 0b10;
}

/** Log2 of the address range one descriptor at `level` maps: (3-level)*stride + grainsize. */
export function levelShift(geometry: GranuleGeometry, level: number): number {
  return (3 - level) * geometry.stride + geometry.grainsize;
}

/** Bytes mapped by one block or page descriptor at `level`. */
export function blockSize(geometry: GranuleGeometry, level: number): bigint {
  return 1n << BigInt(levelShift(geometry, level));
}

/** blockSize() of levels 0..3, made once per granule (a walk's result carries it). */
const BLOCK_SIZES = new Map<GranuleGeometry, readonly bigint[]>(
  Object.values(GEOMETRY).map((g) => [g, [0, 1, 2, 3].map((level) => blockSize(g, level))]),
);

/** blockSize() for a walk's leaf level (0..3), without building a BigInt. */
export function blockSizeOfLevel(geometry: GranuleGeometry, level: number): bigint {
  return BLOCK_SIZES.get(geometry)?.[level] ?? blockSize(geometry, level);
}
