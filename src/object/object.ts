// An object file opened for faultc: the ELF structures, the placed and relocated image, and the
// lookups other layers need (sections by name, symbols by name or address, bytes at an address),
// without reaching into the ELF reader themselves.
import { readElfFile, SHF_EXECINSTR, STT_FUNC, STT_NOTYPE, type ElfFile, type ElfSection, type ElfSymbol } from "./elf.ts";
import { hex } from "./errors.ts";
import { ObjectImage } from "./image.ts";

export class ObjectFile {
  readonly image: ObjectImage;

  constructor(readonly elf: ElfFile) {
    this.image = new ObjectImage(elf);
  }

  /** Reads, parses, lays out and relocates `file`; any problem is an ObjectError. */
  static open(file: string): ObjectFile {
    return new ObjectFile(readElfFile(file));
  }

  get file(): string {
    return this.elf.file;
  }

  get sections(): readonly ElfSection[] {
    return this.elf.sections;
  }

  section(name: string): ElfSection | undefined {
    return this.elf.section(name);
  }

  /** Where an allocated section was placed. */
  sectionAddress(s: ElfSection): bigint | undefined {
    return this.image.placedSection(s)?.address;
  }

  get symbols(): readonly ElfSymbol[] {
    return this.elf.symbols;
  }

  symbolAddress(sym: ElfSymbol): bigint {
    return this.image.symbolAddress(sym);
  }

  /** `symbol+0xoff` for an address (see ObjectImage.describe). */
  describe(address: bigint): string {
    return this.image.describe(address);
  }

  /** `length` bytes at `address` of the relocated image, or undefined outside every section. */
  bytesAt(address: bigint, length: number): Uint8Array | undefined {
    const p = this.image.sectionAt(address, length);
    if (p === undefined) return undefined;
    const at = Number(address - p.address);
    return p.bytes.slice(at, at + length);
  }

  /**
   * The one function called `name`: a sized STT_FUNC (or, for hand-written assembly, a sized
   * STT_NOTYPE) symbol in an executable section.
   */
  functionSymbol(name: string): ElfSymbol {
    const candidates = this.elf.symbolsNamed(name).filter((s) => s.type === STT_FUNC || s.type === STT_NOTYPE);
    if (candidates.length === 0) {
      const functions = this.elf.symbols.filter((s) => s.type === STT_FUNC && s.name !== "").map((s) => s.name).sort();
      const shown = functions.slice(0, 12).join(", ");
      throw this.elf.error(`no function '${name}' in the object${functions.length > 0 ? ` (its functions: ${shown}${functions.length > 12 ? `, and ${functions.length - 12} more` : ""})` : " (it defines no functions)"}`);
    }
    if (candidates.length > 1) {
      throw this.elf.error(`${candidates.length} symbols are named '${name}' (at ${candidates.map((s) => hex(this.image.symbolAddress(s))).join(", ")}); which one is meant is ambiguous`);
    }
    const sym = candidates[0];
    const section = this.elf.symbolSection(sym);
    if (section === undefined) throw this.elf.error(`'${name}' is not defined in this object (it is ${sym.shndx === 0 ? "undefined" : "absolute or common"})`);
    if ((section.flags & SHF_EXECINSTR) === 0n) throw this.elf.error(`'${name}' is in section ${section.name}, which does not hold code`);
    if (sym.size === 0n) throw this.elf.error(`'${name}' has no size in the symbol table, so where it ends is unknown`);
    if (sym.size % 4n !== 0n) throw this.elf.error(`'${name}' is ${sym.size} bytes long, not a whole number of instructions`);
    const start = this.image.symbolAddress(sym);
    if (sym.size > BigInt(section.size) || this.image.sectionAt(start, Number(sym.size)) === undefined) {
      throw this.elf.error(`'${name}' (${hex(sym.size)} bytes at ${hex(start)}) does not lie within its section ${section.name}`);
    }
    return sym;
  }
}
