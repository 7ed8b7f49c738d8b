// An object's allocated sections placed at addresses, with relocations applied: the memory image
// a static link would give, which is what the kernel's apply_alternatives and its exception table
// see. A linked object (executable or shared) already has addresses and applied relocations, so
// its sections are taken at sh_addr as they are. A relocatable object (.o) is laid out here, in
// section-index order from address 0, each section at the next 64 KiB boundary (or its own
// alignment, if larger); every undefined symbol a relocation names gets a 16-byte slot after the
// last section, so a call or branch out of the object lands on an address that names it. Any
// layout gives the same code: every PC-relative value is recomputed from it.
import { ObjectError, hex } from "./errors.ts";
import {
  SHF_ALLOC, SHN_ABS, SHN_COMMON, SHN_UNDEF, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION,
  type ElfFile, type ElfSection, type ElfSymbol,
} from "./elf.ts";
import { RelocationProblem, applyRelocation, relocationName, type Place } from "./relocations.ts";

const SECTION_SPACING = 0x10000n;
const EXTERNAL_SLOT = 16n;

export interface PlacedSection {
  readonly section: ElfSection;
  readonly address: bigint;
  /** The section's bytes after relocation (a copy; the file's bytes are never changed). */
  readonly bytes: Uint8Array;
}

export class ObjectImage {
  readonly placed: readonly PlacedSection[];
  private readonly bySection = new Map<number, PlacedSection>();
  /** Undefined symbols, by name, to their slot address. */
  readonly externals: ReadonlyMap<string, bigint>;
  private readonly externalAt = new Map<bigint, string>();
  /** Named symbols with an address, sorted by address, for describe(). */
  private readonly located: { address: bigint; size: bigint; name: string; sized: boolean }[];

  constructor(readonly elf: ElfFile) {
    const relocatable = elf.type === "relocatable";
    const placed: PlacedSection[] = [];
    let next = 0n;
    for (const s of elf.sections) {
      if ((s.flags & SHF_ALLOC) === 0n) continue;
      let address = s.addr;
      if (relocatable) {
        const align = s.addralign > SECTION_SPACING ? s.addralign : SECTION_SPACING;
        address = ((next + align - 1n) / align) * align;
        next = address + BigInt(s.size);
      }
      const p: PlacedSection = { section: s, address, bytes: elf.sectionData(s).slice() };
      placed.push(p);
      this.bySection.set(s.index, p);
    }
    this.placed = placed;

    const externals = new Map<string, bigint>();
    let slot = ((next + SECTION_SPACING - 1n) / SECTION_SPACING) * SECTION_SPACING;
    if (relocatable) {
      for (const sym of elf.symbols) {
        if (sym.index === 0 || sym.shndx !== SHN_UNDEF || sym.name === "" || externals.has(sym.name)) continue;
        externals.set(sym.name, slot);
        this.externalAt.set(slot, sym.name);
        slot += EXTERNAL_SLOT;
      }
    }
    this.externals = externals;

    this.located = [];
    for (const sym of elf.symbols) {
      if (sym.index === 0 || sym.name === "" || sym.type === STT_SECTION || sym.type === STT_FILE) continue;
      if (sym.shndx === SHN_UNDEF || sym.shndx === SHN_COMMON) continue;
      // Mapping symbols ($x, $d) mark code and data for disassemblers; they are not names.
      if (sym.name.startsWith("$")) continue;
      if (sym.shndx !== SHN_ABS && !this.bySection.has(sym.shndx)) continue;
      this.located.push({
        address: this.symbolAddress(sym),
        size: sym.size,
        name: sym.name,
        sized: (sym.type === STT_FUNC || sym.type === STT_OBJECT) && sym.size > 0n,
      });
    }
    this.located.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    if (relocatable) for (const p of placed) this.relocate(p);
  }

  private error(reason: string): ObjectError {
    return this.elf.error(reason);
  }

  /** Where a section was placed; undefined for sections that are not allocated. */
  placedSection(s: ElfSection): PlacedSection | undefined {
    return this.bySection.get(s.index);
  }

