// The generated kernel-style C and .S files through the real AArch64 cross toolchain (Debian:
// gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu): every bundled rule file is lowered, both
// files are written next to the shipped headers, compiled with the flags the headers document,
// and the objects are inspected (handler symbols, .altinstructions entries). Also as in a kernel
// tree, where asm/cpucaps.h has defined the ARM64_* capabilities with the kernel's numbers (-D here),
// and the headers' own behaviour: the alternative length check, the AT macro's encodings, how
// the alternative macros find a capability's number.
// Without the tools the suite is skipped with a message, except under CI where it fails.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitKernelAsm } from "../../src/codegen/c/asm-file.ts";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type { IrModule } from "../../src/codegen/ir/types.ts";
import { asmNumberSymbol, capabilityNumbers, isKernelStyle, moduleCapabilities } from "../../src/codegen/names/capabilities.ts";
import { checkFiles } from "../../src/parser/workspace.ts";

const GCC = "aarch64-linux-gnu-gcc";
const NM = "aarch64-linux-gnu-nm";
const OBJCOPY = "aarch64-linux-gnu-objcopy";
const OBJDUMP = "aarch64-linux-gnu-objdump";
const INSTALL = "apt-get install -y --no-install-recommends binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu";

/** Flags documented in include/faultc-asm.h and include/faultc-hyp.h. */
const AS_FLAGS = ["-c", "-x", "assembler-with-cpp", "-Wa,--fatal-warnings"];
const CC_FLAGS = ["-c", "-ffreestanding", "-O2", "-Wall", "-Wextra", "-Werror"];
/** What a kernel build adds on top (W=1 and the kernel's own flags), to keep the C pasteable. */
const KERNEL_FLAGS = ["-std=gnu11", "-Wdeclaration-after-statement", "-Wmissing-prototypes", "-Wstrict-prototypes", "-Wshadow"];

const missing = [GCC, NM, OBJCOPY, OBJDUMP].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
const toolsPresent = missing.length === 0;
if (!toolsPresent && !process.env.CI) {
  console.warn(`kernel-toolchain tests skipped: ${missing.join(", ")} not found. Install with: ${INSTALL}`);
}

function run(cmd: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return { ok: r.status === 0, output: `${cmd} ${args.join(" ")}\n${r.stdout}${r.stderr}` };
}

function mustRun(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (!r.ok) throw new Error(r.output);
  return r.output;
}

/** Symbols of an object file: name -> nm type letter. */
function symbols(obj: string, cwd: string): Map<string, string> {
  const out = execFileSync(NM, [obj], { cwd, encoding: "utf8" });
  const m = new Map<string, string>();
  for (const line of out.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length >= 2) m.set(parts[parts.length - 1], parts[parts.length - 2]);
  }
  return m;
}

function sectionBytes(obj: string, section: string, cwd: string): Buffer | undefined {
  const headers = execFileSync(OBJDUMP, ["-h", obj], { cwd, encoding: "utf8" });
  if (!headers.split("\n").some((l) => l.trim().split(/\s+/)[1] === section)) return undefined;
  const bin = path.join(cwd, `${path.basename(obj)}${section}.bin`);
  execFileSync(OBJCOPY, ["-O", "binary", `--only-section=${section}`, obj, bin], { cwd });
  return readFileSync(bin);
}

/** The capability each alternative block of a program text tests, in order (bare or quoted). */
function alternativeCaps(text: string): string[] {
  return [...text.matchAll(/^alternative_if(?:_not)? (?:"(\w+)"|(\w+))$/gm)].map((x) => x[1] ?? x[2]);
}

/** A kernel tree's number for each ARM64_* capability, as if its asm/cpucaps.h had defined it. */
function kernelNumbers(m: IrModule): Map<string, number> {
  return new Map(moduleCapabilities(m).filter(isKernelStyle).map((c, i) => [c, 31 + 7 * i]));
}

const bundled = readdirSync("dsl")
  .filter((f) => f.endsWith(".fault"))
  .sort()
  .map((f) => `dsl/${f}`);

function lower(file: string): IrModule {
  const ws = checkFiles([file]);
  expect(ws.diagnostics).toEqual([]);
  const checked = ws.files.get(file);
  if (checked === undefined) throw new Error(`${file} did not load`);
  return lowerFile(checked, ws);
}

