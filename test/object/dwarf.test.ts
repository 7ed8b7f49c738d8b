// Struct layouts read from DWARF (src/object/dwarf.ts) and what a kernel build tree says about an
// object (src/object/build-tree.ts). Layouts of structs gcc compiles here are checked by the same
// compiler: the offsets and sizes faultc reads become _Static_asserts on offsetof and sizeof that
// aarch64-linux-gnu-gcc must accept (and must reject one byte off). Hand-written DWARF covers
// the forms and rules gcc does not emit for C (DW_AT_specification, strx, implicit constants,
// location expressions, references across units) and malformed input. The real Linux objects:
// struct kvm_vcpu_fault_info from the full-DWARF twin, against readelf, the trees' releases and
// compile commands; their DWARF truncated and corrupted is an ObjectError.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildTreeOf, compileCommand, kernelRelease } from "../../src/object/build-tree.ts";
import { structLayout, type StructLayout } from "../../src/object/dwarf.ts";
import { readElfFile } from "../../src/object/elf.ts";
import { ObjectError } from "../../src/object/errors.ts";
import { describeWithKernel, dwarfStruct, KERNEL_OBJECTS, KERNEL_VERSIONS, kernelStamp, type KernelObject } from "../support/kernels.ts";
import { compile, describeWithCross, GCC, scratchDir } from "./cross-toolchain.ts";

const LD = "aarch64-linux-gnu-ld";

/** The ObjectError `f` throws (failing the test if it throws nothing or anything else). */
function objectError(f: () => unknown): ObjectError {
  try {
    f();
  } catch (e) {
    if (e instanceof ObjectError) return e;
    throw e;
  }
  throw new Error("expected an ObjectError, got a result");
}

/** The layout as _Static_asserts over offsetof and sizeof, for the compiler to judge; `skew` moves every offset. */
function layoutAsserts(l: StructLayout, skew = 0): string {
  const lines = [`_Static_assert(sizeof(struct ${l.name}) == ${l.size}, "sizeof(struct ${l.name})");`];
  for (const m of l.members) {
    lines.push(`_Static_assert(__builtin_offsetof(struct ${l.name}, ${m.name}) == ${m.offset + skew}, "${l.name}.${m.name} offset");`);
    // A flexible array member has no sizeof; its 0 bytes are asserted by name below.
    if (m.size > 0) lines.push(`_Static_assert(sizeof(((struct ${l.name} *)0)->${m.name}) == ${m.size}, "${l.name}.${m.name} size");`);
  }
  return lines.join("\n");
}

const TYPES = `
typedef unsigned int u32;
typedef unsigned long long u64;
typedef u64 reg_t;
typedef reg_t esr_t;                    /* a typedef of a typedef */
typedef const volatile esr_t cv_esr_t;  /* qualifiers over them */
typedef char tag_t[6];
enum mode { MODE_A, MODE_B = 300 };
struct inner { u32 a; u64 b; };
typedef struct inner inner_t;
struct opaque;
struct sample {
  u32 flags;
  cv_esr_t esr;
  u32 words[3];
  u64 grid[2][3];
  tag_t tag;
  inner_t nested;
  struct inner *next;
  struct opaque *handle;
  enum mode mode;
  union { u32 lo; u64 whole; };
  struct { u32 x, y; } pair;
  void (*hook)(int);
  _Bool ready;
  u64 tail[];
};
struct packed_bits { u32 a; u32 b : 3; u32 : 2; u32 c : 5; u64 d; };
struct kvm_vcpu_fault_info { u64 esr_el2; u64 far_el2; u64 hpfar_el2; u64 disr_el1; };
`;
const SOURCE = `${TYPES}
struct sample *volatile keep_sample;
struct packed_bits keep_bits;
u64 fault_esr(struct kvm_vcpu_fault_info *f, struct opaque *o) { return f->esr_el2 + (u64)o; }
`;
const SAMPLE_MEMBERS = ["flags", "esr", "words", "grid", "tag", "nested", "next", "handle", "mode", "lo", "whole", "pair", "hook", "ready", "tail"];
const FAULT_INFO = [
  { name: "esr_el2", offset: 0, size: 8 },
  { name: "far_el2", offset: 8, size: 8 },
  { name: "hpfar_el2", offset: 16, size: 8 },
  { name: "disr_el1", offset: 24, size: 8 },
];

