// The ELF reader and the relocated image against binutils on objects gcc builds here, and its
// strictness: every malformed or truncated input is an ObjectError `file: error: ...` naming the
// structure and offset, never another exception.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseElf, readElfFile, SHT_RELA } from "../../src/object/elf.ts";
import { ObjectError } from "../../src/object/errors.ts";
import { openObjectFunction } from "../../src/object/function.ts";
import { ObjectFile } from "../../src/object/object.ts";
import { compile, describeWithCross, scratchDir } from "./cross-toolchain.ts";

const READELF = "aarch64-linux-gnu-readelf";

const SOURCE = `
typedef unsigned long u64;
extern u64 table[4];
extern void other(u64);
static u64 counter;
u64 read_table(int i) { return table[i & 3] + counter; }
void bump(u64 v) { counter += v; if (v > 7) other(v); }
u64 (*const hooks[2])(int) = { read_table, read_table };
`;

describeWithCross("ELF structures agree with readelf", () => {
  const dir = scratchDir("elf");
  const obj = compile(dir, "structs.c", SOURCE);
  const elf = readElfFile(obj);

  it("sections: names, types, sizes and flags", () => {
    const out = execFileSync(READELF, ["-S", "-W", obj], { encoding: "utf8" });
    const theirs = [...out.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/gm)].map((m) => ({
      index: Number(m[1]), name: m[2], offset: parseInt(m[4], 16), size: parseInt(m[5], 16),
    }));
    expect(theirs.length).toBeGreaterThan(5);
    expect(theirs[0].name).toBe("NULL");
    expect(elf.sections.slice(1).map((s) => ({ index: s.index, name: s.name, offset: s.offset, size: s.size }))).toEqual(theirs.slice(1));
  });

  it("symbols: names, values and sizes", () => {
    const out = execFileSync(READELF, ["-s", "-W", obj], { encoding: "utf8" });
    const theirs = [...out.matchAll(/^\s*(\d+):\s+([0-9a-f]+)\s+(\d+)\s+\w+\s+\w+\s+\w+\s+\S+\s*(\S*)$/gm)].map((m) => ({
      index: Number(m[1]), value: BigInt(`0x${m[2]}`), size: BigInt(m[3]), name: m[4],
    }));
    // readelf names a section symbol by its section.
    const name = (s: (typeof elf.symbols)[number]) => (s.type === 3 ? elf.sections[s.shndx].name : s.name);
    expect(elf.symbols.map((s) => ({ index: s.index, value: s.value, size: s.size, name: name(s) }))).toEqual(theirs);
  });

  it("relocations of every RELA section: place, type, symbol and addend", () => {
    const out = execFileSync(READELF, ["-r", "-W", obj], { encoding: "utf8" });
    const theirs = [...out.matchAll(/^([0-9a-f]{16})\s+([0-9a-f]{16})\s+(R_AARCH64_\w+)\s+[0-9a-f]+\s+(\S+) ([+-]) ([0-9a-f]+)$/gm)].map((m) => ({
      offset: BigInt(`0x${m[1]}`), type: Number(BigInt(`0x${m[2]}`) & 0xffffffffn), symbol: m[4], addend: (m[5] === "-" ? -1n : 1n) * BigInt(`0x${m[6]}`),
    }));
    const mine = elf.sections.filter((s) => s.type === SHT_RELA).flatMap((rs) => elf.relocationsFor(elf.sections[rs.info]))
      .map((r) => ({ offset: r.offset, type: r.type, symbol: r.symbol!.type === 3 ? elf.sections[r.symbol!.shndx].name : r.symbol!.name, addend: r.addend }));
    expect(theirs.length).toBeGreaterThan(4);
    expect(mine).toEqual(theirs);
  });

  it("the relocated image: each call and address in .text reaches what the relocation names", () => {
    const object = ObjectFile.open(obj);
    const text = object.section(".text")!;
    const base = object.sectionAddress(text)!;
    for (const r of elf.relocationsFor(text)) {
      const place = base + r.offset;
      const word = object.image.word(place)!;
      const s = r.symbol === undefined ? 0n : object.symbolAddress(r.symbol);
      if (r.type === 283 || r.type === 282) {
        const imm26 = BigInt(word & 0x3ffffff);
        const offset = (imm26 & (1n << 25n) ? imm26 - (1n << 26n) : imm26) * 4n;
        expect(place + offset).toBe(s + r.addend);
        expect(object.describe(s)).toBe(r.symbol!.name || object.describe(s));
      }
      if (r.type === 275) {
        const imm = BigInt(((word >>> 3) & 0x1ffffc) | ((word >>> 29) & 3));
        expect((place & ~0xfffn) + ((imm & (1n << 20n) ? imm - (1n << 21n) : imm) << 12n)).toBe((s + r.addend) & ~0xfffn);
      }
    }
    // The undefined symbols have slots of their own, which name them.
    expect(object.describe(object.image.externals.get("other")!)).toBe("other");
  });
});

