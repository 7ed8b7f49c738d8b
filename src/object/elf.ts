// A strict reader of ELF64 little-endian AArch64 objects (the ELF gABI and the AArch64 ELF ABI):
// the file header, section headers, string tables, the symbol table and RELA relocations. It
// reads only what faultc needs to run a function's code, and checks every offset, size and index
// it follows against the file before using it: malformed or truncated input is an ObjectError
// naming the structure and the file offset, never an exception from a typed-array read.
import { readFileSync } from "node:fs";
import { ObjectError, hex } from "./errors.ts";

export const EM_AARCH64 = 183;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_SYMTAB_SHNDX = 18;

export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

const EHDR_SIZE = 64;
/** SHT_NOBITS sections (.bss) are zeros in memory only; beyond this size they are refused, not allocated. */
const MAX_NOBITS = 64 * 1024 * 1024;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const RELA_SIZE = 24;

export type ElfType = "relocatable" | "executable" | "shared";

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  /** sh_addr: the address in a linked object, 0 in a relocatable one. */
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: number;
}

export interface ElfSymbol {
  /** Index in the symbol table. */
  readonly index: number;
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  /** The section index after SHN_XINDEX is resolved (SHN_UNDEF, SHN_ABS, SHN_COMMON stay as they are). */
  readonly shndx: number;
}

export interface ElfRelocation {
  /** r_offset: the place, relative to the target section in a relocatable object. */
  readonly offset: bigint;
  /** ELF64_R_TYPE (R_AARCH64_*). */
  readonly type: number;
  /** The symbol, or undefined for ELF64_R_SYM == 0 (no symbol: S = 0). */
  readonly symbol: ElfSymbol | undefined;
  readonly addend: bigint;
  /** The RELA section it came from and its index there, for messages. */
  readonly from: string;
  readonly entry: number;
}

export class ElfFile {
  private readonly byName = new Map<string, ElfSection[]>();
  private readonly relocationCache = new Map<number, readonly ElfRelocation[]>();

  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
    readonly type: ElfType,
    readonly sections: readonly ElfSection[],
    readonly symbols: readonly ElfSymbol[],
    private readonly relaSections: readonly ElfSection[],
  ) {
    for (const s of sections) {
      const list = this.byName.get(s.name) ?? [];
      list.push(s);
      this.byName.set(s.name, list);
    }
  }

  error(reason: string): ObjectError {
    return new ObjectError(this.file, reason);
  }

  /** The section called `name`; undefined if there is none; an error if there are several. */
  section(name: string): ElfSection | undefined {
    const list = this.byName.get(name);
    if (list === undefined) return undefined;
    if (list.length > 1) throw this.error(`${list.length} sections are named '${name}' (indices ${list.map((s) => s.index).join(", ")})`);
    return list[0];
  }

  /** A section's contents (zeros for SHT_NOBITS), as a view into the file. */
  sectionData(s: ElfSection): Uint8Array {
    if (s.type === SHT_NOBITS) {
      if (s.size > MAX_NOBITS) throw this.error(`section ${s.index} (${s.name}): ${hex(s.size)} bytes of zeros is more than the ${hex(MAX_NOBITS)} faultc materializes`);
      return new Uint8Array(s.size);
    }
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** Symbols called `name` (locals of several translation units may share one). */
  symbolsNamed(name: string): ElfSymbol[] {
    return this.symbols.filter((s) => s.name === name && s.type !== STT_SECTION && s.type !== STT_FILE);
  }

  /** The relocations that apply to `target` (from every SHT_RELA section whose sh_info names it). */
  relocationsFor(target: ElfSection): readonly ElfRelocation[] {
    const cached = this.relocationCache.get(target.index);
    if (cached !== undefined) return cached;
    const out: ElfRelocation[] = [];
    for (const rs of this.relaSections) {
      if (rs.info !== target.index) continue;
      const view = viewOf(this.bytes);
      const count = rs.size / RELA_SIZE;
      for (let i = 0; i < count; i++) {
        const at = rs.offset + i * RELA_SIZE;
        const info = view.getBigUint64(at + 8, true);
        const symIndex = Number(info >> 32n);
        if (symIndex >= this.symbols.length) {
          throw this.error(`relocation ${i} of ${rs.name} (at file offset ${hex(at)}) names symbol ${symIndex}, but the symbol table has ${this.symbols.length}`);
        }
        out.push({
          offset: view.getBigUint64(at, true),
          type: Number(info & 0xffffffffn),
          symbol: symIndex === 0 ? undefined : this.symbols[symIndex],
          addend: view.getBigInt64(at + 16, true),
          from: rs.name,
          entry: i,
        });
      }
    }
    out.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    this.relocationCache.set(target.index, out);
    return out;
  }

  /** The section a symbol is defined in, or undefined for undefined, absolute and common symbols. */
  symbolSection(sym: ElfSymbol): ElfSection | undefined {
    if (sym.shndx === SHN_UNDEF || sym.shndx >= SHN_LORESERVE) return undefined;
    return this.sections[sym.shndx];
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads and parses an object file; an unreadable file is an ObjectError too. */
export function readElfFile(file: string): ElfFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : "unreadable";
    throw new ObjectError(file, `cannot read '${file}' (${why})`);
  }
  return parseElf(bytes, file);
}