describeWithCross("struct layouts from gcc's DWARF, as the compiler's offsetof and sizeof have them", () => {
  const dir = scratchDir("dwarf");
  const variants: [string, string[]][] = [
    ["DWARF 5", ["-gdwarf-5"]],
    ["DWARF 4", ["-gdwarf-4"]],
    ["DWARF 3", ["-gdwarf-3"]],
    ["DWARF 2", ["-gdwarf-2"]],
    ["compressed (-gz=zlib)", ["-gz=zlib"]],
    ["DWARF 4 type units (.debug_types)", ["-gdwarf-4", "-fdebug-types-section"]],
    ["DWARF 5 type units in COMDAT groups", ["-gdwarf-5", "-fdebug-types-section"]],
  ];
  variants.forEach(([what, flags], i) => {
    it(`${what}: every member's offset and size, and the struct's size, as gcc lays them out`, () => {
      const obj = compile(dir, `sample${i}.c`, SOURCE, ["-g", "-O2", ...flags]);
      const sample = structLayout(obj, "sample");
      expect(sample.members.map((m) => m.name)).toEqual(SAMPLE_MEMBERS);
      expect(sample.members.find((m) => m.name === "tail")!.size).toBe(0);
      expect(sample.from).toBe(obj);
      const layouts = ["sample", "inner", "packed_bits", "kvm_vcpu_fault_info"].map((n) => structLayout(obj, n));
      // Bit-fields are not byte members: the others stand at their offsets.
      expect(layouts[2].members.map((m) => m.name)).toEqual(["a", "d"]);
      expect(layouts[3]).toEqual({ name: "kvm_vcpu_fault_info", size: 32, members: FAULT_INFO, from: obj });
      const checks = layouts.map((l) => layoutAsserts(l)).join("\n");
      expect(() => compile(dir, `check${i}.c`, `${TYPES}\n${checks}\n`, ["-O2"])).not.toThrow();
      // The check can fail: one byte off is rejected by the compiler.
      expect(() => compile(dir, `skewed${i}.c`, `${TYPES}\n${layoutAsserts(sample, 1)}\n`, ["-O2"])).toThrow(/sample\.flags offset/);
    });
  });

  it("a struct only declared, one not described, an object without DWARF: precise errors", () => {
    const obj = compile(dir, "declared.c", SOURCE, ["-g", "-O2"]);
    expect(objectError(() => structLayout(obj, "opaque")).message).toBe(
      `${obj}: error: struct opaque: only declared in the DWARF, without its members (a kernel built with CONFIG_DEBUG_INFO_REDUCED describes only the structs of the file being compiled)`,
    );
    expect(objectError(() => structLayout(obj, "nothing")).message).toMatch(/struct nothing: the DWARF describes no struct nothing \(\d+ other structs\)$/);
    const bare = compile(dir, "bare.c", SOURCE, ["-O2"]);
    expect(objectError(() => structLayout(bare, "sample")).message).toBe(
      `${bare}: error: struct sample: there is no DWARF debugging information (no .debug_info section: compiled without -g)`,
    );
  });

  it("several units: identical definitions are one struct, different ones an error naming both", () => {
    const a = compile(dir, "unit_a.c", "struct shared { long x; int y; };\nstruct shared *volatile a_keep;\n", ["-g", "-O2"]);
    const b = compile(dir, "unit_b.c", "struct shared { long x; int y; };\nstruct shared *volatile b_keep;\n", ["-g", "-O2"]);
    const c = compile(dir, "unit_c.c", "struct shared { int y; long x; };\nstruct shared *volatile c_keep;\n", ["-g", "-O2"]);
    const same = path.join(dir, "same.o");
    const differ = path.join(dir, "differ.o");
    execFileSync(LD, ["-r", "-o", same, a, b]);
    execFileSync(LD, ["-r", "-o", differ, a, c]);
    expect(structLayout(same, "shared").members).toEqual([{ name: "x", offset: 0, size: 8 }, { name: "y", offset: 8, size: 4 }]);
    expect(objectError(() => structLayout(differ, "shared")).message).toMatch(
      /struct shared has 2 different definitions in its DWARF: unit \S*unit_a\.c \(\.debug_info\+0x[0-9a-f]+\): 16 bytes \{ x@0:8, y@8:4 \}; unit \S*unit_c\.c \(\.debug_info\+0x[0-9a-f]+\): 16 bytes \{ y@0:4, x@8:8 \}$/,
    );
  });

  it("a reduced build's declaration is completed from the full-DWARF twin in the tree, which `from` names", () => {
    const tree = path.join(dir, "tree");
    mkdirSync(path.join(tree, "arch", "arm64"), { recursive: true });
    writeFileSync(path.join(tree, "Makefile"), "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 9\nEXTRAVERSION =\n");
    const sub = path.join(tree, "drivers", "fault");
    const twinDir = path.join(tree, "faultc-dwarf", "drivers", "fault");
    mkdirSync(sub, { recursive: true });
    mkdirSync(twinDir, { recursive: true });
    // As CONFIG_DEBUG_INFO_REDUCED compiles: structs of other files (the header) are declarations.
    writeFileSync(path.join(sub, "faults.h"), `${TYPES}\n`);
    const use = `#include "faults.h"\nu64 fault_far(struct kvm_vcpu_fault_info *f) { return f->far_el2; }\n`;
    const reduced = compile(sub, "use.c", use, ["-g", "-O2", "-femit-struct-debug-baseonly"]);
    writeFileSync(path.join(twinDir, "faults.h"), `${TYPES}\n`);
    const twin = compile(twinDir, "use.c", use, ["-g", "-O2"]);
    expect(structLayout(reduced, "kvm_vcpu_fault_info")).toEqual({ name: "kvm_vcpu_fault_info", size: 32, members: FAULT_INFO, from: twin });
    // The same in relative paths: `from` is relative too.
    const rel = path.relative(process.cwd(), reduced);
    expect(structLayout(rel, "kvm_vcpu_fault_info").from).toBe(path.relative(process.cwd(), twin));
    expect(objectError(() => structLayout(reduced, "nothing")).message).toMatch(
      new RegExp(`struct nothing: the DWARF describes no struct nothing \\(no structs at all\\); in its full-DWARF twin ${twin.replace(/[.+]/g, "\\$&")}, the DWARF describes no struct nothing \\(1 other struct\\)$`),
    );
    rmSync(twin);
    expect(objectError(() => structLayout(reduced, "kvm_vcpu_fault_info")).message).toBe(
      `${reduced}: error: struct kvm_vcpu_fault_info: only declared in the DWARF, without its members (a kernel built with CONFIG_DEBUG_INFO_REDUCED describes only the structs of the file being compiled), and there is no full-DWARF twin at ${twin}`,
    );
  });

  it("corrupted DWARF is an ObjectError or a layout, never another exception", () => {
    const obj = compile(dir, "corrupt.c", SOURCE, ["-g", "-O2"]);
    const elf = readElfFile(obj);
    const ranges = elf.sections.filter((s) => /^\.(rela\.)?debug_(info|abbrev|str)$/.test(s.name)).map((s) => [s.offset, s.size] as const);
    expect(ranges).toHaveLength(4);
    const bad = path.join(dir, "corrupted.o");
    let seed = 0x2545f491;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    let errors = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = Uint8Array.from(elf.bytes);
      const [offset, size] = ranges[next() % ranges.length];
      for (let k = 0; k < 1 + (next() % 3); k++) bytes[offset + (next() % size)] = next() & 0xff;
      writeFileSync(bad, bytes);
      try {
        const l = structLayout(bad, "sample");
        expect(l.name).toBe("sample");
      } catch (e) {
        if (!(e instanceof ObjectError)) throw new Error(`corruption ${i}: ${String(e)}`);
        expect(e.message.startsWith(`${bad}: error: `)).toBe(true);
        errors++;
      }
    }
    // Most corruptions of these sections are caught (the rest change a name or a value).
    expect(errors).toBeGreaterThan(100);
  });
});

