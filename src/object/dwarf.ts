// The layout of a C struct (each member's byte offset and size, the struct's size) as the
// compiler laid it out, read from an object's DWARF (dwarf-info.ts), so that a rule file's
// binding of record fields to struct members is checked against the very build it runs on. A
// kernel built with CONFIG_DEBUG_INFO_REDUCED describes only the structs of the file being
// compiled and leaves the others as bare declarations, so the layout is taken from the object,
// else from its full-DWARF twin (`<tree>/faultc-dwarf/<same path>`, see build-tree.ts), and says
// which file gave it.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dwarfTwinOf } from "./build-tree.ts";
import {
  DW_AT_bit_offset, DW_AT_bit_size, DW_AT_byte_size, DW_AT_count, DW_AT_data_bit_offset, DW_AT_data_member_location,
  DW_AT_declaration, DW_AT_lower_bound, DW_AT_name, DW_AT_signature, DW_AT_specification, DW_AT_type, DW_TAG_array_type,
  DW_TAG_atomic_type, DW_TAG_base_type, DW_TAG_class_type, DW_TAG_const_type, DW_TAG_enumeration_type,
  DW_TAG_immutable_type, DW_TAG_member, DW_TAG_packed_type, DW_TAG_pointer_type, DW_TAG_ptr_to_member_type,
  DW_TAG_reference_type, DW_TAG_restrict_type, DW_TAG_rvalue_reference_type, DW_TAG_shared_type, DW_TAG_structure_type,
  DW_TAG_subrange_type, DW_TAG_typedef, DW_TAG_union_type, DW_TAG_volatile_type, DW_AT_upper_bound,
  DwarfInfo, tagName, type DwarfDie,
} from "./dwarf-info.ts";
import { readElfFile } from "./elf.ts";
import { ObjectError } from "./errors.ts";

export interface StructMember {
  name: string;
  offset: number;
  size: number;
}

export interface StructLayout {
  name: string;
  size: number;
  /** In declaration order; an anonymous struct or union member's members in its place; bit-fields left out. */
  members: StructMember[];
  /** The file whose DWARF gave it: the object, or its full-DWARF twin. */
  from: string;
}

/** Types that are another type under a name or a qualifier: their size is their DW_AT_type's. */
const TRANSPARENT = new Set([
  DW_TAG_typedef, DW_TAG_const_type, DW_TAG_volatile_type, DW_TAG_restrict_type, DW_TAG_atomic_type,
  DW_TAG_packed_type, DW_TAG_shared_type, DW_TAG_immutable_type,
]);
const POINTERS = new Set([DW_TAG_pointer_type, DW_TAG_reference_type, DW_TAG_rvalue_reference_type]);
const AGGREGATES = new Set([DW_TAG_structure_type, DW_TAG_union_type, DW_TAG_class_type]);
/** Type chains longer than this are a cycle in malformed input (real ones are a few links). */
const MAX_TYPE_DEPTH = 64;

type Finding =
  | { readonly kind: "defined"; readonly layout: StructLayout }
  | { readonly kind: "declared" }
  | { readonly kind: "absent"; readonly structs: number }
  | { readonly kind: "no-dwarf" };

export function structLayout(objectPath: string, structName: string): StructLayout {
  const own = findStruct(objectPath, structName);
  if (own.kind === "defined") return own.layout;
  const twin = dwarfTwinOf(objectPath);
  if (twin === undefined) throw new ObjectError(objectPath, `struct ${structName}: ${explain(own, structName)}`);
  if (!existsSync(twin)) throw new ObjectError(objectPath, `struct ${structName}: ${explain(own, structName)}, and there is no full-DWARF twin at ${twin}`);
  const theirs = findStruct(twin, structName);
  if (theirs.kind === "defined") return theirs.layout;
  throw new ObjectError(objectPath, `struct ${structName}: ${explain(own, structName)}; in its full-DWARF twin ${twin}, ${explain(theirs, structName)}`);
}

function explain(f: Exclude<Finding, { kind: "defined" }>, name: string): string {
  switch (f.kind) {
    case "no-dwarf":
      return "there is no DWARF debugging information (no .debug_info section: compiled without -g)";
    case "declared":
      return `only declared in the DWARF, without its members (a kernel built with CONFIG_DEBUG_INFO_REDUCED describes only the structs of the file being compiled)`;
    case "absent":
      return `the DWARF describes no struct ${name} (${f.structs === 0 ? "no structs at all" : `${f.structs} other struct${f.structs === 1 ? "" : "s"}`})`;
  }
}

/**
 * Parsed DWARF of the last few files read, by path and content (a rebuilt object is read again;
 * a file's time stamp could not tell a rewrite within the same tick): parsing a kernel object's
 * DWARF takes a tenth of a second, hashing it a millisecond, and a binding asks for a struct per
 * side.
 */