  /** The address of a symbol (S in the ABI's formulas). */
  symbolAddress(sym: ElfSymbol): bigint {
    if (sym.shndx === SHN_ABS) return sym.value;
    if (sym.shndx === SHN_COMMON) throw this.error(`symbol '${sym.name}' is a common symbol; it has no address before linking`);
    if (sym.shndx === SHN_UNDEF) {
      const slot = this.externals.get(sym.name);
      if (slot === undefined) throw this.error(`symbol '${sym.name || `#${sym.index}`}' is undefined`);
      return slot;
    }
    const p = this.bySection.get(sym.shndx);
    if (p === undefined) throw this.error(`symbol '${sym.name || `#${sym.index}`}' is in section ${sym.shndx} (${this.elf.sections[sym.shndx]?.name}), which is not loaded (not SHF_ALLOC)`);
    return this.elf.type === "relocatable" ? p.address + sym.value : sym.value;
  }

  /** The placed section holding [address, address + length), if one does. */
  sectionAt(address: bigint, length = 1): PlacedSection | undefined {
    return this.placed.find((p) => address >= p.address && address + BigInt(length) <= p.address + BigInt(p.section.size));
  }

  /** The little-endian 32-bit word at `address`, or undefined outside every section. */
  word(address: bigint): number | undefined {
    const p = this.sectionAt(address, 4);
    if (p === undefined) return undefined;
    const at = Number(address - p.address);
    return (p.bytes[at] | (p.bytes[at + 1] << 8) | (p.bytes[at + 2] << 16) | (p.bytes[at + 3] << 24)) >>> 0;
  }

  /** The undefined symbol whose slot is `address`. */
  externalNamed(address: bigint): string | undefined {
    return this.externalAt.get(address);
  }

  /**
   * An address as people read it: `symbol` or `symbol+0xoff`, from a symbol exactly there, else
   * the sized symbol (function or object) that covers it, else the nearest symbol before it in the
   * same section, else `section+0xoff`; an external slot is its symbol's name; anything else is hex.
   */
  describe(address: bigint): string {
    const ext = this.externalAt.get(address);
    if (ext !== undefined) return ext;
    const p = this.sectionAt(address);
    let exact: { address: bigint; name: string; sized: boolean } | undefined;
    let cover: { address: bigint; name: string } | undefined;
    let before: { address: bigint; name: string } | undefined;
    for (const l of this.located) {
      if (l.address > address) break;
      if (l.address === address && (exact === undefined || (l.sized && !exact.sized))) exact = l;
      if (l.sized && address < l.address + l.size) cover = l;
      if (!l.sized && p !== undefined && l.address >= p.address) before = l;
    }
    // A symbol exactly there (an absolute one too, such as a linker-defined routine) names it best.
    const best = exact ?? cover ?? before;
    if (best !== undefined) return offsetName(best.name, address - best.address);
    if (p !== undefined) return offsetName(p.section.name, address - p.address);
    return hex(address);
  }

  private relocate(p: PlacedSection): void {
    const view = new DataView(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
    for (const r of this.elf.relocationsFor(p.section)) {
      const where = `${p.section.name}+${hex(r.offset)} (${relocationName(r.type)}, entry ${r.entry} of ${r.from})`;
      const width = r.type === 257 || r.type === 260 ? 8 : r.type === 259 || r.type === 262 ? 2 : 4;
      if (r.offset + BigInt(width) > BigInt(p.section.size)) throw this.error(`relocation at ${where} lies outside its ${hex(p.section.size)}-byte section`);
      const at = Number(r.offset);
      const place: Place = {
        read32: () => view.getUint32(at, true),
        write32: (v) => view.setUint32(at, v >>> 0, true),
        write: (bytes, v) => {
          if (bytes === 2) view.setUint16(at, Number(v), true);
          else if (bytes === 4) view.setUint32(at, Number(v), true);
          else view.setBigUint64(at, v, true);
        },
      };
      const s = r.symbol === undefined ? 0n : this.symbolAddress(r.symbol);
      try {
        applyRelocation({ type: r.type, s, a: r.addend, p: p.address + r.offset }, place);
      } catch (e) {
        if (e instanceof RelocationProblem) throw this.error(`relocation at ${where} against '${r.symbol?.name || "(no symbol)"}': ${e.message}`);
        throw e;
      }
    }
  }
}

function offsetName(name: string, offset: bigint): string {
  return offset === 0n ? name : `${name}+${hex(offset)}`;
}
