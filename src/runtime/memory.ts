// Sparse physical memory of the machine model: 4 KiB pages, little-endian accesses of 1, 2, 4 and
// 8 bytes. Unwritten memory reads as zero, as a freshly zeroed RAM does; the model never relies on
// that for architecturally UNKNOWN state (that is drawn from a seed, see `lazyPage`).
//
// Built for speed, since every scenario builds and copies memory:
//  - pages are keyed by page number as a Number (exact: a 64-bit address has a 52-bit page number);
//  - an access inside one page is one typed-array operation, not one BigInt step per byte;
//  - clone() is copy-on-write: the copy shares every page until either side writes to it;
//  - a page of zeros is no page at all: fill(…, 0) over whole pages drops them;
//  - a lazy page is produced (zeros, then its initialiser) only when first read or written;
//  - pages are cut from slabs of a few pages (one ArrayBuffer and its views each): making a typed
//    array costs a microsecond, more than a scenario's whole run of a C-like handler, and a
//    scenario writes its vcpu page fresh. (A slab lives while any of its pages does.)
//
// Which addresses are backed at all is the memory's map (memory-map.ts): reads and writes here
// work anywhere, and the translation table walk asks the map before it fetches a descriptor.

import { MemoryMap } from "./memory-map.ts";

const PAGE_BITS = 12;
const PAGE_SHIFT = 12n;
const PAGE_SIZE = 1 << PAGE_BITS;
const OFFSET_MASK = BigInt(PAGE_SIZE - 1);
const ADDRESS_MASK = (1n << 64n) - 1n;
/** Addresses below this are exact as Numbers. */
const NUMBER_EXACT = 1n << 53n;

export type AccessSize = 1 | 2 | 4 | 8;

/** A page: PAGE_SIZE bytes of a slab from `base` on (bytes and view are the whole slab's). */
interface Page {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly base: number;
}

const SLAB_PAGES = 8;
let slabBytes = new Uint8Array(0);
let slabView = new DataView(slabBytes.buffer);
let slabFree = 0;

/**
 * Pages given back by memories whose life ended (PhysicalMemory.release), zeroed again when taken:
 * zeroing a page in place costs a tenth of what a page of a new slab does (fresh memory from the
 * system, page faults and all). At most FREE_PAGES are kept.
 */
const freePages: Page[] = [];
const FREE_PAGES = 256;

/** A zeroed page. */
function newPage(): Page {
  const reused = freePages.pop();
  if (reused !== undefined) {
    reused.bytes.fill(0, reused.base, reused.base + PAGE_SIZE);
    return reused;
  }
  if (slabFree === 0) {
    const buffer = new ArrayBuffer(PAGE_SIZE * SLAB_PAGES);
    slabBytes = new Uint8Array(buffer);
    slabView = new DataView(buffer);
    slabFree = SLAB_PAGES;
  }
  slabFree--;
  return { bytes: slabBytes, view: slabView, base: slabFree * PAGE_SIZE };
}

/** A page holding what `from` holds. */
function copyOf(from: Page): Page {
  const page = newPage();
  page.bytes.set(from.bytes.subarray(from.base, from.base + PAGE_SIZE), page.base);
  return page;
}

/** Fills a fresh (zeroed) page; called at most once per page and memory lineage. It may not keep `page`. */
export type PageInitialiser = (page: Uint8Array) => void;

/** An own entry that shadows a shared page: the page reads as zero here. */
const ZERO_PAGE: Page = { bytes: new Uint8Array(PAGE_SIZE), view: new DataView(new ArrayBuffer(PAGE_SIZE)), base: 0 };
const NO_PAGES: ReadonlyMap<number, Page> = new Map();
/** Every memory's own pages until its first write of one: empty, never written (deleting from it is a no-op). */
const NO_OWN_PAGES = new Map<number, Page>();
/** stablePage's answer for a page that reads as zeros from no page. */
const NO_PAGE = Object.freeze({});

/**
 * The pages of one range of page numbers, made all at once by a producer when a memory first
 * touches one of them, for that memory and every memory cloned from it or from whose lineage
 * it comes (the producer runs at most once). A scenario machine's guest tables are such pages:
 * most handler runs never walk them, and building them costs more than the run.
 */
