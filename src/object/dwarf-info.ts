// A strict reader of DWARF debugging information entries (DWARF 2 to 5: .debug_info, the
// DWARF 4 .debug_types, their .debug_abbrev, and the strings of .debug_str, .debug_line_str and
// .debug_str_offsets), for the struct layouts a binding is checked against. In a relocatable
// object the offsets into the string sections are RELA relocations against those sections, and
// their places hold zeros, so every section read is relocated first (each debug section at
// address 0). Compressed sections (SHF_COMPRESSED, as CONFIG_DEBUG_INFO_COMPRESSED makes them)
// are inflated. Every offset, length, form and reference is checked before it is followed:
// malformed input is an ObjectError naming the section and offset, never another exception.
import { inflateSync } from "node:zlib";
import * as zlib from "node:zlib";
import { SHN_UNDEF, SHT_NOBITS, type ElfFile, type ElfRelocation, type ElfSection } from "./elf.ts";
import { ObjectError, hex } from "./errors.ts";
import { R_AARCH64_ABS32, R_AARCH64_ABS64, R_AARCH64_NONE, R_AARCH64_NONE_COMPAT, RelocationProblem, applyRelocation, relocationName, type Place } from "./relocations.ts";

export const DW_TAG_array_type = 0x01;
export const DW_TAG_class_type = 0x02;
export const DW_TAG_enumeration_type = 0x04;
export const DW_TAG_lexical_block = 0x0b;
export const DW_TAG_member = 0x0d;
export const DW_TAG_pointer_type = 0x0f;
export const DW_TAG_reference_type = 0x10;
export const DW_TAG_structure_type = 0x13;
export const DW_TAG_typedef = 0x16;
export const DW_TAG_union_type = 0x17;
export const DW_TAG_ptr_to_member_type = 0x1f;
export const DW_TAG_subrange_type = 0x21;
export const DW_TAG_base_type = 0x24;
export const DW_TAG_const_type = 0x26;
export const DW_TAG_packed_type = 0x2d;
export const DW_TAG_subprogram = 0x2e;
export const DW_TAG_volatile_type = 0x35;
export const DW_TAG_restrict_type = 0x37;
export const DW_TAG_shared_type = 0x40;
export const DW_TAG_rvalue_reference_type = 0x42;
export const DW_TAG_atomic_type = 0x47;
export const DW_TAG_immutable_type = 0x4b;

export const DW_AT_name = 0x03;
export const DW_AT_byte_size = 0x0b;
export const DW_AT_bit_offset = 0x0c;
export const DW_AT_bit_size = 0x0d;
export const DW_AT_lower_bound = 0x22;
export const DW_AT_upper_bound = 0x2f;
export const DW_AT_count = 0x37;
export const DW_AT_data_member_location = 0x38;
export const DW_AT_declaration = 0x3c;
export const DW_AT_specification = 0x47;
export const DW_AT_type = 0x49;
export const DW_AT_signature = 0x69;
export const DW_AT_data_bit_offset = 0x6b;
export const DW_AT_str_offsets_base = 0x72;

const TAG_NAMES: Record<number, string> = {
  0x01: "array_type", 0x02: "class_type", 0x04: "enumeration_type", 0x0b: "lexical_block", 0x0d: "member",
  0x0f: "pointer_type", 0x10: "reference_type", 0x11: "compile_unit", 0x13: "structure_type", 0x15: "subroutine_type",
  0x16: "typedef", 0x17: "union_type", 0x1f: "ptr_to_member_type", 0x21: "subrange_type", 0x24: "base_type",
  0x26: "const_type", 0x2d: "packed_type", 0x2e: "subprogram", 0x34: "variable", 0x35: "volatile_type",
  0x37: "restrict_type", 0x3b: "unspecified_type", 0x40: "shared_type", 0x41: "type_unit", 0x42: "rvalue_reference_type",
  0x47: "atomic_type", 0x4b: "immutable_type",
};

export function tagName(tag: number): string {
  const n = TAG_NAMES[tag];
  return n === undefined ? `DW_TAG ${hex(tag)}` : `DW_TAG_${n}`;
}

// Attribute forms (DWARF 5 section 7.5.6, and the GNU extensions gcc emits).
const F = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11,
  ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18,
  flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c, strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f,
  ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26,
  strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;