/** Every way of reading bytes faultc has: the ELF reader, the image, and a function loaded. */
function readAll(bytes: Uint8Array, file: string): void {
  const object = new ObjectFile(parseElf(bytes, file));
  for (const s of object.elf.symbols) if (s.type === 2 && s.size > 0n) {
    writeFileSync(file, bytes);
    const f = openObjectFunction(file, s.name, { cpucaps: CPUCAPS });
    for (const caps of f.combinations()) f.load(caps);
  }
}

let CPUCAPS = "";

describeWithCross("malformed objects are precise errors", () => {
  const dir = scratchDir("elf-bad");
  CPUCAPS = path.join(dir, "cpucap-defs.h");
  writeFileSync(CPUCAPS, "#define ARM64_ALWAYS_BOOT 0\n#define ARM64_WORKAROUND_834220 69\n");
  const obj = compile(dir, "small.c", SOURCE);
  const good = new Uint8Array(readFileSync(obj));
  const file = path.join(dir, "bad.o");
  const view = new DataView(good.buffer, good.byteOffset, good.byteLength);
  const shoff = Number(view.getBigUint64(40, true));

  function expectError(bytes: Uint8Array, message: RegExp): void {
    let error: unknown;
    try {
      readAll(bytes, file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ObjectError);
    expect((error as Error).message.startsWith(`${file}: error: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  }

  function patched(offset: number, write: (v: DataView) => void): Uint8Array {
    const copy = good.slice();
    write(new DataView(copy.buffer, offset));
    return copy;
  }

  it.each([
    ["not ELF", () => new TextEncoder().encode("#!/bin/sh\n"), /not an ELF file/],
    ["32-bit", () => patched(4, (v) => v.setUint8(0, 1)), /not a 64-bit ELF file \(EI_CLASS 1 at offset 0x4/],
    ["big-endian", () => patched(5, (v) => v.setUint8(0, 2)), /not a little-endian ELF file/],
    ["x86-64", () => patched(18, (v) => v.setUint16(0, 62, true)), /not an AArch64 object \(e_machine 62 at offset 0x12/],
    ["truncated header", () => good.slice(0, 40), /truncated ELF header: the file has 40 bytes/],
    ["section headers past the end", () => good.slice(0, shoff + 100), /truncated section header table/],
    ["e_shstrndx out of range", () => patched(62, (v) => v.setUint16(0, 200, true)), /section name string table index 200/],
    ["section contents past the end", () => patched(shoff + 64 + 24, (v) => v.setBigUint64(0, 0x7fffffn, true)), /section header 1 \(at file offset 0x[0-9a-f]+\): its contents .* extend past the end/],
    ["section name outside the string table", () => patched(shoff + 64, (v) => v.setUint32(0, 0xffffff, true)), /the name of section 1: string offset 0xffffff is outside its string table/],
  ])("%s", (_, make, message) => expectError(make(), message));

  it("a symbol in a section that does not exist, a relocation naming a symbol that does not exist", () => {
    const elf = parseElf(good, obj);
    const symtab = elf.sections.find((s) => s.type === 2)!;
    expectError(patched(symtab.offset + 24 * 3 + 6, (v) => v.setUint16(0, 500, true)), /symbol 3 \(at file offset 0x[0-9a-f]+\) is defined in section 500/);
    const rela = elf.sections.find((s) => s.type === SHT_RELA && elf.sections[s.info].name === ".text")!;
    expectError(patched(rela.offset + 12, (v) => v.setUint32(0, 9999, true)), /relocation 0 of \.rela\.text \(at file offset 0x[0-9a-f]+\) names symbol 9999/);
    expectError(patched(rela.offset + 8, (v) => v.setUint32(0, 1234, true)), /relocation at \.text\+0x[0-9a-f]+ \(relocation type 1234, entry 0 of \.rela\.text\) against '.*': relocation type 1234 is not supported/);
  });

  it("truncated at every 8 bytes and with random bytes changed: an ObjectError or a successful read, nothing else", () => {
    let errors = 0;
    const tryBytes = (bytes: Uint8Array) => {
      try {
        readAll(bytes, file);
      } catch (e) {
        if (!(e instanceof ObjectError) || !e.message.startsWith(`${file}: error: `)) throw e;
        errors++;
      }
    };
    for (let n = 0; n < good.length; n += 8) tryBytes(good.slice(0, n));
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 400; i++) {
      const copy = good.slice();
      // Mostly the header and section headers, where one byte changes structure, sometimes anywhere.
      for (let k = 0; k < 1 + (next() % 4); k++) {
        const at = next() % 3 === 0 ? next() % copy.length : next() % 2 === 0 ? next() % 64 : shoff + (next() % Math.max(1, copy.length - shoff));
        copy[at] = next() & 0xff;
      }
      tryBytes(copy);
    }
    expect(errors).toBeGreaterThan(good.length / 8 - 2);
  });
});

describe("no file", () => {
  it("an unreadable path is an ObjectError", () => {
    expect(() => readElfFile("does/not/exist.o")).toThrow("does/not/exist.o: error: cannot read 'does/not/exist.o' (no such file)");
  });
});
