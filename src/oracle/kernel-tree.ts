// What the QEMU oracle reads from a kernel build tree at run time (never copied into faultc): its
// files by line, its .config's options and a header's integer #defines.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { OracleRunError } from "./qemu.ts";

/** `file` of `tree` as lines (file:line N is element N-1). */
export function readTreeFile(tree: string, file: string): string[] {
  try {
    return readFileSync(path.join(tree, file), "utf8").split("\n");
  } catch {
    throw new OracleRunError(`${path.join(tree, file)}: error: cannot read the kernel tree's file`);
  }
}

/** A .config's value of `option`: "y", "m", a string, or undefined (not set), with its line (0: absent). */
export function kconfigValue(lines: readonly string[], option: string): { value: string | undefined; line: number } {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === `# ${option} is not set`) return { value: undefined, line: i + 1 };
    if (lines[i].startsWith(`${option}=`)) return { value: lines[i].slice(option.length + 1), line: i + 1 };
  }
  return { value: undefined, line: 0 };
}

/** The value of `#define NAME <integer>` in `file` of `tree`, and its line; an error when there is not exactly one. */
export function kernelDefine(tree: string, file: string, name: string): { value: bigint; line: number } {
  const lines = readTreeFile(tree, file);
  const found: { value: bigint; line: number }[] = [];
  lines.forEach((l, i) => {
    const m = /^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*(?:\/\*.*\*\/\s*)?$/.exec(l);
    if (m !== null && m[1] === name) found.push({ value: BigInt(m[2]), line: i + 1 });
  });
  if (found.length !== 1) throw new OracleRunError(`${path.join(tree, file)}: error: ${found.length === 0 ? "no" : `${found.length}`} integer #define of ${name}`);
  return found[0];
}