const KNOWN_FORMS = new Set<number>(Object.values(F));

/** An attribute's value, by its form's class. Strings are read when asked for (strx needs the unit's base). */
export type DwarfValue =
  | { readonly kind: "constant"; readonly value: bigint; readonly form: number }
  | { readonly kind: "flag"; readonly value: boolean }
  | { readonly kind: "string"; readonly text: string }
  | { readonly kind: "strp"; readonly section: ".debug_str" | ".debug_line_str"; readonly offset: number }
  | { readonly kind: "strx"; readonly index: number }
  | { readonly kind: "reference"; readonly section: string; readonly offset: number }
  | { readonly kind: "signature"; readonly value: bigint }
  | { readonly kind: "block"; readonly bytes: Uint8Array; readonly form: number }
  | { readonly kind: "address" | "offset" | "index"; readonly value: bigint; readonly form: number }
  /** A form that points into a supplementary object file (dwz), which faultc does not read. */
  | { readonly kind: "supplementary"; readonly form: number };

export interface DwarfUnit {
  /** Its section: .debug_info or .debug_types, with the section index if several have the name. */
  readonly section: string;
  readonly offset: number;
  readonly version: number;
  readonly offsetSize: 4 | 8;
  readonly addressSize: number;
  /** The type signature of a type unit. */
  readonly signature?: bigint;
  /** Section offset of a type unit's type entry. */
  readonly typeOffset?: number;
  root: DwarfDie | undefined;
}

export interface DwarfDie {
  readonly unit: DwarfUnit;
  /** Offset in the unit's section. */
  readonly offset: number;
  readonly tag: number;
  readonly attributes: ReadonlyMap<number, DwarfValue>;
  readonly children: DwarfDie[];
  readonly parent: DwarfDie | undefined;
}

interface Abbreviation {
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly specs: readonly { at: number; form: number; implicit?: bigint }[];
}

const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const SHF_COMPRESSED = 0x800n;
const CHDR_SIZE = 24;