const cache = new Map<string, { digest: string; info: DwarfInfo | undefined }>();
const CACHE_SIZE = 4;

function dwarfOf(file: string): DwarfInfo | undefined {
  const elf = readElfFile(file);
  const digest = createHash("sha256").update(elf.bytes).digest("hex");
  const hit = cache.get(file);
  if (hit !== undefined && hit.digest === digest) return hit.info;
  const info = DwarfInfo.read(elf);
  cache.delete(file);
  cache.set(file, { digest, info });
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return info;
}

function findStruct(file: string, name: string): Finding {
  const info = dwarfOf(file);
  if (info === undefined) return { kind: "no-dwarf" };
  const reader = new LayoutReader(info, file);
  const definitions: DwarfDie[] = [];
  let declared = false;
  const others = new Set<string>();
  for (const die of info.entries()) {
    if (die.tag !== DW_TAG_structure_type) continue;
    const n = reader.nameOf(die);
    if (n === undefined) continue;
    if (n !== name) {
      if (!reader.isDeclaration(die)) others.add(n);
      continue;
    }
    if (reader.isDeclaration(die)) declared = true;
    else definitions.push(die);
  }
  if (definitions.length === 0) return declared ? { kind: "declared" } : { kind: "absent", structs: others.size };
  // Several units may each define it (every .c file including the header does): the same layout
  // is one struct; two different ones leave the binding without a meaning.
  const layouts = definitions.map((d) => ({ die: d, layout: reader.layout(d, name) }));
  const key = (l: StructLayout) => JSON.stringify([l.size, l.members]);
  const distinct = layouts.filter((l, i) => layouts.findIndex((m) => key(m.layout) === key(l.layout)) === i);
  if (distinct.length > 1) {
    const shown = distinct.slice(0, 3).map((d) => `${reader.unitName(d.die)} (${info.where(d.die)}): ${describe(d.layout)}`);
    throw new ObjectError(file, `struct ${name} has ${distinct.length} different definitions in its DWARF: ${shown.join("; ")}${distinct.length > 3 ? "; ..." : ""}`);
  }
  return { kind: "defined", layout: layouts[0].layout };
}

function describe(l: StructLayout): string {
  return `${l.size} bytes { ${l.members.map((m) => `${m.name}@${m.offset}:${m.size}`).join(", ")} }`;
}

/** Reads names, sizes and member offsets of the entries of one object's DWARF. */
class LayoutReader {
  private definitionsByName: Map<string, DwarfDie> | undefined;

  constructor(
    private readonly info: DwarfInfo,
    private readonly file: string,
  ) {}

  private fail(die: DwarfDie, reason: string): never {
    throw new ObjectError(this.file, `${this.info.where(die)}: ${reason}`);
  }

  /** An entry's name: its own DW_AT_name, or that of the declaration it completes (DW_AT_specification). */
  nameOf(die: DwarfDie, depth = 0): string | undefined {
    if (die.attributes.has(DW_AT_name)) return this.info.string(die, DW_AT_name, "DW_AT_name");
    if (!die.attributes.has(DW_AT_specification)) return undefined;
    if (depth > MAX_TYPE_DEPTH) this.fail(die, "its DW_AT_specification references form a cycle");
    return this.nameOf(this.info.target(die, DW_AT_specification, "DW_AT_specification"), depth + 1);
  }

  isDeclaration(die: DwarfDie): boolean {
    const d = die.attributes.get(DW_AT_declaration);
    return d !== undefined && d.kind === "flag" && d.value;
  }

  unitName(die: DwarfDie): string {
    const root = die.unit.root!;
    return root.attributes.has(DW_AT_name) ? `unit ${this.info.string(root, DW_AT_name, "the unit's DW_AT_name")}` : `the unit at ${die.unit.section}+0x${die.unit.offset.toString(16)}`;
  }

  /**
   * The layout of a struct's definition: its members in declaration order, with the members of
   * an anonymous struct or union member in its place (C11 makes them the struct's own), and
   * without bit-fields.
   */
  layout(die: DwarfDie, name: string): StructLayout {
    const size = this.byteSize(die, `struct ${name}`);
    if (size === undefined) this.fail(die, `struct ${name}'s definition has no DW_AT_byte_size`);
    const members: StructMember[] = [];
    this.collect(die, 0, `struct ${name}`, members, 0);
    const seen = new Set<string>();
    for (const m of members) {
      if (seen.has(m.name)) this.fail(die, `struct ${name} has two members named '${m.name}'`);
      seen.add(m.name);
      if (m.offset + m.size > size!) this.fail(die, `struct ${name}'s member '${m.name}' (${m.size} bytes at offset ${m.offset}) extends past the struct's ${size} bytes`);
    }
    return { name, size: size!, members, from: this.file };
  }