// ---- Hand-written DWARF: the emitter writes assembly that gas turns into the sections. ----

const FORMS = {
  string: 0x08, strp: 0x0e, line_strp: 0x1f, strx1: 0x25, data1: 0x0b, data2: 0x05, data4: 0x06, data8: 0x07,
  sdata: 0x0d, udata: 0x0f, implicit_const: 0x21, flag_present: 0x19, ref4: 0x13, ref_udata: 0x15, ref_addr: 0x10,
  exprloc: 0x18, sec_offset: 0x17, ref_sig8: 0x20,
} as const;
type FormName = keyof typeof FORMS;
interface TestDie {
  tag: number;
  label?: string;
  attrs: [at: number, form: FormName, value?: string | number | bigint | readonly number[]][];
  children?: TestDie[];
}
const T = { compile_unit: 0x11, structure_type: 0x13, member: 0x0d, base_type: 0x24, typedef: 0x16, pointer_type: 0x0f, array_type: 0x01, subrange_type: 0x21, enumeration_type: 0x04, union_type: 0x17 };
const A = { name: 0x03, byte_size: 0x0b, type: 0x49, data_member_location: 0x38, declaration: 0x3c, specification: 0x47, upper_bound: 0x2f, lower_bound: 0x22, count: 0x37, str_offsets_base: 0x72 };