/** Bounds-checked little-endian reads over [pos, end) of a section. */
class Cursor {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly section: string,
    public pos: number,
    public end: number,
    private readonly fail: (reason: string) => never,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) this.fail(`${this.section}+${hex(at)}: ${what} (${n} bytes) runs past the end of ${this.end === this.bytes.byteLength ? "the section" : `its unit at ${hex(this.end)}`}`);
    this.pos += n;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.need(1, what)];
  }

  u16(what: string): number {
    return this.view.getUint16(this.need(2, what), true);
  }

  u32(what: string): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  u64(what: string): bigint {
    return this.view.getBigUint64(this.need(8, what), true);
  }

  /** An unsigned value of `size` bytes (1, 2, 3, 4 or 8). */
  unsigned(size: number, what: string): bigint {
    if (size === 8) return this.u64(what);
    const at = this.need(size, what);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i]);
    return v;
  }

  uleb(what: string): bigint {
    return this.leb(false, what);
  }

  sleb(what: string): bigint {
    return this.leb(true, what);
  }

  /** LEB128 (DWARF 5 section 7.6): 7 bits a byte, low first; a signed one extends bit 6 of its last byte. */
  private leb(signed: boolean, what: string): bigint {
    const start = this.pos;
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (shift > 63n) this.fail(`${this.section}+${hex(start)}: ${what} is a LEB128 number longer than 64 bits`);
      const b = this.u8(what);
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return signed && (b & 0x40) !== 0 ? v - (1n << (shift + 7n)) : v;
    }
  }

  /** A ULEB128 that must fit a JS number (codes, lengths, indices). */
  ulebNumber(what: string): number {
    const at = this.pos;
    return this.number(this.uleb(what), what, at);
  }

  number(v: bigint, what: string, at: number): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${this.section}+${hex(at)}: ${what} ${hex(v)} is too large`);
    return Number(v);
  }

  bytesOf(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.bytes.subarray(at, at + n);
  }

  cstring(what: string): string {
    const start = this.pos;
    let i = start;
    while (i < this.end && this.bytes[i] !== 0) i++;
    if (i >= this.end) this.fail(`${this.section}+${hex(start)}: ${what} is not NUL-terminated`);
    this.pos = i + 1;
    return new TextDecoder("utf-8").decode(this.bytes.subarray(start, i));
  }
}

function relocationWhere(s: ElfSection, r: ElfRelocation): string {
  return `${s.name}+${hex(r.offset)} (${relocationName(r.type)}, entry ${r.entry} of ${r.from})`;
}

function blockOf(c: Cursor, length: number, form: number): DwarfValue {
  return { kind: "block", bytes: c.bytesOf(length, "a block"), form };
}

/** A unit-relative reference (DW_FORM_ref1 ... ref_udata) as an offset in the unit's section. */
function refOf(c: Cursor, unit: DwarfUnit, v: bigint, at: number): DwarfValue {
  return { kind: "reference", section: unit.section, offset: unit.offset + c.number(v, "a reference", at) };
}

/** All the debugging information entries of an object, with the lookups that follow references. */
export class DwarfInfo {
  readonly units: DwarfUnit[] = [];
  private readonly dies = new Map<string, Map<number, DwarfDie>>();
  private readonly typeUnits = new Map<bigint, DwarfUnit>();
  private readonly sections = new Map<string, Uint8Array | undefined>();
  private readonly abbrevTables = new Map<number, Map<number, Abbreviation>>();
  private readonly strings = new Map<string, string>();

  private constructor(readonly elf: ElfFile) {}

  /** The entries of `elf`, or undefined when it has no .debug_info or .debug_types at all. */
  static read(elf: ElfFile): DwarfInfo | undefined {
    const info = new DwarfInfo(elf);
    // gcc -fdebug-types-section puts each type unit in a COMDAT group of its own section, so
    // there may be several sections of each name; a unit's section is named by its index then.
    const present = elf.sections.filter((s) => s.name === ".debug_info" || s.name === ".debug_types");
    if (present.length === 0) {
      if (elf.section(".zdebug_info") !== undefined) throw elf.error("its DWARF is in .zdebug_info (the old GNU compressed-section format, gcc -gz=zlib-gnu), which faultc does not read; compile with -gz=zlib or without -gz");
      return undefined;
    }
    for (const s of present) {
      const label = present.filter((t) => t.name === s.name).length > 1 ? `${s.name}[${s.index}]` : s.name;
      info.readUnits(s, label);
    }
    for (const u of info.units) {
      if (u.signature === undefined) continue;
      if (info.typeUnits.has(u.signature)) throw elf.error(`two type units have the signature ${hex(u.signature)} (${u.section}+${hex(info.typeUnits.get(u.signature)!.offset)} and ${u.section}+${hex(u.offset)})`);
      info.typeUnits.set(u.signature, u);
    }
    return info;
  }

  error(reason: string): ObjectError {
    return this.elf.error(reason);
  }

  private fail = (reason: string): never => {
    throw this.error(reason);
  };

  /** A debug section's bytes, decompressed and relocated; undefined if the object has none. */
  section(name: string): Uint8Array | undefined {
    if (this.sections.has(name)) return this.sections.get(name);
    const s = this.elf.section(name);
    const bytes = s === undefined ? undefined : this.load(s);
    this.sections.set(name, bytes);
    return bytes;
  }

  private load(s: ElfSection): Uint8Array {
    if (s.type === SHT_NOBITS) this.fail(`section ${s.index} (${s.name}) has no contents in the file (SHT_NOBITS: the debugging information was stripped into another file)`);
    let bytes = this.elf.sectionData(s);
    if ((s.flags & SHF_COMPRESSED) !== 0n) bytes = this.decompress(s, bytes);
    else bytes = bytes.slice();
    if (this.elf.type === "relocatable") this.relocate(s, bytes);
    return bytes;
  }

  private decompress(s: ElfSection, bytes: Uint8Array): Uint8Array {
    const where = `section ${s.index} (${s.name})`;
    if (bytes.byteLength < CHDR_SIZE) this.fail(`${where} is compressed (SHF_COMPRESSED) but its ${bytes.byteLength} bytes cannot hold the ${CHDR_SIZE}-byte compression header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const type = view.getUint32(0, true);
    const size = view.getBigUint64(8, true);
    if (size > 1n << 31n) this.fail(`${where}: its compression header gives an uncompressed size of ${hex(size)} bytes, more than faultc reads`);
    const body = bytes.subarray(CHDR_SIZE);
    let out: Uint8Array;
    try {
      if (type === ELFCOMPRESS_ZLIB) out = inflateSync(body, { maxOutputLength: Number(size) + 1 });
      else if (type === ELFCOMPRESS_ZSTD) {
        const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o?: object) => Uint8Array }).zstdDecompressSync;
        if (zstd === undefined) this.fail(`${where} is compressed with zstd (ELFCOMPRESS_ZSTD), which this Node.js (${process.version}) cannot decompress; rebuild with CONFIG_DEBUG_INFO_COMPRESSED_ZLIB or without compression`);
        out = zstd!(body, { maxOutputLength: Number(size) + 1 });
      } else return this.fail(`${where}: unknown compression type ${type} (ch_type)`);
    } catch (e) {
      if (e instanceof ObjectError) throw e;
      return this.fail(`${where}: its compressed contents do not decompress (${e instanceof Error ? e.message : String(e)})`);
    }
    if (BigInt(out.byteLength) !== size) this.fail(`${where}: decompresses to ${hex(out.byteLength)} bytes, but its compression header says ${hex(size)}`);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  /**
   * Applies the RELA relocations of a debug section. Debug sections refer to each other by
   * offset (ABS32, or ABS64 in 64-bit DWARF) against a section symbol, so each section counts as
   * placed at 0; an address (DW_AT_low_pc) comes out section-relative, which nothing here reads.
   */
  private relocate(s: ElfSection, bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // One place, moved from relocation to relocation (a kernel object's .debug_info has ~15000).
    let at = 0;
    const place: Place = {
      read32: () => view.getUint32(at, true),
      write32: (v) => view.setUint32(at, v >>> 0, true),
      write: (n, v) => (n === 8 ? view.setBigUint64(at, v, true) : view.setUint32(at, Number(v), true)),
    };
    for (const r of this.elf.relocationsFor(s)) {
      if (r.type === R_AARCH64_NONE || r.type === R_AARCH64_NONE_COMPAT) continue;
      if (r.type !== R_AARCH64_ABS32 && r.type !== R_AARCH64_ABS64) this.fail(`relocation at ${relocationWhere(s, r)}: debugging information is relocated by R_AARCH64_ABS32 and R_AARCH64_ABS64 only`);
      const width = r.type === R_AARCH64_ABS64 ? 8 : 4;
      if (r.offset + BigInt(width) > BigInt(bytes.byteLength)) this.fail(`relocation at ${relocationWhere(s, r)} lies outside its ${hex(bytes.byteLength)}-byte section`);
      at = Number(r.offset);
      const sym = r.symbol;
      // S: a section symbol's value is 0 (its section is at 0), a symbol's is its section offset.
      const value = sym === undefined || sym.shndx === SHN_UNDEF ? 0n : sym.value;
      try {
        applyRelocation({ type: r.type, s: value, a: r.addend, p: r.offset }, place);
      } catch (e) {
        if (e instanceof RelocationProblem) this.fail(`relocation at ${relocationWhere(s, r)} against '${sym?.name || "(no symbol)"}': ${e.message}`);
        throw e;
      }
    }
  }

  /** The units of one section, `name` being how messages call it. */
  private readUnits(s: ElfSection, name: string): void {
    const bytes = this.load(s);
    const types = s.name === ".debug_types";
    const dies = new Map<number, DwarfDie>();
    this.dies.set(name, dies);
    const c = new Cursor(bytes, name, 0, bytes.byteLength, this.fail);
    while (c.pos < bytes.byteLength) {
      const offset = c.pos;
      let length: number = c.u32("the unit length");
      let offsetSize: 4 | 8 = 4;
      if (length === 0xffffffff) {
        offsetSize = 8;
        length = c.number(c.u64("the 64-bit unit length"), "the unit length", offset);
      } else if (length >= 0xfffffff0) this.fail(`${name}+${hex(offset)}: unit length ${hex(length)} is a reserved value`);
      const end = c.pos + length;
      if (end > bytes.byteLength) this.fail(`${name}+${hex(offset)}: the unit's ${hex(length)} bytes run past the end of the ${hex(bytes.byteLength)}-byte section`);
      c.end = end;
      const version = c.u16("the unit version");
      if (version < 2 || version > 5) this.fail(`${name}+${hex(offset)}: DWARF version ${version} is not one faultc reads (2 to 5)`);
      if (types && version !== 4) this.fail(`${name}+${hex(offset)}: a .debug_types unit of DWARF version ${version} (the section exists in DWARF 4 only)`);
      let abbrevOffset: bigint;
      let addressSize: number;
      let signature: bigint | undefined;
      let typeOffset: number | undefined;
      if (version === 5) {
        const unitType = c.u8("the unit type");
        addressSize = c.u8("the address size");
        abbrevOffset = c.unsigned(offsetSize, "the abbreviation offset");
        if (unitType === 4 || unitType === 5) c.u64("the unit's DWO id");
        else if (unitType === 2 || unitType === 6) {
          signature = c.u64("the type signature");
          typeOffset = c.number(c.unsigned(offsetSize, "the type offset"), "the type offset", c.pos);
        } else if (unitType !== 1 && unitType !== 3) this.fail(`${name}+${hex(offset)}: unknown unit type ${hex(unitType)}`);
      } else {
        abbrevOffset = c.unsigned(offsetSize, "the abbreviation offset");
        addressSize = c.u8("the address size");
        if (types) {
          signature = c.u64("the type signature");
          typeOffset = c.number(c.unsigned(offsetSize, "the type offset"), "the type offset", c.pos);
        }
      }
      if (addressSize !== 4 && addressSize !== 8) this.fail(`${name}+${hex(offset)}: address size ${addressSize} (an AArch64 object has 8, or 4 for ILP32)`);
      const unit: DwarfUnit = {
        section: name, offset, version, offsetSize, addressSize, root: undefined,
        ...(signature !== undefined ? { signature, typeOffset: offset + typeOffset! } : {}),
      };
      this.units.push(unit);
      this.readEntries(c, unit, this.abbreviations(abbrevOffset, `${name}+${hex(offset)}`), dies);
      if (unit.typeOffset !== undefined && dies.get(unit.typeOffset)?.unit !== unit) {
        this.fail(`${name}+${hex(offset)}: the type unit's type offset ${hex(unit.typeOffset - offset)} is not an entry of the unit`);
      }
      c.pos = end;
      c.end = bytes.byteLength;
    }
  }

  private abbreviations(offset: bigint, unitWhere: string): Map<number, Abbreviation> {
    const at = Number(offset);
    const cached = this.abbrevTables.get(at);
    if (cached !== undefined) return cached;
    const bytes = this.section(".debug_abbrev");
    if (bytes === undefined) this.fail(`${unitWhere}: the unit's abbreviations are in .debug_abbrev, which the object lacks`);
    if (offset >= BigInt(bytes!.byteLength)) this.fail(`${unitWhere}: abbreviation offset ${hex(offset)} lies past the end of the ${hex(bytes!.byteLength)}-byte .debug_abbrev`);
    const c = new Cursor(bytes!, ".debug_abbrev", at, bytes!.byteLength, this.fail);
    const table = new Map<number, Abbreviation>();
    for (;;) {
      const entry = c.pos;
      const code = c.ulebNumber("an abbreviation code");
      if (code === 0) break;
      if (table.has(code)) this.fail(`.debug_abbrev+${hex(entry)}: abbreviation code ${code} is defined twice in the table at ${hex(at)}`);
      const tag = c.ulebNumber("an abbreviation's tag");
      const children = c.u8("an abbreviation's children flag");
      if (children > 1) this.fail(`.debug_abbrev+${hex(c.pos - 1)}: children flag ${children} (DW_CHILDREN_no is 0, DW_CHILDREN_yes 1)`);
      const specs: { at: number; form: number; implicit?: bigint }[] = [];
      for (;;) {
        const specAt = c.pos;
        const attr = c.ulebNumber("an attribute name");
        const form = c.ulebNumber("an attribute form");
        if (attr === 0 && form === 0) break;
        if (attr === 0 || !KNOWN_FORMS.has(form)) {
          this.fail(`.debug_abbrev+${hex(specAt)}: ${attr === 0 ? `attribute 0 with form ${hex(form)}` : `unknown attribute form ${hex(form)} (of attribute ${hex(attr)})`} in abbreviation ${code}`);
        }
        specs.push(form === F.implicit_const ? { at: attr, form, implicit: c.sleb("an implicit constant") } : { at: attr, form });
      }
      table.set(code, { tag, hasChildren: children === 1, specs });
    }
    this.abbrevTables.set(at, table);
    return table;
  }

  private readEntries(c: Cursor, unit: DwarfUnit, abbrevs: Map<number, Abbreviation>, dies: Map<number, DwarfDie>): void {
    const where = (at: number) => `${unit.section}+${hex(at)}`;
    let parent: DwarfDie | undefined;
    let topLevel = 0;
    while (c.pos < c.end) {
      const offset = c.pos;
      const code = c.ulebNumber("an entry's abbreviation code");
      if (code === 0) {
        // A null entry ends a list of siblings; at the top level it is padding.
        parent = parent?.parent;
        continue;
      }
      const abbrev = abbrevs.get(code);
      if (abbrev === undefined) this.fail(`${where(offset)}: abbreviation code ${code} is not in the unit's abbreviation table`);
      if (parent === undefined && topLevel++ > 0) this.fail(`${where(offset)}: a second top-level entry in the unit at ${hex(unit.offset)} (a unit has one root entry)`);
      const attributes = new Map<number, DwarfValue>();
      for (const spec of abbrev!.specs) {
        const value = this.readValue(c, unit, spec.form, spec.implicit, 0);
        // DWARF allows an attribute once per entry; the first is kept if a producer repeats one.
        if (!attributes.has(spec.at)) attributes.set(spec.at, value);
      }
      const die: DwarfDie = { unit, offset, tag: abbrev!.tag, attributes, children: [], parent };
      dies.set(offset, die);
      if (parent === undefined) unit.root = die;
      else parent.children.push(die);
      if (abbrev!.hasChildren) parent = die;
    }
    if (unit.root === undefined) this.fail(`${where(unit.offset)}: the unit has no entries`);
  }

  // No closures here: this runs for every attribute (tens of thousands in a kernel object).
  private readValue(c: Cursor, unit: DwarfUnit, form: number, implicit: bigint | undefined, depth: number): DwarfValue {
    const at = c.pos;
    switch (form) {
      case F.addr: return { kind: "address", value: c.unsigned(unit.addressSize, "an address"), form };
      case F.block1: return blockOf(c, c.u8("a block length"), form);
      case F.block2: return blockOf(c, c.u16("a block length"), form);
      case F.block4: return blockOf(c, c.u32("a block length"), form);
      case F.block: case F.exprloc: return blockOf(c, c.ulebNumber("a block length"), form);
      case F.data1: return { kind: "constant", value: BigInt(c.u8("a constant")), form };
      case F.data2: return { kind: "constant", value: BigInt(c.u16("a constant")), form };
      case F.data4: return { kind: "constant", value: BigInt(c.u32("a constant")), form };
      case F.data8: return { kind: "constant", value: c.u64("a constant"), form };
      case F.data16: return blockOf(c, 16, form);
      case F.sdata: return { kind: "constant", value: c.sleb("a constant"), form };
      case F.udata: return { kind: "constant", value: c.uleb("a constant"), form };
      case F.implicit_const: return { kind: "constant", value: implicit!, form };
      case F.string: return { kind: "string", text: c.cstring("an inline string") };
      case F.strp: return { kind: "strp", section: ".debug_str", offset: c.number(c.unsigned(unit.offsetSize, "a string offset"), "a string offset", at) };
      case F.line_strp: return { kind: "strp", section: ".debug_line_str", offset: c.number(c.unsigned(unit.offsetSize, "a string offset"), "a string offset", at) };
      case F.strx: case F.GNU_str_index: return { kind: "strx", index: c.ulebNumber("a string index") };
      case F.strx1: case F.strx2: case F.strx3: case F.strx4:
        return { kind: "strx", index: Number(c.unsigned(form - F.strx1 + 1, "a string index")) };
      case F.flag: return { kind: "flag", value: c.u8("a flag") !== 0 };
      case F.flag_present: return { kind: "flag", value: true };
      case F.ref1: return refOf(c, unit, c.unsigned(1, "a reference"), at);
      case F.ref2: return refOf(c, unit, c.unsigned(2, "a reference"), at);
      case F.ref4: return refOf(c, unit, c.unsigned(4, "a reference"), at);
      case F.ref8: return refOf(c, unit, c.u64("a reference"), at);
      case F.ref_udata: return refOf(c, unit, c.uleb("a reference"), at);
      case F.ref_addr: {
        const v = c.unsigned(unit.version === 2 ? unit.addressSize : unit.offsetSize, "a reference");
        // An offset from the start of .debug_info; in an object with several (type units in
        // COMDAT groups), that of the unit's own section.
        return { kind: "reference", section: unit.section, offset: c.number(v, "a reference", at) };
      }
      case F.ref_sig8: return { kind: "signature", value: c.u64("a type signature") };
      case F.sec_offset: return { kind: "offset", value: c.unsigned(unit.offsetSize, "a section offset"), form };
      case F.addrx: case F.GNU_addr_index: case F.loclistx: case F.rnglistx: return { kind: "index", value: c.uleb("an index"), form };
      case F.addrx1: case F.addrx2: case F.addrx3: case F.addrx4:
        return { kind: "index", value: c.unsigned(form - F.addrx1 + 1, "an index"), form };
      case F.ref_sup4: c.u32("a supplementary reference"); return { kind: "supplementary", form };
      case F.ref_sup8: c.u64("a supplementary reference"); return { kind: "supplementary", form };
      case F.strp_sup: case F.GNU_ref_alt: case F.GNU_strp_alt:
        c.unsigned(unit.offsetSize, "a supplementary offset");
        return { kind: "supplementary", form };
      case F.indirect: {
        const actual = c.ulebNumber("an indirect form");
        if (depth > 0 || actual === F.indirect || actual === F.implicit_const || !KNOWN_FORMS.has(actual)) {
          this.fail(`${unit.section}+${hex(at)}: DW_FORM_indirect names form ${hex(actual)}, which cannot be given that way`);
        }
        return this.readValue(c, unit, actual, undefined, depth + 1);
      }
      default:
        return this.fail(`${unit.section}+${hex(at)}: unknown attribute form ${hex(form)}`);
    }
  }

  /** Every entry, unit by unit, in file order. */
  *entries(): Generator<DwarfDie> {
    for (const dies of this.dies.values()) yield* dies.values();
  }

  /**
   * The value of a location expression over a containing object at offset 0, as a member's
   * DW_AT_data_member_location block has it (DW_OP_plus_uconst N, or constants and DW_OP_plus):
   * the offset it describes. Any other operation is an error naming it.
   */
  offsetExpression(die: DwarfDie, bytes: Uint8Array, what: string): bigint {
    const c = new Cursor(bytes, `${what} of ${this.where(die)}`, 0, bytes.byteLength, this.fail);
    const stack: bigint[] = [0n];
    const pop = (op: string): bigint => {
      if (stack.length === 0) this.fail(`${this.where(die)}: ${what}: ${op} finds the expression stack empty`);
      return stack.pop()!;
    };
    const signed = (v: bigint, bits: bigint) => (v >= 1n << (bits - 1n) ? v - (1n << bits) : v);
    while (c.pos < c.end) {
      const op = c.u8("an operation");
      if (op >= 0x30 && op <= 0x4f) stack.push(BigInt(op - 0x30)); // DW_OP_lit<n>
      else if (op === 0x23) stack.push(pop("DW_OP_plus_uconst") + c.uleb("DW_OP_plus_uconst's operand"));
      else if (op === 0x22) stack.push(pop("DW_OP_plus") + pop("DW_OP_plus"));
      else if (op === 0x1c) {
        const b = pop("DW_OP_minus");
        stack.push(pop("DW_OP_minus") - b);
      } else if (op >= 0x08 && op <= 0x0f) {
        // DW_OP_const1u, const1s, const2u, const2s, const4u, const4s, const8u, const8s.
        const size = 1 << ((op - 0x08) >> 1);
        const v = c.unsigned(size, "a constant operand");
        stack.push((op & 1) === 1 ? signed(v, BigInt(size * 8)) : v);
      } else if (op === 0x10) stack.push(c.uleb("DW_OP_constu's operand"));
      else if (op === 0x11) stack.push(c.sleb("DW_OP_consts's operand"));
      else this.fail(`${this.where(die)}: ${what} uses DW_OP ${hex(op)}, which faultc does not evaluate (a member's offset is a constant, DW_OP_plus_uconst, or constants added)`);
    }
    return pop("the end of the expression");
  }

  /** Where an entry is, for messages: `.debug_info+0x1234`. */
  where(die: DwarfDie): string {
    return `${die.unit.section}+${hex(die.offset)}`;
  }

  /** The entry a reference or type signature attribute names; an error if there is none. */
  target(from: DwarfDie, attribute: number, what: string): DwarfDie {
    const v = from.attributes.get(attribute)!;
    if (v.kind === "reference") {
      const d = this.dies.get(v.section)?.get(v.offset);
      if (d === undefined) this.fail(`${this.where(from)}: ${what} refers to ${v.section}+${hex(v.offset)}, which is not the start of an entry`);
      return d!;
    }
    if (v.kind === "signature") {
      const u = this.typeUnits.get(v.value);
      if (u === undefined) this.fail(`${this.where(from)}: ${what} names type signature ${hex(v.value)}, which no type unit in the object has`);
      return this.dies.get(u!.section)!.get(u!.typeOffset!)!;
    }
    if (v.kind === "supplementary") this.fail(`${this.where(from)}: ${what} refers into a supplementary object file (dwz), which faultc does not read`);
    return this.fail(`${this.where(from)}: ${what} is not a reference (it has form class ${v.kind})`);
  }

  /** The text of a string attribute; an error for any other class or a bad offset. */
  string(die: DwarfDie, attribute: number, what: string): string {
    const v = die.attributes.get(attribute)!;
    switch (v.kind) {
      case "string":
        return v.text;
      case "strp":
        return this.stringAt(v.section, v.offset, `${this.where(die)}: ${what}`);
      case "strx": {
        const bytes = this.section(".debug_str_offsets");
        if (bytes === undefined) this.fail(`${this.where(die)}: ${what} is string index ${v.index}, but the object has no .debug_str_offsets`);
        const size = die.unit.offsetSize;
        const root = die.unit.root!;
        // The unit's base, or the first contribution's: just past its header (length, version, padding).
        const base = root.attributes.get(DW_AT_str_offsets_base);
        const start = base !== undefined && base.kind === "offset" ? Number(base.value) : size === 8 ? 16 : 8;
        const at = start + v.index * size;
        if (at + size > bytes!.byteLength) this.fail(`${this.where(die)}: ${what} is string index ${v.index}, whose slot at .debug_str_offsets+${hex(at)} is past its end (${hex(bytes!.byteLength)})`);
        const c = new Cursor(bytes!, ".debug_str_offsets", at, bytes!.byteLength, this.fail);
        const offset = c.number(c.unsigned(size, "a string offset"), "a string offset", at);
        return this.stringAt(".debug_str", offset, `${this.where(die)}: ${what}`);
      }
      case "supplementary":
        return this.fail(`${this.where(die)}: ${what} is a string in a supplementary object file (dwz), which faultc does not read`);
      default:
        return this.fail(`${this.where(die)}: ${what} is not a string (it has form class ${v.kind})`);
    }
  }

  private stringAt(section: ".debug_str" | ".debug_line_str", offset: number, what: string): string {
    const key = `${section}:${offset}`;
    const cached = this.strings.get(key);
    if (cached !== undefined) return cached;
    const bytes = this.section(section);
    if (bytes === undefined) this.fail(`${what} is at ${section}+${hex(offset)}, but the object has no ${section}`);
    if (offset >= bytes!.byteLength) this.fail(`${what} is at ${section}+${hex(offset)}, past the end of the ${hex(bytes!.byteLength)}-byte section`);
    const text = new Cursor(bytes!, section, offset, bytes!.byteLength, this.fail).cstring(`the string of ${what}`);
    this.strings.set(key, text);
    return text;
  }
}
