// The trap oracle's address-size kinds (issue 14, "Translation"): set-ups whose guest access meets
// an output address beyond VTCR_EL2.PS (the data page's, a stage-2 table descriptor's, the stage-2
// page of a stage-1 table: S1PTW) or beyond TCR_EL1.IPS (the data page's IPA, a stage-1 table
// descriptor or TTBR1: taken to EL1), an IPA beyond VTCR_EL2.T0SZ (the data's, or a stage-1
// table's: S1PTW), and stage-1 tables placed at
// IPAs other than their PAs (HPFAR of an S1PTW fault names the IPA). Each is stated through the
// trap builder's input (address-sizes.ts), so QEMU runs the very tables the model predicts from.
//
// What the guest's own code needs stays walkable under every choice: the image (VA = IPA = PA
// 0x40000000) and the table pool lie below 2^32, and the IPA size is never above PS (QEMU 7.2
// refuses such a stage 2 altogether, the "s2-size-checks-ps" departure the AT oracle pins; here it
// would stop the guest's first instruction fetch, which the trap builder does not describe).
import { defaultStage2StartLevel } from "../runtime/mmu/builder.ts";
import { granuleGeometry } from "../runtime/mmu/granule.ts";
import type { TrapKindContext } from "./trap-kind-context.ts";

export const ADDRESS_SIZE_TRAP_KINDS = ["s2-ps-leaf", "s2-ps-table", "s1ptw-ps", "ipa-beyond-t0sz", "s1-ips-leaf", "s1-ips-table", "s1-tables-at-ipa"] as const;
export type AddressSizeTrapKind = (typeof ADDRESS_SIZE_TRAP_KINDS)[number];

const PAGE = 0x1000n;
const BLOCK = 0x20_0000n;
/** PAMax of QEMU's cortex-a57: bits at or above it are beyond every output size. */
const QEMU_PA_MAX = 44;

export function isAddressSizeTrapKind(kind: string): kind is AddressSizeTrapKind {
  return (ADDRESS_SIZE_TRAP_KINDS as readonly string[]).includes(kind);
}

/** An IPA page in [2G, 2^bits) from the random one (bits >= 32). */
function ipaWithin(ipaPage: bigint, bits: number): bigint {
  const span = (1n << BigInt(bits)) - 0x8000_0000n - BLOCK;
  return 0x8000_0000n + (((ipaPage - 0x8000_0000n) % span) & ~(PAGE - 1n));
}

/** A bit at or above `size` and below QEMU's PAMax (so beyond the output size on both sides). */
function bitBeyond(size: number, round: number): number {
  const limit = Math.min(size, QEMU_PA_MAX);
  return limit + (round % Math.max(1, QEMU_PA_MAX - limit));
}