/** Assembly for units (each a root DIE) of DWARF `version`, with the strings they name. */
function dwarfAssembly(units: TestDie[], version: 4 | 5 | 6 = 5, extraAbbrev = ""): string {
  const info: string[] = ['\t.section .debug_info,"",%progbits'];
  const abbrev: string[] = ['\t.section .debug_abbrev,"",%progbits'];
  const strings = new Map<string, string>();
  const strx: string[] = [];
  const str = (s: string) => {
    if (!strings.has(s)) strings.set(s, `.Lstr${strings.size}`);
    return strings.get(s)!;
  };
  units.forEach((root, u) => {
    const cu = `.Lcu${u}`;
    abbrev.push(`.Labbrev${u}:`);
    let code = 0;
    const emit = (die: TestDie) => {
      code++;
      abbrev.push(`\t.uleb128 ${code}`, `\t.uleb128 ${die.tag}`, `\t.byte ${die.children !== undefined ? 1 : 0}`);
      if (die.label !== undefined) info.push(`${die.label}:`);
      info.push(`\t.uleb128 ${code}`);
      for (const [at, form, value] of die.attrs) {
        abbrev.push(`\t.uleb128 ${at}`, `\t.uleb128 ${FORMS[form]}`);
        const v = value as string;
        switch (form) {
          case "string": info.push(`\t.asciz "${v}"`); break;
          case "strp": info.push(`\t.4byte ${str(v)}`); break;
          case "strx1": strx.push(str(v)); info.push(`\t.byte ${strx.length - 1}`); break;
          case "data1": info.push(`\t.byte ${v}`); break;
          case "data2": info.push(`\t.2byte ${v}`); break;
          case "data4": info.push(`\t.4byte ${v}`); break;
          case "data8": info.push(`\t.8byte ${v}`); break;
          case "sdata": info.push(`\t.sleb128 ${v}`); break;
          case "udata": info.push(`\t.uleb128 ${v}`); break;
          case "implicit_const": abbrev.push(`\t.sleb128 ${v}`); break;
          case "flag_present": break;
          case "ref4": info.push(`\t.4byte ${v} - ${cu}`); break;
          case "ref_udata": info.push(`\t.uleb128 ${v} - ${cu}`); break;
          case "ref_addr": case "sec_offset": info.push(`\t.4byte ${v}`); break;
          case "ref_sig8": info.push(`\t.8byte ${v}`); break;
          case "exprloc": {
            const bytes = value as readonly number[];
            info.push(`\t.uleb128 ${bytes.length}`, ...(bytes.length > 0 ? [`\t.byte ${bytes.join(", ")}`] : []));
            break;
          }
          default: info.push(`\t.uleb128 ${v}`);
        }
      }
      abbrev.push("\t.uleb128 0", "\t.uleb128 0");
      if (die.children !== undefined) {
        die.children.forEach(emit);
        info.push("\t.byte 0");
      }
    };
    const header = version >= 5
      ? [`\t.2byte ${version}`, "\t.byte 1", "\t.byte 8", `\t.4byte .Labbrev${u}`]
      : [`\t.2byte ${version}`, `\t.4byte .Labbrev${u}`, "\t.byte 8"];
    info.push(`${cu}:`, `\t.4byte ${cu}_end - ${cu} - 4`, ...header);
    emit(root);
    info.push(`${cu}_end:`);
    abbrev.push(extraAbbrev, "\t.uleb128 0");
  });
  const out = [...info, ...abbrev, '\t.section .debug_str,"MS",%progbits,1'];
  for (const [s, label] of strings) out.push(`${label}:`, `\t.asciz "${s}"`);
  if (strx.length > 0) {
    out.push('\t.section .debug_str_offsets,"",%progbits', `\t.4byte ${strx.length * 4 + 4}`, "\t.2byte 5", "\t.2byte 0", ".Lstroff_base:");
    for (const label of strx) out.push(`\t.4byte ${label}`);
  }
  return `${out.join("\n")}\n`;
}

const LONG: TestDie = { tag: T.base_type, label: ".Llong", attrs: [[A.name, "strp", "long int"], [A.byte_size, "data1", 8]] };
const INT: TestDie = { tag: T.base_type, label: ".Lint", attrs: [[A.name, "string", "int"], [A.byte_size, "implicit_const", 4]] };
const cu = (name: string, children: TestDie[], extra: TestDie["attrs"] = []): TestDie => ({ tag: T.compile_unit, attrs: [[A.name, "string", name], ...extra], children });
const member = (name: string, type: string, location?: TestDie["attrs"][number]): TestDie => ({
  tag: T.member, attrs: [[A.name, "strp", name], [A.type, "ref4", type], ...(location !== undefined ? [location] : [])],
});