export class DeferredPages {
  private made: ReadonlyMap<number, Page> | undefined;
  /**
   * @param from the range's first page number, `to` the one after its last;
   * @param produce a memory holding what the range holds (nothing outside it), written only
   *   before it returns; it must depend on nothing but what it was made with, so that when it
   *   runs cannot matter.
   */
  constructor(
    readonly from: number,
    readonly to: number,
    private produce: (() => PhysicalMemory) | undefined,
  ) {}

  /** The pages of the range, made now if they were not yet. */
  pages(): ReadonlyMap<number, Page> {
    if (this.made !== undefined) return this.made;
    const produce = this.produce;
    if (produce === undefined) throw new Error("internal: deferred pages asked for while they are being made");
    this.produce = undefined;
    const made = produce().sharedMap();
    for (const key of made.keys()) {
      if (key < this.from || key >= this.to) throw new Error(`internal: a deferred page ${key} is outside its range`);
    }
    this.made = made;
    return made;
  }
}

export class PhysicalMemory {
  /** @param map which PAs the memory system answers (default: every PA). */
  constructor(readonly map: MemoryMap = MemoryMap.EVERYWHERE) {}

  /**
   * This memory's own pages, written in place (ZERO_PAGE: zero here, whatever `shared` holds);
   * NO_OWN_PAGES, never written, until the first (ownPages): most copies read far more than they write.
   */
  private pages: Map<number, Page> = NO_OWN_PAGES;
  /** Pages shared with clones: never written; a write first copies the page into `pages`. */
  private shared: ReadonlyMap<number, Page> = NO_PAGES;
  /** Pages whose contents are produced when first touched (a key is in `pages` or here, not both). */
  private lazy: Map<number, PageInitialiser> | undefined;
  /**
   * A range of pages read from `deferred` (made when first touched) where neither `pages`,
   * `lazy` nor `shared` has the page (`shared` holds ZERO_PAGE for one of them cleared since).
   */
  private deferred: DeferredPages | undefined;
  private readObserver: ((page: number) => void) | undefined;
  private writes = 0;
  /** Set by release(): every later access is a bug. */
  private released = false;

  /**
   * A count that changes whenever this memory's contents may have changed (any write, fill or
   * lazyPage; reads, clones and lazy pages being produced do not change it): what was read from
   * it at one generation still reads the same while the generation is the same.
   */
  get generation(): number {
    return this.writes;
  }

  /**
   * The little-endian 32-bit word at `address`, a PA held as a Number (exact below 2^53) and
   * 4-byte aligned: the table walk's fetch, which keeps its addresses as Numbers.
   */
  readUint32(address: number): number {
    const key = Math.floor(address / PAGE_SIZE);
    const page = this.readablePage(key);
    return page === undefined ? 0 : page.view.getUint32(page.base + (address - key * PAGE_SIZE), true);
  }

  /**
   * readUint32(address) into `into.lo` and readUint32(address + 4) into `into.hi`, `address`
   * 8-byte aligned (the two words in one page): a table walk's descriptor, one page look-up.
   */
  readUint32Pair(address: number, into: { lo: number; hi: number }): void {
    const key = Math.floor(address / PAGE_SIZE);
    const page = this.readablePage(key);
    if (page === undefined) {
      into.lo = 0;
      into.hi = 0;
      return;
    }
    const at = page.base + (address - key * PAGE_SIZE);
    into.lo = page.view.getUint32(at, true);
    into.hi = page.view.getUint32(at + 4, true);
  }

  /** Reads `size` bytes at `address`, little-endian, as an unsigned value. */
  read(address: bigint, size: AccessSize): bigint {
    // Below 2^53 the address is exact as a Number: its page and offset without BigInt steps.
    if (address >= 0n && address < NUMBER_EXACT) return this.readAt(Number(address), size);
    return this.readCrossing(address, size);
  }

  /** read() at a PA held as a Number (exact: below 2^53). */
  readAt(address: number, size: AccessSize): bigint {
    const key = Math.floor(address / PAGE_SIZE);
    const offset = address - key * PAGE_SIZE;
    if (offset + size > PAGE_SIZE) return this.readCrossing(BigInt(address), size);
    return this.readInPage(key, offset, size);
  }

