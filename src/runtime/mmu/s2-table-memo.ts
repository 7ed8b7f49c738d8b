// Stage 2 of the stage-1 table addresses a walk fetches from (AArch64.S2Translate for an
// s2fs1walk access), kept per memory (the few walked last) while its contents and the stage-2
// registers hold. Every stage-1 walk through stage 2 translates the IPA of each table it reads,
// and the walks of one set-up (ATs on many VAs, a trap's several translations) read the same few
// tables again and again: a stage-1 walk of four levels walks stage 2 four times.
//
// What such a translation gives depends only on the IPA's 4 KiB page (every stage-2 leaf maps a
// whole page or more, the walk indexes with IPA bits 12 and above, the size checks look at bits
// 25 and above), on access.write (the only part of the access an s2fs1walk translation reads:
// the WnR of its faults), on the stage-2 parameters (VTCR_EL2, VTTBR_EL2, HCR_EL2, PAMax: one
// getS2TTWParams object while they hold) and on the memory's contents, which its generation
// stands for. The page's PA, or the fault with its IPA set to the one asked about, is exact.
// Whether it faults does not depend on access.write (the walk and the s2fs1walk permission check
// read nothing else of the access), so the PA one direction found serves the other.
import type { PhysicalMemory } from "../memory.ts";
import type { AccessDescriptor } from "./access.ts";
import { makeFault, type FaultRecord } from "./fault.ts";
import type { TranslationContext } from "./registers.ts";
import { s2Translate } from "./s2-translate.ts";
import { getS2TTWParams, type S2TTWParams } from "./walk-params.ts";

/** One memory's stage-2 translations of table pages, under one set of stage-2 registers and contents. */
export interface S2TableMemo {
  readonly memory: PhysicalMemory;
  readonly generation: number;
  readonly params: S2TTWParams;
  /** By IPA page * 2 + write: the page's PA (bits 11:0 zero), or the fault. */
  readonly pages: Map<number, number | FaultRecord>;
}

/**
 * The memos of the memories walked last, the latest first: a set-up's walks ask of one memory
 * again and again, a trap's of a few. Found by identity; a memory walked once (an AT set-up seen
 * once) costs no WeakMap insertion, and one pushed out is walked afresh when it comes back.
 */
const recent: S2TableMemo[] = [];
const RECENT = 4;
/** Pages kept per memory before starting afresh (a set-up reads a few dozen table pages). */
const PAGES = 4096;
const PAGE = 4096;

/**
 * s2Translate(ctx, ipa, access, true)'s PA, or its fault, for the IPA of a stage-1 descriptor
 * (a Number, as the walks hold addresses: at most 48 bits).
 */
export function s2TableAddress(ctx: TranslationContext, ipa: number, access: AccessDescriptor): number | FaultRecord {
  return s2TableAddressIn(s2TableMemo(ctx), ctx, ipa, access);
}

/** The memo for ctx's memory, stage-2 registers and contents now: a stage-1 walk asks once, then for each descriptor (s2TableAddressIn). */
export function s2TableMemo(ctx: TranslationContext): S2TableMemo {
  const memory = ctx.memory;
  const params = getS2TTWParams(ctx);
  let at = 0;
  while (at < recent.length && recent[at].memory !== memory) at++;
  let memo: S2TableMemo | undefined = recent[at];
  if (memo === undefined || memo.generation !== memory.generation || memo.params !== params || memo.pages.size >= PAGES) {
    memo = { memory, generation: memory.generation, params, pages: new Map() };
  }
  if (at > 0 || recent.length === 0) {
    if (at < recent.length) recent.splice(at, 1);
    recent.unshift(memo);
    if (recent.length > RECENT) recent.pop();
  } else recent[0] = memo;
  return memo;
}

/** s2TableAddress() through `memo`, s2TableMemo(ctx)'s answer while nothing has written ctx's memory since. */
export function s2TableAddressIn(memo: S2TableMemo, ctx: TranslationContext, ipa: number, access: AccessDescriptor): number | FaultRecord {
  const page = Math.floor(ipa / PAGE);
  const offset = ipa - page * PAGE;
  const key = page * 2 + (access.write ? 1 : 0);
  const found = memo.pages.get(key);
  if (found !== undefined) {
    if (typeof found === "number") return found + offset;
    const ipaddress = BigInt(ipa);
    if (found.ipaddress === ipaddress) return found;
    // Field by field, not a spread (makeFault): a page's fault is met again for each descriptor in it.
    return makeFault(found.statuscode, found.level, { secondstage: found.secondstage, s2fs1walk: found.s2fs1walk, ipaddress, write: found.write });
  }
  const other = memo.pages.get(page * 2 + (access.write ? 0 : 1));
  if (typeof other === "number") {
    memo.pages.set(key, other);
    return other + offset;
  }
  const s2 = s2Translate(ctx, BigInt(ipa), access, true);
  // The walk reads memory but never writes it (no FEAT_HAFDBS), so the generation still holds.
  if (!s2.ok) {
    memo.pages.set(key, s2.fault);
    return s2.fault;
  }
  const pa = s2.value.walk.paNumber;
  memo.pages.set(key, pa - offset);
  return pa;
}