describeWithCross("hand-written DWARF: forms, references and rules gcc's C output does not use", () => {
  const dir = scratchDir("dwarf-asm");
  let n = 0;
  const assemble = (units: TestDie[], version: 4 | 5 | 6 = 5, extraAbbrev = "") => compile(dir, `hand${n++}.S`, dwarfAssembly(units, version, extraAbbrev), []);

  it("a definition named by the declaration it completes (DW_AT_specification); location expressions; strx names; implicit constants", () => {
    const obj = assemble([
      cu("spec.c", [
        LONG, INT,
        { tag: T.structure_type, label: ".Ldecl", attrs: [[A.name, "strx1", "spec"], [A.declaration, "flag_present"]] },
        {
          tag: T.structure_type, attrs: [[A.specification, "ref4", ".Ldecl"], [A.byte_size, "udata", 24]], children: [
            member("a", ".Llong", [A.data_member_location, "exprloc", [0x23, 8]]), // DW_OP_plus_uconst 8
            member("b", ".Lint"), // no location: at the start
            member("c", ".Lint", [A.data_member_location, "exprloc", [0x10, 0x10, 0x34, 0x22]]), // constu 16, lit4, plus: 20
          ],
        },
      ], [[A.str_offsets_base, "sec_offset", ".Lstroff_base"]]),
    ]);
    expect(structLayout(obj, "spec")).toEqual({
      name: "spec", size: 24, from: obj,
      members: [{ name: "a", offset: 8, size: 8 }, { name: "b", offset: 0, size: 4 }, { name: "c", offset: 20, size: 4 }],
    });
  });

  it("types through references across units (DW_FORM_ref_addr, ref_udata), arrays with bounds and counts, pointers without a size, declarations completed elsewhere", () => {
    const obj = assemble([
      cu("types.c", [
        LONG,
        { tag: T.typedef, label: ".Lreg", attrs: [[A.name, "string", "reg_t"], [A.type, "ref_udata", ".Llong"]] },
        { tag: T.structure_type, label: ".Lother", attrs: [[A.name, "string", "other"], [A.byte_size, "data1", 12]], children: [] },
      ]),
      cu("use.c", [
        { tag: T.pointer_type, label: ".Lptr", attrs: [[A.type, "ref_addr", ".Lreg"]] },
        { tag: T.structure_type, label: ".Lother_decl", attrs: [[A.name, "string", "other"], [A.declaration, "flag_present"]] },
        {
          tag: T.array_type, label: ".Larr", attrs: [[A.type, "ref_addr", ".Lreg"]], children: [
            { tag: T.subrange_type, attrs: [[A.lower_bound, "data1", 1], [A.upper_bound, "data1", 3]] },
            { tag: T.subrange_type, attrs: [[A.count, "udata", 5]] },
          ],
        },
        { tag: T.enumeration_type, label: ".Lenum", attrs: [[A.name, "string", "e"], [A.type, "ref_addr", ".Llong"]], children: [] },
        {
          tag: T.structure_type, attrs: [[A.name, "string", "refs"], [A.byte_size, "data2", 160]], children: [
            member("p", ".Lptr", [A.data_member_location, "data1", 0]),
            member("o", ".Lother_decl", [A.data_member_location, "data1", 8]),
            member("grid", ".Larr", [A.data_member_location, "sdata", 24]),
            member("e", ".Lenum", [A.data_member_location, "data2", 144]),
          ],
        },
      ]),
    ]);
    expect(structLayout(obj, "refs").members).toEqual([
      { name: "p", offset: 0, size: 8 }, { name: "o", offset: 8, size: 12 }, { name: "grid", offset: 24, size: 3 * 5 * 8 }, { name: "e", offset: 144, size: 8 },
    ]);
  });

  const errorOf = (units: TestDie[], name: string, version: 4 | 5 | 6 = 5, extraAbbrev = "") => {
    const obj = assemble(units, version, extraAbbrev);
    const e = objectError(() => structLayout(obj, name));
    expect(e.file).toBe(obj);
    return e.reason;
  };
  const one = (members: TestDie[], extra: TestDie[] = []) => [cu("bad.c", [LONG, ...extra, { tag: T.structure_type, attrs: [[A.name, "string", "bad"], [A.byte_size, "data1", 16]], children: members }])];

  it("malformed DWARF: each a precise error naming the entry", () => {
    expect(errorOf(one([member("x", ".Lcu0 + 3")]), "bad")).toMatch(/^\.debug_info\+0x[0-9a-f]+: struct bad's member 'x''s DW_AT_type refers to \.debug_info\+0x3, which is not the start of an entry$/);
    const cycle = [
      { tag: T.typedef, label: ".La", attrs: [[A.name, "string", "a"], [A.type, "ref4", ".Lb"]] },
      { tag: T.typedef, label: ".Lb", attrs: [[A.name, "string", "b"], [A.type, "ref4", ".La"]] },
    ] satisfies TestDie[];
    expect(errorOf(one([member("x", ".La")], cycle), "bad")).toMatch(/the type of struct bad's member 'x' does not end \(a cycle of DW_AT_type references\)$/);
    expect(errorOf(one([member("x", ".Llong", [A.data_member_location, "exprloc", [0x50]])]), "bad")).toMatch(/struct bad's member 'x''s DW_AT_data_member_location uses DW_OP 0x50, which faultc does not evaluate/);
    expect(errorOf(one([member("x", ".Llong", [A.data_member_location, "data1", 12])]), "bad")).toMatch(/struct bad's member 'x' \(8 bytes at offset 12\) extends past the struct's 16 bytes$/);
    const vla = { tag: T.array_type, label: ".Lvla", attrs: [[A.type, "ref4", ".Llong"]], children: [{ tag: T.subrange_type, attrs: [[A.upper_bound, "exprloc", [0x30]]] }] } satisfies TestDie;
    expect(errorOf(one([member("x", ".Lvla")], [vla]), "bad")).toMatch(/array dimension has a DW_AT_upper_bound that is not a constant \(form class block: a variable-length array has no fixed layout\)$/);
    expect(errorOf(one([member("x", ".Llong")]), "bad", 6)).toMatch(/^\.debug_info\+0x0: DWARF version 6 is not one faultc reads \(2 to 5\)$/);
    // An abbreviation with an unknown form, in the table after the unit's own.
    expect(errorOf(one([member("x", ".Llong")]), "bad", 5, "\t.uleb128 99\n\t.uleb128 0x13\n\t.byte 0\n\t.uleb128 3\n\t.uleb128 0x7f\n\t.uleb128 0\n\t.uleb128 0")).toMatch(/^\.debug_abbrev\+0x[0-9a-f]+: unknown attribute form 0x7f \(of attribute 0x3\) in abbreviation 99$/);
    const sig = { tag: T.structure_type, attrs: [[A.name, "string", "sig"], [A.byte_size, "data1", 8]], children: [{ tag: T.member, attrs: [[A.name, "string", "s"], [A.type, "ref_sig8", "0x1234"]] }] } satisfies TestDie;
    expect(errorOf([cu("sig.c", [sig])], "sig")).toMatch(/DW_AT_type names type signature 0x1234, which no type unit in the object has$/);
  });
});

// ---- The build tree: root, release, compile command. ----

describe("the kernel build tree an object belongs to", () => {
  const dir = scratchDir("build-tree");
  const make = (root: string, files: Record<string, string>) => {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    return root;
  };
  const OBJ = "arch/arm64/kvm/hyp/nvhe/switch.nvhe.o";
  const MAKEFILE = "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\nNAME = Baby Opossum Posse\n";

  it("the release from include/config/kernel.release, else utsrelease.h, else the Makefile's version", () => {
    const configured = make(path.join(dir, "configured"), { Makefile: MAKEFILE, "arch/arm64/Makefile": "", "include/config/kernel.release": "6.12.0-rc3-faultc+\n", "include/generated/utsrelease.h": '#define UTS_RELEASE "other"\n', [OBJ]: "" });
    const prepared = make(path.join(dir, "prepared"), { Makefile: MAKEFILE, "arch/arm64/Makefile": "", "include/generated/utsrelease.h": '#define UTS_RELEASE "6.12.0-rc3-dirty"\n', [OBJ]: "" });
    const source = make(path.join(dir, "source"), { Makefile: MAKEFILE, "arch/arm64/Makefile": "", "arch/arm64/kvm/hyp/nvhe/Makefile": "obj-y += switch.nvhe.o\n", [OBJ]: "" });
    // An O= output folder has a generated Makefile without VERSION, and kernel.release.
    const output = make(path.join(dir, "output"), { Makefile: "include ../linux/Makefile\n", "include/config/kernel.release": "6.1.192\n", [OBJ]: "" });
    expect([configured, prepared, source, output].map((t) => kernelRelease(path.join(t, OBJ)))).toEqual(["6.12.0-rc3-faultc+", "6.12.0-rc3-dirty", "6.12.0-rc3", "6.1.192"]);
    // The root, not the subfolder whose Makefile sets no VERSION; relative paths give a relative root.
    expect(buildTreeOf(path.join(source, OBJ))).toBe(source);
    expect(buildTreeOf(path.relative(process.cwd(), path.join(source, OBJ)))).toBe(path.relative(process.cwd(), source));
    expect(kernelRelease(path.join(source, "Makefile"))).toBe("6.12.0-rc3");
  });

  it("outside a tree: undefined; a Makefile without arch/ or VERSION is not a tree", () => {
    const loose = make(path.join(dir, "loose"), { Makefile: MAKEFILE, "x/y.o": "", "z/Makefile": "all:\n", "z/arch/a": "", "z/w.o": "" });
    expect(buildTreeOf(path.join(loose, "x/y.o"))).toBeUndefined();
    expect(kernelRelease(path.join(loose, "x/y.o"))).toBeUndefined();
    expect(buildTreeOf(path.join(loose, "z/w.o"))).toBeUndefined();
  });

  it("a release file that says nothing is an error naming it", () => {
    const empty = make(path.join(dir, "empty"), { "include/config/kernel.release": "\n", [OBJ]: "" });
    expect(objectError(() => kernelRelease(path.join(empty, OBJ))).message).toBe(`${path.join(empty, "include/config/kernel.release")}: error: holds nothing, not a kernel release (one word such as 6.12.117)`);
    const noDefine = make(path.join(dir, "nodefine"), { Makefile: MAKEFILE, "arch/x": "", "include/generated/utsrelease.h": "/* nothing */\n", [OBJ]: "" });
    expect(objectError(() => kernelRelease(path.join(noDefine, OBJ))).reason).toBe(`has no '#define UTS_RELEASE "<release>"' line`);
  });

  it("the compile command from .NAME.o.cmd (cmd_ of 6.1, savedcmd_ of 6.12), make's escapes undone", () => {
    const t = make(path.join(dir, "cmds"), {
      "a/.x.o.cmd": "cmd_a/x.o := gcc -DA='\"a\"' -DCOST=$$5 -DHASH='$(pound)' -c -o a/x.o a/x.c\n\nsource_a/x.o := a/x.c\n",
      "b/.y.o.cmd": "savedcmd_b/y.o := gcc -D__KVM_VHE_HYPERVISOR__ -c -o b/y.o b/y.c\n",
      "c/.z.o.cmd": "deps_c/z.o := \\\n  c/z.c\n",
    });
    expect(compileCommand(path.join(t, "a/x.o"))).toBe("gcc -DA='\"a\"' -DCOST=$5 -DHASH='#' -c -o a/x.o a/x.c");
    expect(compileCommand(path.join(t, "b/y.o"))).toBe("gcc -D__KVM_VHE_HYPERVISOR__ -c -o b/y.o b/y.c");
    expect(compileCommand(path.join(t, "b/none.o"))).toBeUndefined();
    expect(objectError(() => compileCommand(path.join(t, "c/z.o"))).reason).toBe("no 'savedcmd_<path>/z.o := ...' (or 'cmd_...') line: not the kbuild command file of z.o");
  });
});

// ---- The real kernel objects. ----

/** Structs of the hyp objects whose members readelf lists as they are (no anonymous or bit-field members). */
const READELF_STRUCTS = ["kvm_vcpu_fault_info", "user_pt_regs", "kvm_cpu_context"];
const HYPERVISOR_DEFINE: Record<KernelObject, string> = { nvhe: "-D__KVM_NVHE_HYPERVISOR__", vhe: "-D__KVM_VHE_HYPERVISOR__" };

for (const version of KERNEL_VERSIONS) {
  describeWithKernel(version, `Linux ${version}: struct layouts, release and compile commands from the build`, (t) => {
    const dir = scratchDir(`dwarf-kernel-${version}`);

    it("the tree's release: include/config/kernel.release, as `make kernelversion` gave it", () => {
      const release = kernelStamp(t).get("kernelversion")!;
      expect(release).toMatch(new RegExp(`^${version.replace(".", "\\.")}\\.\\d+$`));
      for (const obj of [...Object.values(t.objects), ...Object.values(t.dwarf)]) {
        expect(buildTreeOf(obj)).toBe(t.dir);
        expect(kernelRelease(obj)).toBe(release);
      }
      expect(readFileSync(path.join(t.dir, "include/generated/utsrelease.h"), "utf8")).toContain(`"${release}"`);
    });

    for (const which of Object.keys(KERNEL_OBJECTS) as KernelObject[]) {
      it(`${which}: struct kvm_vcpu_fault_info from the full-DWARF twin, the object's own DWARF only declaring it`, () => {
        const layout = structLayout(t.objects[which], "kvm_vcpu_fault_info");
        expect(layout).toEqual({ name: "kvm_vcpu_fault_info", size: 32, members: FAULT_INFO, from: t.dwarf[which] });
        expect(structLayout(t.dwarf[which], "kvm_vcpu_fault_info").from).toBe(t.dwarf[which]);
        // Outside its tree, the reduced object has no twin to turn to.
        const alone = path.join(dir, `${which}-alone.o`);
        copyFileSync(t.objects[which], alone);
        expect(objectError(() => structLayout(alone, "kvm_vcpu_fault_info")).reason).toMatch(/only declared in the DWARF, without its members \(a kernel built with CONFIG_DEBUG_INFO_REDUCED/);
      });

      it(`${which}: layouts agree with readelf's reading of the twin`, () => {
        for (const name of READELF_STRUCTS) {
          const theirs = dwarfStruct(t.dwarf[which], name)!;
          const ours = structLayout(t.objects[which], name);
          expect(ours.size, name).toBe(theirs.byteSize);
          expect(new Map(ours.members.map((m) => [m.name, m.offset])), name).toEqual(theirs.members);
        }
      });

      it(`${which}: kbuild's compile command`, () => {
        const cmd = compileCommand(t.objects[which])!;
        expect(cmd).toMatch(/^aarch64-linux-gnu-gcc /);
        expect(cmd).toContain(` -o ${KERNEL_OBJECTS[which]} `);
        expect(cmd.split(" ")).toContain(HYPERVISOR_DEFINE[which]);
        expect(cmd.split(" ")).not.toContain(HYPERVISOR_DEFINE[which === "nvhe" ? "vhe" : "nvhe"]);
        expect(compileCommand(t.dwarf[which])).toBeUndefined();
      });
    }

    it("a truncated or corrupted twin is an ObjectError naming the twin", () => {
      // A copy of the tree's parts: the release, the reduced object and its twin.
      const tree = path.join(dir, "tree");
      const rel = KERNEL_OBJECTS.vhe;
      const obj = path.join(tree, rel);
      const twin = path.join(tree, "faultc-dwarf", rel);
      mkdirSync(path.dirname(obj), { recursive: true });
      mkdirSync(path.dirname(twin), { recursive: true });
      mkdirSync(path.join(tree, "include/config"), { recursive: true });
      copyFileSync(path.join(t.dir, "include/config/kernel.release"), path.join(tree, "include/config/kernel.release"));
      copyFileSync(t.objects.vhe, obj);
      const good = readFileSync(t.dwarf.vhe);
      const expectTwinError = (bytes: Uint8Array, pattern: RegExp) => {
        writeFileSync(twin, bytes);
        const e = objectError(() => structLayout(obj, "kvm_vcpu_fault_info"));
        expect(e.file).toBe(twin);
        expect(e.reason).toMatch(pattern);
      };
      for (const length of [0, 3, 63, 64, 4096, good.length >> 2, good.length >> 1, good.length - 64, good.length - 1]) {
        expectTwinError(good.subarray(0, length), /ELF|section|truncated/);
      }
      // A debug section's size cut in the section header: its contents end early.
      const elf = readElfFile(t.dwarf.vhe);
      const shoff = Number(Buffer.from(good).readBigUInt64LE(0x28));
      const cut = (name: string, size: number) => {
        const bytes = Buffer.from(good);
        bytes.writeBigUInt64LE(BigInt(size), shoff + elf.section(name)!.index * 64 + 32);
        return bytes;
      };
      const info = elf.section(".debug_info")!.size;
      expectTwinError(cut(".debug_info", info >> 1), /^\.debug_info\+0x[0-9a-f]+: the unit's 0x[0-9a-f]+ bytes run past the end of the 0x[0-9a-f]+-byte section$|relocation at \.debug_info\+0x[0-9a-f]+ .* lies outside its/);
      expectTwinError(cut(".debug_abbrev", 16), /\.debug_abbrev\+0x[0-9a-f]+: .* runs past the end of the section/);
      expectTwinError(cut(".debug_str", 256), /past the end of the 0x100-byte section/);
    });
  });
}
