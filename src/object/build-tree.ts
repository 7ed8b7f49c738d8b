// The kernel build tree an object was compiled in, and what kbuild leaves there about it: the
// tree's root (found by walking up from the object), its kernel release, the object's compile
// command, and where scripts/kernels.sh puts the object's full-DWARF twin. A binding is checked
// against the struct layout of the very build its object came from, so these are read from the
// tree, never assumed from a version number.
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { ObjectError } from "./errors.ts";

/** Where the full-DWARF twins of a tree's objects live, under the tree: `<tree>/faultc-dwarf/<same relative path>`. */
export const DWARF_TWIN_DIR = "faultc-dwarf";

const KERNEL_RELEASE = "include/config/kernel.release";
const UTSRELEASE_H = "include/generated/utsrelease.h";

/** The folders from the one holding `file` up to the file system's root, nearest first, as absolute paths. */
export function foldersAbove(file: string): string[] {
  const out: string[] = [];
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    out.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new ObjectError(file, `cannot read ${what} '${file}'`);
  }
}

/** The top Makefile's `VERSION = 6` style assignments (the kernel's own, before any include). */
function makefileVersion(makefile: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readText(makefile, "the tree's Makefile").split("\n")) {
    const m = /^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*[:?]?=[ \t]*(.*?)\s*$/.exec(line);
    if (m !== null && !vars.has(m[1])) vars.set(m[1], m[2]);
  }
  return vars;
}

/**
 * A kernel build tree's root: a folder holding include/config/kernel.release (written by every
 * configured build, also an O= output folder), or the source tree's top Makefile (one that sets
 * VERSION; every subfolder has a Makefile too) beside arch/.
 */
function isTreeRoot(dir: string): boolean {
  if (isFile(path.join(dir, KERNEL_RELEASE))) return true;
  const makefile = path.join(dir, "Makefile");
  return isFile(makefile) && isDirectory(path.join(dir, "arch")) && makefileVersion(makefile).has("VERSION");
}

/** An absolute folder in the style of `like`: relative to the current folder when `like` is relative (reports carry no machine paths). */
function inStyleOf(like: string, dir: string): string {
  return path.isAbsolute(like) ? dir : path.relative(process.cwd(), dir) || ".";
}

export function buildTreeOf(objectPath: string): string | undefined {
  const root = foldersAbove(objectPath).find(isTreeRoot);
  return root === undefined ? undefined : inStyleOf(objectPath, root);
}

export function kernelRelease(objectPath: string): string | undefined {
  const tree = buildTreeOf(objectPath);
  if (tree === undefined) return undefined;
  const release = path.join(tree, KERNEL_RELEASE);
  if (isFile(release)) {
    const text = readText(release, "the kernel release").trim();
    if (text === "" || /\s/.test(text)) throw new ObjectError(release, `holds ${text === "" ? "nothing" : `'${text}'`}, not a kernel release (one word such as 6.12.117)`);
    return text;
  }
  const uts = path.join(tree, UTSRELEASE_H);
  if (isFile(uts)) {
    const m = /^\s*#\s*define\s+UTS_RELEASE\s+"([^"\s]+)"/m.exec(readText(uts, "the release header"));
    if (m === null) throw new ObjectError(uts, `has no '#define UTS_RELEASE "<release>"' line`);
    return m[1];
  }
  // Only the source tree: its kernelversion, as the Makefile composes it (no local version).
  const v = makefileVersion(path.join(tree, "Makefile"));
  const version = v.get("VERSION") ?? "";
  if (!/^\d+$/.test(version)) throw new ObjectError(path.join(tree, "Makefile"), `VERSION is '${version}', not a number`);
  const patchlevel = v.get("PATCHLEVEL") ?? "";
  const sublevel = v.get("SUBLEVEL") ?? "";
  return version + (patchlevel !== "" ? `.${patchlevel}${sublevel !== "" ? `.${sublevel}` : ""}` : "") + (v.get("EXTRAVERSION") ?? "");
}

export function compileCommand(objectPath: string): string | undefined {
  const base = path.basename(objectPath);
  const cmdFile = path.join(path.dirname(objectPath), `.${base}.cmd`);
  if (!isFile(cmdFile)) return undefined;
  // Linux 6.1 writes `cmd_<target> := <command>`, 6.12 `savedcmd_<target> := <command>`; the
  // target is the object's path from the tree's root.
  for (const line of readText(cmdFile, "the kbuild command file").split("\n")) {
    const m = /^(?:saved)?cmd_(\S+) := (.*)$/.exec(line);
    if (m === null || path.posix.basename(m[1]) !== base) continue;
    // The value is make text: kbuild writes `$` as `$$` and `#` as `$(pound)`.
    return m[2].replace(/\$\(pound\)|\$\$/g, (s) => (s === "$$" ? "$" : "#")).trim();
  }
  throw new ObjectError(cmdFile, `no 'savedcmd_<path>/${base} := ...' (or 'cmd_...') line: not the kbuild command file of ${base}`);
}

/**
 * Where the full-DWARF twin of an object in a tree is (`<tree>/faultc-dwarf/<its path in the
 * tree>`), whether or not it exists; undefined outside a tree, and for a twin itself.
 */
export function dwarfTwinOf(objectPath: string): string | undefined {
  const tree = buildTreeOf(objectPath);
  if (tree === undefined) return undefined;
  const rel = path.relative(path.resolve(tree), path.resolve(objectPath));
  if (rel.split(path.sep)[0] === DWARF_TWIN_DIR) return undefined;
  return path.join(tree, DWARF_TWIN_DIR, rel);
}