describe("capability numbers", () => {
  it("are in no header: each generated .c and .S defines the ones it tests, the same in both", () => {
    for (const h of ["include/faultc-hyp.h", "include/faultc-asm.h"]) expect(readFileSync(h, "utf8"), h).not.toMatch(/ARM64_[A-Z]\w*\s*(=|,)\s*\d/);
    for (const file of bundled) {
      const m = lower(file);
      const numbers = capabilityNumbers(m);
      const c = emitKernelC(m);
      const asm = emitKernelAsm(m);
      for (const cap of m.handlers.flatMap((h) => h.capabilities)) expect(numbers.has(cap), `${file}: ${cap}`).toBe(true);
      for (const [cap, n] of numbers) {
        expect(c, `${file}: ${cap}`).toContain(`#ifndef ${cap}\n#define ${cap}\t0x${n.toString(16)}\n#endif\n`);
        expect(asm, `${file}: ${cap}`).toContain(`\t.set ${asmNumberSymbol(cap)}, 0x${n.toString(16)}\n`);
      }
    }
  });
});

if (!toolsPresent && process.env.CI) {
  describe("kernel toolchain", () => {
    it("is installed (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${INSTALL}`);
    });
  });
}

describe.skipIf(!toolsPresent)("kernel toolchain", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-kernel-"));
  mkdirSync(path.join(dir, "include"));
  for (const h of ["faultc-hyp.h", "faultc-asm.h"]) copyFileSync(path.join("include", h), path.join(dir, "include", h));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(bundled)("%s", (file) => {
    const m = lower(file);

    it(".S assembles; handlers are global functions; alternatives are in .altinstructions", () => {
      const text = emitKernelAsm(m);
      expect(text.startsWith('#include "faultc-asm.h"\n')).toBe(true);
      writeFileSync(path.join(dir, `${m.name}.S`), text);
      mustRun(GCC, [...AS_FLAGS, "-Iinclude", `${m.name}.S`, "-o", `${m.name}.S.o`], dir);

      const syms = symbols(`${m.name}.S.o`, dir);
      for (const h of m.handlers) expect(syms.get(h.name), `${h.name} in ${[...syms.keys()]}`).toBe("T");
      // Branches out of the program (__guest_exit, external handlers) are left to the linker.
      const outside = new Set([...text.matchAll(/^\tb ([A-Za-z_]\w*)$/gm)].map((x) => x[1]));
      expect(outside.size).toBeGreaterThan(0);
      for (const s of outside) expect(syms.get(s), s).toBe("U");

      // One 12-byte struct alt_instr per alternative block, with the number of the capability the text names.
      const caps = capabilityNumbers(m);
      const expected = alternativeCaps(text).map((x) => caps.get(x));
      const entries = sectionBytes(`${m.name}.S.o`, ".altinstructions", dir);
      if (expected.length === 0) {
        expect(entries).toBeUndefined();
        return;
      }
      expect(entries).toBeDefined();
      const bytes = entries ?? Buffer.alloc(0);
      expect(bytes.length).toBe(12 * expected.length);
      const found = Array.from({ length: expected.length }, (_, i) => bytes.readUInt16LE(12 * i + 8));
      expect(found).toEqual(expected);
      // Both sides of every alternative have the same, non-zero length.
      for (let i = 0; i < expected.length; i++) {
        expect(bytes[12 * i + 10]).toBeGreaterThan(0);
        expect(bytes[12 * i + 10]).toBe(bytes[12 * i + 11]);
      }
      expect(sectionBytes(`${m.name}.S.o`, ".altinstr_replacement", dir)?.length).toBe(expected.length * bytes[10]);
    });

    it("as in a kernel tree (ARM64_* defined first): the kernel's numbers in the .S's alt_instr entries and the .c's tests", () => {
      const kernel = kernelNumbers(m);
      expect(kernel.size).toBeGreaterThan(0);
      const defines = [...kernel].map(([cap, n]) => `-D${cap}=${n}`);
      const own = capabilityNumbers(m);
      const text = emitKernelAsm(m);
      writeFileSync(path.join(dir, `${m.name}.tree.S`), text);
      mustRun(GCC, [...AS_FLAGS, "-Iinclude", ...defines, `${m.name}.tree.S`, "-o", `${m.name}.tree.S.o`], dir);
      const bytes = sectionBytes(`${m.name}.tree.S.o`, ".altinstructions", dir) ?? Buffer.alloc(0);
      const expected = alternativeCaps(text).map((c) => kernel.get(c) ?? own.get(c));
      expect(Array.from({ length: bytes.length / 12 }, (_, i) => bytes.readUInt16LE(12 * i + 8))).toEqual(expected);

      const c = emitKernelC(m);
      writeFileSync(path.join(dir, `${m.name}.tree.c`), c);
      // No redefinition (that would be an error under -Werror), and every test by the kernel's number.
      mustRun(GCC, [...CC_FLAGS, ...KERNEL_FLAGS, "-Iinclude", ...defines, `${m.name}.tree.c`, "-o", `${m.name}.tree.o`], dir);
      const pre = execFileSync(GCC, ["-E", "-P", "-ffreestanding", "-Iinclude", ...defines, `${m.name}.tree.c`], { cwd: dir, encoding: "utf8" });
      const tested = new Set([...pre.matchAll(/cpus_have_final_cap\(([^)]*)\)/g)].map((x) => x[1]).filter((x) => x !== "int cap"));
      const used = new Set([...c.matchAll(/cpus_have_final_cap\((\w+)\)/g)].map((x) => x[1]));
      expect(used.size).toBeGreaterThan(0);
      expect([...tested].sort()).toEqual([...used].map((cap) => String(kernel.get(cap) ?? `0x${own.get(cap)?.toString(16)}`)).sort());
    });

    it(".c compiles freestanding with -Wall -Wextra -Werror (and the kernel's extra warnings)", () => {
      writeFileSync(path.join(dir, `${m.name}.c`), emitKernelC(m));
      mustRun(GCC, [...CC_FLAGS, "-Iinclude", `${m.name}.c`, "-o", `${m.name}.c.o`], dir);
      mustRun(GCC, [...CC_FLAGS, ...KERNEL_FLAGS, "-Iinclude", `${m.name}.c`, "-o", `${m.name}.kernel.o`], dir);

      const syms = symbols(`${m.name}.c.o`, dir);
      for (const h of m.handlers) expect(syms.get(h.name), h.name).toBe("T");
      const usesCaps = m.handlers.some((h) => h.capabilities.length > 0);
      expect(syms.get("cpus_have_final_cap")).toBe(usesCaps ? "U" : undefined);
      // The helpers are static inline: nothing else is exported.
      const exported = [...syms].filter(([, t]) => t === "T").map(([n]) => n).sort();
      expect(exported).toEqual(m.handlers.map((h) => h.name).sort());
    });
  });

  it("an alternative whose sides differ in length is an assembly error", () => {
    const src = ['#include "faultc-asm.h"', "\t.set .Lfaultc_cap_ARM64_HAS_S1POE, 2", "alternative_if_not ARM64_HAS_S1POE", "\tnop", "alternative_else", "\tnop", "\tnop", "alternative_endif", ""].join("\n");
    writeFileSync(path.join(dir, "mismatch.S"), src);
    const r = run(GCC, [...AS_FLAGS, "-Iinclude", "mismatch.S", "-o", "mismatch.o"], dir);
    expect(r.ok).toBe(false);
    expect(r.output).toContain("differ in length");
  });

  it("alternative_if puts the default inline and the replacement aside", () => {
    const src = ['#include "faultc-asm.h"', "\t.set .Lfaultc_cap_ARM64_WORKAROUND_834220, 1", "alternative_if ARM64_WORKAROUND_834220", "\tmov x0, #1", "alternative_else", "\tmov x0, #2", "alternative_endif", "\tret", ""].join("\n");
    writeFileSync(path.join(dir, "if.S"), src);
    mustRun(GCC, [...AS_FLAGS, "-Iinclude", "if.S", "-o", "if.o"], dir);
    const text = sectionBytes("if.o", ".text", dir);
    const repl = sectionBytes("if.o", ".altinstr_replacement", dir);
    const alt = sectionBytes("if.o", ".altinstructions", dir);
    expect(text?.readUInt32LE(0)).toBe(0xd2800040); // mov x0, #2
    expect(repl?.readUInt32LE(0)).toBe(0xd2800020); // mov x0, #1
    expect(alt?.readUInt16LE(8)).toBe(1);
  });

  it("the alternative macros take a number from .Lfaultc_cap_NAME, a bare number as it is, and refuse a name without one", () => {
    const block = (cap: string) => [`alternative_if_not ${cap}`, "\tnop", "alternative_else", "\tnop", "alternative_endif"];
    // The quoted name stays out of cpp's reach (__LINE__ and linux are macros there); the bare one does not.
    const src = ['#include "faultc-asm.h"', "\t.set .Lfaultc_cap___LINE__, 0x4ea7", "\t.set .Lfaultc_cap_x0, 0x1d15", "\t.set .Lfaultc_cap_linux, 0x100", ...block('"__LINE__"'), ...block('"x0"'), ...block('"linux"'), ...block("31"), ""];
    writeFileSync(path.join(dir, "numbers.S"), src.join("\n"));
    mustRun(GCC, [...AS_FLAGS, "-Iinclude", "numbers.S", "-o", "numbers.o"], dir);
    const alt = sectionBytes("numbers.o", ".altinstructions", dir) ?? Buffer.alloc(0);
    expect([0, 1, 2, 3].map((i) => alt.readUInt16LE(12 * i + 8))).toEqual([0x4ea7, 0x1d15, 0x100, 31]);
    for (const [name, cap] of [["unnumbered", "NOT_NUMBERED"], ["toolarge", "0x8000"]]) {
      writeFileSync(path.join(dir, `${name}.S`), ['#include "faultc-asm.h"', ...block(cap), ""].join("\n"));
      const r = run(GCC, [...AS_FLAGS, "-Iinclude", `${name}.S`, "-o", `${name}.o`], dir);
      expect(r.ok, r.output).toBe(false);
    }
  });

  it("the at macro assembles each AT operation to its architectural encoding", () => {
    // SYS #op1, Cn, Cm, #op2, Xt = 0xd5080000 | op1 << 16 | n << 12 | m << 8 | op2 << 5 | t
    const enc = (crm: number, op2: number, t: number, op1 = 0) => (0xd5080000 | (op1 << 16) | (7 << 12) | (crm << 8) | (op2 << 5) | t) >>> 0;
    const ops: [string, number][] = [
      ["s1e1r", enc(8, 0, 1)],
      ["s1e1w", enc(8, 1, 2)],
      ["s1e0r", enc(8, 2, 3)],
      ["s1e0w", enc(8, 3, 4)],
      ["s1e1a", enc(9, 2, 5)],
      ["s12e1r", enc(8, 4, 6, 4)],
      ["s12e1w", enc(8, 5, 7, 4)],
      ["s12e0r", enc(8, 6, 8, 4)],
      ["s12e0w", enc(8, 7, 9, 4)],
    ];
    const lines = ops.map(([op], i) => `\tat ${op}, x${i + 1}`);
    writeFileSync(path.join(dir, "at.S"), ['#include "faultc-asm.h"', ...lines, ""].join("\n"));
    mustRun(GCC, [...AS_FLAGS, "-Iinclude", "at.S", "-o", "at.o"], dir);
    const words = sectionBytes("at.o", ".text", dir);
    expect(Array.from({ length: ops.length }, (_, i) => words?.readUInt32LE(4 * i))).toEqual(ops.map(([, e]) => e));
    // The assembler's own mnemonics agree where it has them (all but s1e1a).
    const known = lines.filter((l) => !l.includes("s1e1a"));
    writeFileSync(path.join(dir, "at-plain.s"), [...known, ""].join("\n"));
    mustRun(GCC, ["-c", "at-plain.s", "-o", "at-plain.o"], dir);
    const plain = sectionBytes("at-plain.o", ".text", dir);
    expect(Array.from({ length: known.length }, (_, i) => plain?.readUInt32LE(4 * i))).toEqual(ops.filter(([op]) => op !== "s1e1a").map(([, e]) => e));
  });

  it("save_x0_to_x3 and restore_x0_to_x3 are the seed's stp/ldp pairs", () => {
    writeFileSync(path.join(dir, "save.S"), ['#include "faultc-asm.h"', "\tsave_x0_to_x3", "\trestore_x0_to_x3", ""].join("\n"));
    writeFileSync(path.join(dir, "save-plain.s"), ["\tstp x0, x1, [sp, #-16]!", "\tstp x2, x3, [sp, #-16]!", "\tldp x2, x3, [sp], #16", "\tldp x0, x1, [sp], #16", ""].join("\n"));
    mustRun(GCC, [...AS_FLAGS, "-Iinclude", "save.S", "-o", "save.o"], dir);
    mustRun(GCC, ["-c", "save-plain.s", "-o", "save-plain.o"], dir);
    expect(sectionBytes("save.o", ".text", dir)).toEqual(sectionBytes("save-plain.o", ".text", dir));
  });
});