/** Parses ELF64 little-endian AArch64 bytes; `file` names the input in messages. */
export function parseElf(bytes: Uint8Array, file: string): ElfFile {
  const fail = (reason: string): never => {
    throw new ObjectError(file, reason);
  };
  const size = bytes.byteLength;
  const view = viewOf(bytes);
  if (size < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail("not an ELF file (no \\x7fELF magic at offset 0x0)");
  if (size < EHDR_SIZE) fail(`truncated ELF header: the file has ${size} bytes, an ELF64 header needs ${EHDR_SIZE}`);
  if (bytes[4] !== 2) fail(`not a 64-bit ELF file (EI_CLASS ${bytes[4]} at offset 0x4; AArch64 objects are ELFCLASS64)`);
  if (bytes[5] !== 1) fail(`not a little-endian ELF file (EI_DATA ${bytes[5]} at offset 0x5); big-endian AArch64 is not supported`);
  if (bytes[6] !== 1) fail(`unknown ELF version ${bytes[6]} (EI_VERSION at offset 0x6)`);
  const eType = view.getUint16(16, true);
  const type: ElfType | undefined = eType === 1 ? "relocatable" : eType === 2 ? "executable" : eType === 3 ? "shared" : undefined;
  if (type === undefined) fail(`unsupported ELF type ${eType} (e_type at offset 0x10; expected a relocatable, executable or shared object)`);
  const machine = view.getUint16(18, true);
  if (machine !== EM_AARCH64) fail(`not an AArch64 object (e_machine ${machine} at offset 0x12; EM_AARCH64 is ${EM_AARCH64})`);
  const shoff = safeOffset(view.getBigUint64(40, true), "e_shoff at offset 0x28", fail);
  const shentsize = view.getUint16(58, true);
  let shnum = view.getUint16(60, true);
  let shstrndx = view.getUint16(62, true);
  if (shoff === 0) fail("the object has no section headers (e_shoff is 0)");
  if (shentsize !== SHDR_SIZE) fail(`section header size ${shentsize} (e_shentsize at offset 0x3a), expected ${SHDR_SIZE}`);
  if (shoff + SHDR_SIZE > size) fail(`section header table at ${hex(shoff)} (e_shoff) lies beyond the end of the ${size}-byte file`);
  // Extended numbering (gABI): with more than SHN_LORESERVE sections, section 0 holds the real counts.
  if (shnum === 0) shnum = safeOffset(view.getBigUint64(shoff + 32, true), "section 0's sh_size (the section count)", fail);
  if (shstrndx === SHN_XINDEX) shstrndx = view.getUint32(shoff + 40, true);
  if (shoff + shnum * SHDR_SIZE > size) {
    fail(`truncated section header table: ${shnum} headers of ${SHDR_SIZE} bytes at ${hex(shoff)} end at ${hex(shoff + shnum * SHDR_SIZE)}, past the end of the ${size}-byte file`);
  }
  if (shstrndx === SHN_UNDEF || shstrndx >= shnum) fail(`section name string table index ${shstrndx} (e_shstrndx) is not one of the ${shnum} sections`);

  interface RawSection { type: number; flags: bigint; addr: bigint; offset: number; size: number; link: number; info: number; addralign: bigint; entsize: number; nameOffset: number }
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    const where = `section header ${i} (at file offset ${hex(at)})`;
    const s: RawSection = {
      nameOffset: view.getUint32(at, true),
      type: view.getUint32(at + 4, true),
      flags: view.getBigUint64(at + 8, true),
      addr: view.getBigUint64(at + 16, true),
      offset: safeOffset(view.getBigUint64(at + 24, true), `${where}: sh_offset`, fail),
      size: safeOffset(view.getBigUint64(at + 32, true), `${where}: sh_size`, fail),
      link: view.getUint32(at + 40, true),
      info: view.getUint32(at + 44, true),
      addralign: view.getBigUint64(at + 48, true),
      entsize: safeOffset(view.getBigUint64(at + 56, true), `${where}: sh_entsize`, fail),
    };
    if (i > 0 && s.type !== SHT_NOBITS && s.type !== SHT_NULL && s.offset + s.size > size) {
      fail(`${where}: its contents (${hex(s.size)} bytes at ${hex(s.offset)}) extend past the end of the ${size}-byte file`);
    }
    raw.push(s);
  }

  // Section 0 is reserved (gABI): nothing may be read through it.
  if (raw[0].type !== SHT_NULL) fail(`section 0 has type ${raw[0].type}; the reserved first section must be SHT_NULL`);
  const shstr = raw[shstrndx];
  if (shstr.type !== SHT_STRTAB) fail(`section ${shstrndx}, named by e_shstrndx, is not a string table (type ${shstr.type})`);
  const sections: ElfSection[] = raw.map((s, index) => ({
    index,
    name: index === 0 ? "" : readString(bytes, shstr, s.nameOffset, `the name of section ${index}`, fail),
    type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size,
    link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize,
  }));
  const label = (s: ElfSection) => `section ${s.index} (${s.name})`;

  // The symbol table, its string table and its extended section indices.
  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) fail(`${symtabs.length} symbol tables (sections ${symtabs.map((s) => s.index).join(", ")}); expected at most one`);
  const symbols: ElfSymbol[] = [];
  const symtab = symtabs[0];
  if (symtab !== undefined) {
    if (symtab.entsize !== SYM_SIZE) fail(`${label(symtab)}: symbol size ${symtab.entsize} (sh_entsize), expected ${SYM_SIZE}`);
    if (symtab.size % SYM_SIZE !== 0) fail(`${label(symtab)}: size ${hex(symtab.size)} is not a multiple of the ${SYM_SIZE}-byte symbol size`);
    const strtab = sections[symtab.link];
    if (strtab === undefined || strtab.type !== SHT_STRTAB) fail(`${label(symtab)}: sh_link ${symtab.link} does not name a string table`);
    const shndxSection = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index);
    const count = symtab.size / SYM_SIZE;
    if (shndxSection !== undefined && shndxSection.size < count * 4) fail(`${label(shndxSection)}: ${shndxSection.size} bytes for ${count} symbols' extended section indices`);
    for (let i = 0; i < count; i++) {
      const at = symtab.offset + i * SYM_SIZE;
      const info = bytes[at + 4];
      let shndx = view.getUint16(at + 6, true);
      if (shndx === SHN_XINDEX) {
        if (shndxSection === undefined) fail(`symbol ${i} (at file offset ${hex(at)}) has section index SHN_XINDEX but there is no SHT_SYMTAB_SHNDX section`);
        shndx = view.getUint32(shndxSection!.offset + i * 4, true);
      }
      if (shndx !== SHN_UNDEF && shndx !== SHN_ABS && shndx !== SHN_COMMON && shndx >= shnum) {
        fail(`symbol ${i} (at file offset ${hex(at)}) is defined in section ${shndx}, but there are ${shnum} sections`);
      }
      symbols.push({
        index: i,
        name: readString(bytes, strtab!, view.getUint32(at, true), `the name of symbol ${i}`, fail),
        value: view.getBigUint64(at + 8, true),
        size: view.getBigUint64(at + 16, true),
        type: info & 0xf,
        bind: info >> 4,
        shndx,
      });
    }
  }

  const relaSections: ElfSection[] = [];
  for (const s of sections) {
    if (s.type === SHT_REL) fail(`${label(s)}: SHT_REL relocations (without addends) are not used on AArch64 and are not supported`);
    if (s.type !== SHT_RELA) continue;
    if (s.entsize !== RELA_SIZE) fail(`${label(s)}: relocation entry size ${s.entsize} (sh_entsize), expected ${RELA_SIZE}`);
    if (s.size % RELA_SIZE !== 0) fail(`${label(s)}: size ${hex(s.size)} is not a multiple of the ${RELA_SIZE}-byte entry size`);
    if (symtab === undefined || s.link !== symtab.index) fail(`${label(s)}: sh_link ${s.link} does not name the symbol table`);
    if (s.info === 0 || s.info >= shnum) fail(`${label(s)}: sh_info ${s.info} does not name a section to relocate`);
    relaSections.push(s);
  }
  return new ElfFile(file, bytes, type!, sections, symbols, relaSections);
}

/** A file offset or size from a 64-bit field, as a number, or an error if it cannot be one. */
function safeOffset(v: bigint, what: string, fail: (reason: string) => never): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} is ${hex(v)}, beyond any file`);
  return Number(v);
}

/** The NUL-terminated string at `offset` in string table `table`. */
function readString(bytes: Uint8Array, table: { offset: number; size: number }, offset: number, what: string, fail: (reason: string) => never): string {
  if (offset >= table.size) fail(`${what}: string offset ${hex(offset)} is outside its string table (${hex(table.size)} bytes at ${hex(table.offset)})`);
  const start = table.offset + offset;
  const end = table.offset + table.size;
  let i = start;
  while (i < end && bytes[i] !== 0) i++;
  if (i === end) fail(`${what}: the string at file offset ${hex(start)} is not NUL-terminated within its string table`);
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(start, i));
}