  private collect(aggregate: DwarfDie, base: number, what: string, out: StructMember[], depth: number): void {
    if (depth > MAX_TYPE_DEPTH) this.fail(aggregate, `${what} nests anonymous members too deeply (a cycle)`);
    for (const m of aggregate.children) {
      // DWARF 4 describes a C++ static data member as a DW_TAG_member declaration: not in the layout.
      if (m.tag !== DW_TAG_member || this.isDeclaration(m)) continue;
      // A bit-field is not whole bytes at a byte offset, which is what a binding writes: it is
      // left out (the padding of `int : 3` too), and the struct's other members stand.
      if (m.attributes.has(DW_AT_bit_size) || m.attributes.has(DW_AT_data_bit_offset) || m.attributes.has(DW_AT_bit_offset)) continue;
      const name = this.nameOf(m);
      const label = name === undefined ? `an anonymous member of ${what}` : `${what}'s member '${name}'`;
      const offset = base + this.memberOffset(m, label);
      if (!m.attributes.has(DW_AT_type)) this.fail(m, `${label} has no DW_AT_type`);
      const type = this.info.target(m, DW_AT_type, `${label}'s DW_AT_type`);
      if (name === undefined) {
        // C11 anonymous struct or union: its members are members of the enclosing struct.
        const inner = this.aggregateOf(type, label);
        if (inner === undefined) this.fail(m, `${label} is neither named nor an anonymous struct or union`);
        this.collect(inner!, offset, what, out, depth + 1);
        continue;
      }
      const size = this.sizeOf(type, label, 0);
      if (!Number.isSafeInteger(offset)) this.fail(m, `${label}'s offset ${offset} is too large`);
      out.push({ name, offset, size });
    }
  }

  private memberOffset(m: DwarfDie, label: string): number {
    const loc = m.attributes.get(DW_AT_data_member_location);
    // DWARF 4 and 5: a member at the start of its struct (every member of a union) may omit it.
    if (loc === undefined) return 0;
    let v: bigint;
    if (loc.kind === "constant" && !(m.unit.version <= 3 && (loc.form === 0x06 || loc.form === 0x07))) v = loc.value;
    else if (loc.kind === "block") v = this.info.offsetExpression(m, loc.bytes, `${label}'s DW_AT_data_member_location`);
    else return this.fail(m, `${label}'s DW_AT_data_member_location is a location list, not an offset`);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(m, `${label}'s offset ${v} is not a byte offset in a struct`);
    return Number(v);
  }

  /** The struct or union definition a type is, through typedefs and qualifiers; undefined for any other type. */
  private aggregateOf(type: DwarfDie, label: string): DwarfDie | undefined {
    for (let depth = 0; TRANSPARENT.has(type.tag) || type.attributes.has(DW_AT_signature); depth++) {
      if (depth > MAX_TYPE_DEPTH) return undefined;
      if (type.attributes.has(DW_AT_signature)) type = this.info.target(type, DW_AT_signature, `${label}'s type's DW_AT_signature`);
      else if (!type.attributes.has(DW_AT_type)) return undefined;
      else type = this.info.target(type, DW_AT_type, `${label}'s type's DW_AT_type`);
    }
    if (!AGGREGATES.has(type.tag)) return undefined;
    return this.isDeclaration(type) ? this.definitionOf(type, label) : type;
  }

