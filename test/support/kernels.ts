// The real Linux trees and objects that `npm run kernels` (scripts/kernels.sh) builds into
// .cache/kernels (or $FAULTC_KERNELS_DIR), for the tests that read them: where each tree and
// object is, what of it is missing, a describe() that skips with the reason when the trees are not
// built here and fails under CI (which builds them first), and readers for the objects' symbols
// and DWARF struct layouts (through the cross binutils, as a kernel developer would look).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "vitest";

export type KernelVersion = "6.1" | "6.12";
export const KERNEL_VERSIONS: readonly KernelVersion[] = ["6.1", "6.12"];

/** The cache root; the script resolves $FAULTC_KERNELS_DIR the same way (against the repository root, where vitest runs). */
export const KERNELS_DIR = path.resolve(process.env.FAULTC_KERNELS_DIR ?? path.join(".cache", "kernels"));

/** The two objects each tree builds, relative to the tree. */
export const KERNEL_OBJECTS = {
  nvhe: "arch/arm64/kvm/hyp/nvhe/switch.nvhe.o",
  vhe: "arch/arm64/kvm/hyp/vhe/switch.o",
} as const;
export type KernelObject = keyof typeof KERNEL_OBJECTS;

const READELF = "aarch64-linux-gnu-readelf";
const NM = "aarch64-linux-gnu-nm";
const OBJDUMP = "aarch64-linux-gnu-objdump";
const TOOLS = [READELF, NM, OBJDUMP];

export interface KernelTree {
  version: KernelVersion;
  /** The unpacked, configured source tree. */
  dir: string;
  /** The objects exactly as the kernel build makes them. */
  objects: Record<KernelObject, string>;
  /** The same compiles with full debug information (the defconfig's DWARF leaves structs as declarations). */
  dwarf: Record<KernelObject, string>;
  /** Written last by the script: a tree without it is incomplete. */
  stamp: string;
}

export function kernelTree(version: KernelVersion): KernelTree {
  const dir = path.join(KERNELS_DIR, `linux-${version}`);
  const under = (base: string) =>
    Object.fromEntries(Object.entries(KERNEL_OBJECTS).map(([k, rel]) => [k, path.join(base, rel)])) as Record<KernelObject, string>;
  return { version, dir, objects: under(dir), dwarf: under(path.join(dir, "faultc-dwarf")), stamp: path.join(dir, ".faultc-stamp") };
}

/** The stamp's `key=value` lines: recipe, package ("linux-source-6.12 6.12.117-1~deb12u1"), kernelversion. */
export function kernelStamp(t: KernelTree): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(t.stamp, "utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** What keeps the tests from using the tree: tools, the stamp, the objects. Empty when all is there. */
export function missingKernelParts(t: KernelTree): string[] {
  const missing = TOOLS.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
  if (!existsSync(t.stamp)) missing.push(t.stamp);
  for (const o of [...Object.values(t.objects), ...Object.values(t.dwarf)]) if (!existsSync(o)) missing.push(o);
  return missing;
}

/**
 * describe(name, ...) over a built tree. Where it is missing the suite is skipped and says why;
 * under CI (env CI=true), which runs `npm run kernels` before the tests, a missing tree fails.
 */
export function describeWithKernel(version: KernelVersion, name: string, body: (t: KernelTree) => void): void {
  const t = kernelTree(version);
  const missing = missingKernelParts(t);
  if (missing.length === 0) {
    describe(name, () => body(t));
    return;
  }
  const reason = `Linux ${version} objects missing (${missing.join(", ")}); build them with: npm run kernels`;
  if (process.env.CI) {
    describe(name, () => {
      it("has the kernel objects (CI)", () => {
        throw new Error(reason);
      });
    });
    return;
  }
  console.warn(`${name}: skipped: ${reason}`);
  describe.skip(name, () => {
    it(reason, () => {});
  });
}

export function readelf(args: string[], obj: string): string {
  return execFileSync(READELF, ["-W", ...args, obj], { encoding: "utf8", maxBuffer: 256 << 20 });
}

export interface ElfSymbol {
  name: string;
  type: string;
  bind: string;
  size: number;
  section: string;
}

/** The symbol table (readelf -s): every named symbol. */
export function elfSymbols(obj: string): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const line of readelf(["-s"], obj).split("\n")) {
    // Num: Value Size Type Bind Vis Ndx Name
    const m = /^\s*\d+:\s+[0-9a-f]+\s+(\d+)\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)$/.exec(line);
    if (m) out.push({ size: Number(m[1]), type: m[2], bind: m[3], section: m[4], name: m[5] });
  }
  return out;
}

/** nm's one-letter type of a symbol (t/T: text), or undefined. */
export function nmType(obj: string, name: string): string | undefined {
  for (const line of execFileSync(NM, [obj], { encoding: "utf8" }).split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts[parts.length - 1] === name) return parts[parts.length - 2];
  }
  return undefined;
}

/** Disassembly with relocations, without the file-name line (to compare two objects' code). */
export function disassembly(obj: string): string {
  return execFileSync(OBJDUMP, ["-dr", obj], { encoding: "utf8", maxBuffer: 256 << 20 }).split("\n").slice(2).join("\n");
}

export interface DwarfStruct {
  byteSize: number;
  /** Member name -> byte offset. */
  members: Map<string, number>;
}

/**
 * The definition of `struct <name>` in an object's DWARF (readelf --debug-dump=info), or
 * undefined when the object has none (only declarations, as with CONFIG_DEBUG_INFO_REDUCED).
 */
export function dwarfStruct(obj: string, name: string): DwarfStruct | undefined {
  const lines = readelf(["--debug-dump=info"], obj).split("\n");
  // `DW_AT_name : (strp) (offset: 0xbc8b): kvm_vcpu_fault_info`, `DW_AT_byte_size : (data1) 32`.
  const attr = (l: string, a: string) =>
    new RegExp(`DW_AT_${a}\\s*:\\s*(?:\\(\\w+\\)\\s*)?(?:\\((?:indirect string, )?offset: 0x[0-9a-f]+\\):\\s*)?(.*)$`).exec(l)?.[1].trim();
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*<(\d+)><[0-9a-f]+>: Abbrev Number: \d+ \(DW_TAG_structure_type\)/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    let found = false;
    let byteSize: number | undefined;
    let declaration = false;
    for (; j < lines.length && !/Abbrev Number/.test(lines[j]); j++) {
      if (attr(lines[j], "name") === name) found = true;
      const bs = attr(lines[j], "byte_size");
      if (bs !== undefined) byteSize = Number(bs);
      if (attr(lines[j], "declaration") !== undefined) declaration = true;
    }
    if (!found || declaration || byteSize === undefined) continue;
    // Its members are the DIEs one level deeper that follow, up to the next DIE at its level or above.
    const depth = Number(open[1]);
    const members = new Map<string, number>();
    let member: string | undefined;
    for (; j < lines.length; j++) {
      const die = /^\s*<(\d+)><[0-9a-f]+>: Abbrev Number: (\d+)(?: \((DW_TAG_\w+)\))?/.exec(lines[j]);
      if (die) {
        if (Number(die[1]) <= depth || die[2] === "0") break;
        member = undefined;
        continue;
      }
      const n = attr(lines[j], "name");
      if (n !== undefined) member = n;
      const loc = attr(lines[j], "data_member_location");
      if (loc !== undefined && member !== undefined) members.set(member, Number(loc));
    }
    return { byteSize, members };
  }
  return undefined;
}