/** Adds the kind's sizes, mappings and out-of-range addresses to the context; returns the case's description. */
export function addressSizeCase(kind: AddressSizeTrapKind, c: TrapKindContext): string {
  const { round, vaPage, paPage } = c;
  const level = round % 4;
  const ps = [40, 36, 32][round % 3];
  const ipaBits = Math.min(40, ps);
  const ipaPage = ipaWithin(c.ipaPage, ipaBits);
  const mapData = (ipa: bigint) => c.stage1.push({ va: vaPage, ipa, size: PAGE, level: 3, pxn: false, uxn: false });
  switch (kind) {
    case "s2-ps-leaf": {
      const block = round % 2 === 1;
      const bit = bitBeyond(ps, round);
      c.extra.translation = { paBits: ps, ipaBits };
      mapData(ipaPage);
      const ipa = block ? ipaPage & ~(BLOCK - 1n) : ipaPage;
      c.stage2.push({ ipa, pa: (block ? paPage & ~(BLOCK - 1n) : paPage) | (1n << BigInt(bit)), size: block ? BLOCK : PAGE, level: block ? 2 : 3 });
      return `PS ${ps}: the data's stage-2 ${block ? "2M block" : "page"} outputs PA bit ${bit}`;
    }
    case "s2-ps-table": {
      // The data IPA's own level-2 and level-3 stage-2 tables (its 1G region holds nothing else);
      // never the start level's (VTTBR_EL2, which every walk reads: a 32-bit IPA starts at level 2).
      const tableLevel = Math.max(defaultStage2StartLevel(granuleGeometry("4K"), ipaBits) + 1, 2 + (round % 2));
      const bit = bitBeyond(ps, round);
      c.extra.translation = { paBits: ps, ipaBits };
      mapData(ipaPage);
      c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
      c.extra.beyondOutputSize = [{ address: "s2-table", at: ipaPage, level: tableLevel, bit }];
      return `PS ${ps}: the stage-2 level-${tableLevel} table of the data's IPA named at PA bit ${bit}`;
    }
    case "s1ptw-ps": {
      const bit = bitBeyond(ps, round);
      c.extra.translation = { paBits: ps, ipaBits };
      mapData(ipaPage);
      c.stage2.push({ ipa: ipaPage, pa: paPage, size: PAGE, level: 3 });
      c.extra.beyondOutputSize = [{ address: "s1-table-page", at: vaPage, level, bit }];
      return `PS ${ps}: the stage-2 page of the stage-1 level-${level} table outputs PA bit ${bit}`;
    }
    case "ipa-beyond-t0sz": {
      const bits = [32, 36, 39][Math.floor(round / 2) % 3];
      c.extra.translation = { ipaBits: bits };
      if (round % 2 === 1) {
        // The data's stage-1 table at this level named at an IPA beyond the IPA space (inside IPS):
        // the fetch is a stage-2 level-0 Translation fault on the walk (S1PTW).
        const tableLevel = Math.floor(round / 2) % 4;
        const bit = bits + (round % (QEMU_PA_MAX - bits));
        const ipa = ipaWithin(c.ipaPage, bits);
        mapData(ipa);
        c.stage2.push({ ipa, pa: paPage, size: PAGE, level: 3 });
        c.extra.beyondOutputSize = [{ address: "s1-table", at: vaPage, level: tableLevel, bit }];
        return `${bits}-bit IPA space, the stage-1 level-${tableLevel} table named at IPA bit ${bit}`;
      }
      // An IPA at or above 2^bits, below 2^(bits+4) (inside IPS 48 and QEMU's 44-bit PAMax).
      const ipa = (1n << BigInt(bits)) + ((c.ipaPage % (15n << BigInt(bits))) & ~(PAGE - 1n));
      mapData(ipa);
      return `${bits}-bit IPA space, the data at IPA ${`0x${ipa.toString(16)}`}`;
    }
    case "s1-ips-leaf": {
      const ips = [32, 36, 40][round % 3];
      const bit = bitBeyond(ips, round);
      c.extra.translation = { ipsBits: ips };
      mapData(ipaWithin(c.ipaPage, 32) | (1n << BigInt(bit)));
      return `IPS ${ips}: the data's stage-1 page outputs IPA bit ${bit}`;
    }
    case "s1-ips-table": {
      const ips = [40, 36, 32][round % 3];
      const bit = bitBeyond(ips, round);
      c.extra.translation = { ipsBits: ips };
      mapData(ipaWithin(c.ipaPage, 32));
      c.stage2.push({ ipa: ipaWithin(c.ipaPage, 32), pa: paPage, size: PAGE, level: 3 });
      // Level 0 is TTBR1 (48-bit VA): only the data's walks use it.
      c.extra.beyondOutputSize = [{ address: "s1-table", at: vaPage, level, bit }];
      return `IPS ${ips}: the stage-1 level-${level} table named at IPA bit ${bit}${level === 0 ? " (TTBR1_EL1)" : ""}`;
    }
    case "s1-tables-at-ipa": {
      // Table pages at IPAs 0x70100000.. (beside the pool's PAs) or at 64G, one page each.
      const base = round % 2 === 0 ? 0x7010_0000n + (c.ipaPage % 0x100n) * PAGE : 0x10_0000_0000n + (c.ipaPage % 0x1000n) * PAGE;
      const ipa = c.ipaPage >= base - BLOCK && c.ipaPage < base + BLOCK ? c.ipaPage + 2n * BLOCK : c.ipaPage;
      c.extra.stage1TableIpa = base;
      mapData(ipa);
      c.stage2.push({ ipa, pa: paPage, size: PAGE, level: 3 });
      const fault = (["translation", "access-flag"] as const)[round % 2];
      c.extra.tableFaults = [{ va: vaPage, level, fault }];
      return `stage-1 tables at IPA 0x${base.toString(16)}..: the level-${level} table's page, stage-2 ${fault} fault`;
    }
  }
}