  /** A constant attribute as a non-negative number, undefined when absent. */
  private byteSize(die: DwarfDie, label: string): number | undefined {
    const v = die.attributes.get(DW_AT_byte_size);
    if (v === undefined) return undefined;
    if (v.kind !== "constant") this.fail(die, `${label}: DW_AT_byte_size is not a constant (form class ${v.kind}; a variable size is not a struct layout)`);
    if (v.value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(die, `${label}: DW_AT_byte_size ${v.value} is too large`);
    return Number(v.value);
  }

  /** The size in bytes of a type, through typedefs, qualifiers, arrays, pointers and declarations. */
  private sizeOf(type: DwarfDie, label: string, depth: number): number {
    if (depth > MAX_TYPE_DEPTH) this.fail(type, `the type of ${label} does not end (a cycle of DW_AT_type references)`);
    // A stub of a type in a type unit (gcc -fdebug-types-section): the type is there.
    if (type.attributes.has(DW_AT_signature)) return this.sizeOf(this.info.target(type, DW_AT_signature, `the type of ${label}'s DW_AT_signature`), label, depth + 1);
    const own = this.byteSize(type, `the type of ${label}`);
    const next = (why: string) => {
      if (!type.attributes.has(DW_AT_type)) this.fail(type, `the type of ${label} (${tagName(type.tag)}) ${why}`);
      return this.sizeOf(this.info.target(type, DW_AT_type, `the type of ${label}'s DW_AT_type`), label, depth + 1);
    };
    if (TRANSPARENT.has(type.tag)) return own ?? next("has no DW_AT_type: it is void, which has no size");
    if (POINTERS.has(type.tag)) return own ?? type.unit.addressSize;
    if (own !== undefined) return own;
    switch (type.tag) {
      case DW_TAG_enumeration_type:
        return next("has neither DW_AT_byte_size nor an underlying DW_AT_type");
      case DW_TAG_structure_type:
      case DW_TAG_union_type:
      case DW_TAG_class_type: {
        if (!this.isDeclaration(type)) this.fail(type, `the type of ${label} (${tagName(type.tag)}) has no DW_AT_byte_size`);
        const def = this.definitionOf(type, label);
        return this.byteSize(def, `the type of ${label}`) ?? this.fail(def, `the type of ${label} (${tagName(def.tag)}) has no DW_AT_byte_size`);
      }
      case DW_TAG_array_type:
        return this.arraySize(type, label, depth);
      case DW_TAG_base_type:
      case DW_TAG_ptr_to_member_type:
        return this.fail(type, `the type of ${label} (${tagName(type.tag)}) has no DW_AT_byte_size`);
      default:
        return this.fail(type, `the type of ${label} is a ${tagName(type.tag)}, which has no size in a struct`);
    }
  }

  private arraySize(type: DwarfDie, label: string, depth: number): number {
    if (!type.attributes.has(DW_AT_type)) this.fail(type, `the array type of ${label} has no element type (DW_AT_type)`);
    const element = this.sizeOf(this.info.target(type, DW_AT_type, `the array type of ${label}'s DW_AT_type`), label, depth + 1);
    const dims = type.children.filter((c) => c.tag === DW_TAG_subrange_type);
    if (dims.length === 0) this.fail(type, `the array type of ${label} has no dimensions (DW_TAG_subrange_type)`);
    let count = 1n;
    for (const d of dims) count *= this.elementCount(d, label);
    const size = count * BigInt(element);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(type, `the array type of ${label} is ${size} bytes, too large`);
    return Number(size);
  }

  /** A dimension's length: DW_AT_count, or DW_AT_upper_bound - DW_AT_lower_bound (C's 0) + 1; none is a flexible array (0). */
  private elementCount(d: DwarfDie, label: string): bigint {
    const bound = (at: number, attr: string): bigint | undefined => {
      const v = d.attributes.get(at);
      if (v === undefined) return undefined;
      if (v.kind !== "constant") this.fail(d, `${label}'s array dimension has a ${attr} that is not a constant (form class ${v.kind}: a variable-length array has no fixed layout)`);
      // Constants of the sdata and implicit forms are signed; gcc writes the -1 upper bound of a
      // zero-length array as all ones in data4 or data8.
      if ((v.form === 0x06 && v.value === 0xffffffffn) || (v.form === 0x07 && v.value === 0xffffffffffffffffn)) return -1n;
      return v.value;
    };
    const count = bound(DW_AT_count, "DW_AT_count");
    if (count !== undefined) {
      if (count < 0n) this.fail(d, `${label}'s array dimension has the negative DW_AT_count ${count}`);
      return count;
    }
    const upper = bound(DW_AT_upper_bound, "DW_AT_upper_bound");
    if (upper === undefined) return 0n;
    const n = upper - (bound(DW_AT_lower_bound, "DW_AT_lower_bound") ?? 0n) + 1n;
    if (n < 0n) this.fail(d, `${label}'s array dimension has an upper bound below its lower bound`);
    return n;
  }

  /** The definition of a declared struct, union or class elsewhere in the object (another unit), by tag and name. */
  private definitionOf(decl: DwarfDie, label: string): DwarfDie {
    const name = this.nameOf(decl);
    if (name === undefined) this.fail(decl, `the type of ${label} is an unnamed declaration, which names no definition`);
    if (this.definitionsByName === undefined) {
      this.definitionsByName = new Map();
      for (const die of this.info.entries()) {
        if (!AGGREGATES.has(die.tag) || this.isDeclaration(die)) continue;
        const n = this.nameOf(die);
        if (n !== undefined && !this.definitionsByName.has(`${die.tag}:${n}`)) this.definitionsByName.set(`${die.tag}:${n}`, die);
      }
    }
    const def = this.definitionsByName.get(`${decl.tag}:${name}`);
    if (def === undefined) this.fail(decl, `the type of ${label}, ${tagName(decl.tag).replace("DW_TAG_", "").replace("_type", "")} ${name}, is only declared in the DWARF, so its size is unknown`);
    return def!;
  }
}