  private readInPage(key: number, offset: number, size: AccessSize): bigint {
    const page = this.readablePage(key);
    if (page === undefined) return 0n;
    switch (size) {
      case 8:
        return page.view.getBigUint64(page.base + offset, true);
      case 4:
        return BigInt(page.view.getUint32(page.base + offset, true));
      case 2:
        return BigInt(page.view.getUint16(page.base + offset, true));
      default:
        return BigInt(page.bytes[page.base + offset]);
    }
  }

  /** read() at an address not exact as a Number, or of an access that crosses into the next page (or wraps at 2^64). */
  private readCrossing(address: bigint, size: AccessSize): bigint {
    const a = address & ADDRESS_MASK;
    const offset = Number(a & OFFSET_MASK);
    if (offset + size <= PAGE_SIZE) return this.readInPage(Number(a >> PAGE_SHIFT), offset, size);
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.readByte((a + BigInt(i)) & ADDRESS_MASK));
    return value;
  }

  /** Writes the low `size` bytes of `value` at `address`, little-endian. */
  write(address: bigint, size: AccessSize, value: bigint): void {
    if (address >= 0n && address < NUMBER_EXACT) {
      const a = Number(address);
      const key = Math.floor(a / PAGE_SIZE);
      const offset = a - key * PAGE_SIZE;
      if (offset + size <= PAGE_SIZE) return this.writeInPage(key, offset, size, value);
    } else {
      const a = address & ADDRESS_MASK;
      const offset = Number(a & OFFSET_MASK);
      if (offset + size <= PAGE_SIZE) return this.writeInPage(Number(a >> PAGE_SHIFT), offset, size, value);
    }
    let v = value;
    for (let i = 0; i < size; i++) {
      this.writeByte((address + BigInt(i)) & ADDRESS_MASK, Number(v & 0xffn));
      v >>= 8n;
    }
  }

  /** write() at a PA held as a Number (exact: below 2^53). */
  writeAt(address: number, size: AccessSize, value: bigint): void {
    const key = Math.floor(address / PAGE_SIZE);
    const offset = address - key * PAGE_SIZE;
    if (offset + size <= PAGE_SIZE) this.writeInPage(key, offset, size, value);
    else this.write(BigInt(address), size, value);
  }

  private writeInPage(key: number, offset: number, size: AccessSize, value: bigint): void {
    const page = this.writablePage(key);
    switch (size) {
      case 8:
        // setBigUint64 takes the value modulo 2^64 itself.
        page.view.setBigUint64(page.base + offset, value, true);
        return;
      case 4:
        page.view.setUint32(page.base + offset, Number(BigInt.asUintN(32, value)), true);
        return;
      case 2:
        page.view.setUint16(page.base + offset, Number(BigInt.asUintN(16, value)), true);
        return;
      default:
        page.bytes[page.base + offset] = Number(BigInt.asUintN(8, value));
        return;
    }
  }

  readByte(address: bigint): number {
    const page = this.readablePage(Number(address >> PAGE_SHIFT));
    return page === undefined ? 0 : page.bytes[page.base + Number(address & OFFSET_MASK)];
  }

  writeByte(address: bigint, byte: number): void {
    const page = this.writablePage(Number(address >> PAGE_SHIFT));
    page.bytes[page.base + Number(address & OFFSET_MASK)] = byte & 0xff;
  }

  /** Copies `bytes` to memory from `address` on (a page at a time). */
  writeBytes(address: bigint, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const a = (address + BigInt(done)) & ADDRESS_MASK;
      const offset = Number(a & OFFSET_MASK);
      const n = Math.min(PAGE_SIZE - offset, bytes.length - done);
      const page = this.writablePage(Number(a >> PAGE_SHIFT));
      page.bytes.set(bytes.subarray(done, done + n), page.base + offset);
      done += n;
    }
  }

  /** Sets `length` bytes from `address` on to `byte`; whole pages set to zero are dropped (they read as zero). */
  fill(address: bigint, length: bigint, byte: number): void {
    if (this.released) throw releasedError();
    // Below 2^53 (a table pool's pages, a vcpu) on Numbers, without a BigInt step per page.
    if (address >= 0n && length >= 0n && address + length <= NUMBER_EXACT) return this.fillAt(Number(address), Number(length), byte);
    const b = byte & 0xff;
    let a = address & ADDRESS_MASK;
    let left = length;
    while (left > 0n) {
      const offset = Number(a & OFFSET_MASK);
      const n = Math.min(PAGE_SIZE - offset, left > BigInt(PAGE_SIZE) ? PAGE_SIZE : Number(left));
      this.fillInPage(Number(a >> PAGE_SHIFT), offset, n, b);
      a = (a + BigInt(n)) & ADDRESS_MASK;
      left -= BigInt(n);
    }
  }

  /** fill() of `length` bytes from a PA held as a Number, the whole range below 2^53. */
  fillAt(address: number, length: number, byte: number): void {
    if (this.released) throw releasedError();
    const b = byte & 0xff;
    let a = address;
    const end = address + length;
    while (a < end) {
      const key = Math.floor(a / PAGE_SIZE);
      const offset = a - key * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - offset, end - a);
      this.fillInPage(key, offset, n, b);
      a += n;
    }
  }

  /** Sets `n` bytes of page `key` from `offset` on to `b`; a whole page of zeros is dropped. */
  private fillInPage(key: number, offset: number, n: number, b: number): void {
    if (b === 0 && n === PAGE_SIZE) {
      this.writes++;
      this.noteWrite(key);
      this.lazy?.delete(key);
      if (this.shared.has(key) || this.defers(key)) this.ownPages().set(key, ZERO_PAGE);
      else this.pages.delete(key);
    } else if (b !== 0 || this.readablePage(key) !== undefined) {
      const page = this.writablePage(key);
      page.bytes.fill(b, page.base + offset, page.base + offset + n);
    } else {
      this.writes++;
      this.noteWrite(key); // zeros over a page that reads as zeros
    }
  }

  /**
   * Makes the page holding `address` lazy: it reads as what `init` writes into a zeroed page, and
   * `init` runs only if the page is ever read or written (it must depend on nothing but its
   * arguments, so that when it runs cannot matter). Replaces the page's contents.
   */
  lazyPage(address: bigint, init: PageInitialiser): void {
    if (this.released) throw releasedError();
    const key = address >= 0n && address < NUMBER_EXACT ? Math.floor(Number(address) / PAGE_SIZE) : Number((address & ADDRESS_MASK) >> PAGE_SHIFT);
    this.writes++;
    this.noteWrite(key);
    this.pages.delete(key);
    (this.lazy ??= new Map()).set(key, init);
  }

  /**
   * An independent copy, so that a scenario can be run many times from the same start. Copy on
   * write: this memory's pages become shared by both (neither writes a shared page in place), so
   * cloning a memory that has not been written since its last clone costs one Map.
   */
  clone(): PhysicalMemory {
    if (this.released) throw releasedError();
    this.shareOwnPages();
    const copy = new PhysicalMemory(this.map);
    copy.shared = this.shared;
    copy.deferred = this.deferred;
    if (this.lazy !== undefined && this.lazy.size > 0) copy.lazy = new Map(this.lazy);
    return copy;
  }

  /** This memory's own pages moved into `shared` (a new Map), which its clones then share. */
  private shareOwnPages(): void {
    if (this.pages.size === 0) return;
    const merged = new Map(this.shared);
    for (const [key, page] of this.pages) {
      // A cleared page over a deferred one stays in `shared` as a page of zeros.
      if (page === ZERO_PAGE && !this.defers(key)) merged.delete(key);
      else merged.set(key, page);
    }
    this.shared = merged;
    this.pages = NO_OWN_PAGES;
  }

  /**
   * Every page this memory reads from but its lazy ones, as one Map it never writes again (its
   * own pages become shared, as clone() makes them): what DeferredPages keeps of its producer.
   */
  sharedMap(): ReadonlyMap<number, Page> {
    if (this.released) throw releasedError();
    if (this.deferred !== undefined) throw new Error("internal: the pages of a memory with deferred pages asked for");
    this.shareOwnPages();
    return this.shared;
  }

  /**
   * A memory of `map` that reads as zero but for `pages`, made when it first touches one (see
   * DeferredPages); its clones share them.
   */
  static withDeferredPages(map: MemoryMap, pages: DeferredPages): PhysicalMemory {
    const memory = new PhysicalMemory(map);
    memory.deferred = pages;
    // A shared-pages object of its own (sharedPages()): no memory without these pages answers the same.
    memory.shared = new Map();
    return memory;
  }

  /** Whether page `key` is in this memory's deferred range. */
  private defers(key: number): boolean {
    const d = this.deferred;
    return d !== undefined && key >= d.from && key < d.to;
  }

  /** The page `key` reads from in `shared` or the deferred range (ZERO_PAGE: none), for a key neither own nor lazy. */
  private sharedPage(key: number): Page | undefined {
    const page = this.shared.get(key);
    if (page !== undefined) return page === ZERO_PAGE ? undefined : page;
    return this.defers(key) ? this.deferred!.pages().get(key) : undefined;
  }

  /**
   * Ends this memory's life: its own pages (those written since it was last cloned, which no
   * other memory shares) are given back for memories made later to reuse, and any later use of
   * this memory is an internal error. For a machine built for one run whose memory nothing keeps
   * afterwards (a run target's scenario machine), so that the next one's fresh vcpu page costs a
   * zeroing, not a new slab.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const page of this.pages.values()) {
      if (page !== ZERO_PAGE && freePages.length < FREE_PAGES) freePages.push(page);
    }
    this.pages = NO_OWN_PAGES;
    this.shared = NO_PAGES;
    this.lazy = undefined;
    this.deferred = undefined;
  }

  /** Called with the page number of every page a write is about to change; recording subclasses override it. */
  protected noteWrite(_page: number): void {}

  /**
   * Calls `observer` with the page number of every page read from now on (undefined: stop): AT's
   * memo (machine/at-memo.ts) learns which pages a table walk read.
   */
  observeReads(observer: ((page: number) => void) | undefined): void {
    this.readObserver = observer;
  }

  /**
   * What page `page` is read from when no write to this memory can change it in place: a page it
   * shares with its clones (never written), or NO_PAGE when it reads as zeros from no page at
   * all; undefined for a page of its own or a lazy one. Equal answers from two memories mean the
   * page reads the same in both.
   */
  stablePage(page: number): object | undefined {
    if (this.released) throw releasedError();
    if (this.pages.has(page) || (this.lazy !== undefined && this.lazy.has(page))) return undefined;
    return this.sharedPage(page) ?? NO_PAGE;
  }

  /**
   * The pages this memory shares with its clones, as one object that never changes: two memories
   * with the same answer read alike on every page neither holds of its own or lazily (ownsAnyOf).
   * A memory copied from an unwritten one shares its answer.
   */
  sharedPages(): object {
    if (this.released) throw releasedError();
    return this.shared;
  }

  /** Whether any of `pages` is a page of this memory's own or a lazy one (stablePage's undefined). */
  ownsAnyOf(pages: ReadonlySet<number>): boolean {
    if (this.released) throw releasedError();
    for (const key of this.pages.keys()) if (pages.has(key)) return true;
    if (this.lazy !== undefined) for (const key of this.lazy.keys()) if (pages.has(key)) return true;
    return false;
  }

  /** `pages`, made this memory's own Map first if it is still NO_OWN_PAGES. */
  private ownPages(): Map<number, Page> {
    if (this.pages === NO_OWN_PAGES) this.pages = new Map();
    return this.pages;
  }

  private readablePage(key: number): Page | undefined {
    if (this.released) throw releasedError();
    if (this.readObserver !== undefined) this.readObserver(key);
    const own = this.pages.get(key);
    if (own !== undefined) return own === ZERO_PAGE ? undefined : own;
    if (this.lazy !== undefined && this.lazy.has(key)) return this.materialise(key);
    return this.deferred === undefined ? this.shared.get(key) : this.sharedPage(key);
  }

  private writablePage(key: number): Page {
    if (this.released) throw releasedError();
    this.writes++;
    this.noteWrite(key);
    const own = this.pages.get(key);
    if (own !== undefined && own !== ZERO_PAGE) return own;
    if (own === undefined && this.lazy !== undefined && this.lazy.has(key)) return this.materialise(key);
    const from = own === ZERO_PAGE ? undefined : this.sharedPage(key);
    const page = from === undefined ? newPage() : copyOf(from);
    this.ownPages().set(key, page);
    return page;
  }

  /** Produces lazy page `key` into this memory's own pages. */
  private materialise(key: number): Page {
    const init = this.lazy?.get(key);
    if (init === undefined) throw new Error(`internal: page ${key} is not lazy`);
    this.lazy?.delete(key);
    const page = newPage();
    init(page.bytes.subarray(page.base, page.base + PAGE_SIZE));
    this.ownPages().set(key, page);
    return page;
  }
}

function releasedError(): Error {
  return new Error("internal: a memory was used after its release()");
}
