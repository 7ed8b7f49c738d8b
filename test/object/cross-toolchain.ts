// The AArch64 cross toolchain for the object-layer tests: compiling small C and assembly sources
// written in the tests into objects, and objdump as the oracle for decoding. Without the tools a
// suite is skipped with the install command, except under CI (env CI=true), where it fails.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, it } from "vitest";

export const GCC = "aarch64-linux-gnu-gcc";
export const OBJDUMP = "aarch64-linux-gnu-objdump";
const INSTALL = "apt-get install -y --no-install-recommends binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu";

export const missingCrossTools = [GCC, OBJDUMP].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);

/** describe() that needs the cross toolchain: skipped without it, failing under CI. */
export function describeWithCross(name: string, body: () => void): void {
  if (missingCrossTools.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `${missingCrossTools.join(", ")} not found. Install with: ${INSTALL}`;
  if (process.env.CI) {
    describe(name, () => {
      it("has the AArch64 cross toolchain (CI)", () => {
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

/** A scratch folder removed after the suite. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `faultc-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Compiles `source` (C, or assembly for `.S`) with gcc -c into `dir/name.o`; returns its path.
 * Position-dependent, as the kernel builds (Debian's gcc defaults to PIE, whose GOT relocations a
 * kernel object never has).
 */
export function compile(dir: string, name: string, source: string, flags: readonly string[] = ["-O2"]): string {
  const src = path.join(dir, name);
  const obj = src.replace(/\.[cS]$/, ".o");
  writeFileSync(src, source);
  execFileSync(GCC, ["-c", "-ffreestanding", "-fno-pic", "-fno-asynchronous-unwind-tables", ...flags, "-o", obj, src], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return obj;
}

/** One line of `objdump -d`: address, word, and the instruction text as objdump prints it. */
export interface ObjdumpLine {
  address: bigint;
  word: number;
  text: string;
}

/** Every instruction objdump disassembles in `obj` (executable sections, section-relative addresses). */
export function objdumpLines(obj: string, extra: readonly string[] = []): ObjdumpLine[] {
  const out = execFileSync(OBJDUMP, ["-d", ...extra, obj], { encoding: "utf8", maxBuffer: 256 << 20 });
  return parseObjdump(out);
}

export function parseObjdump(out: string): ObjdumpLine[] {
  const lines: ObjdumpLine[] = [];
  for (const line of out.split("\n")) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(line);
    if (m) lines.push({ address: BigInt(`0x${m[1]}`), word: parseInt(m[2], 16), text: m[3] });
  }
  return lines;
}

/** objdump -D -b binary over raw words, as lines at addresses base, base + 4, ... */
export function objdumpWords(dir: string, words: ArrayLike<number>, base = 0n): ObjdumpLine[] {
  const file = path.join(dir, `words-${words.length}.bin`);
  const bytes = Buffer.alloc(words.length * 4);
  for (let i = 0; i < words.length; i++) bytes.writeUInt32LE(words[i] >>> 0, i * 4);
  writeFileSync(file, bytes);
  const args = ["-D", "-b", "binary", "-m", "aarch64", `--adjust-vma=0x${base.toString(16)}`, file];
  return parseObjdump(execFileSync(OBJDUMP, args, { encoding: "utf8", maxBuffer: 256 << 20 }));
}

/**
 * objdump's text in the form faultc's disassembler prints: comments dropped, a branch target
 * `34 <fn+0x34>` as `0x34`, one space between operands. binutils 2.40 predates the FEAT_ATS1A
 * name, so its `sys #0, C7, C9, #2, xN` is AT S1E1A (with no register printed for xzr).
 */
export function normalizeObjdump(text: string): string {
  return text
    .replace(/\s*\/\/.*$/, "")
    .replace(/\s+([0-9a-f]+) <[^>]*>/g, " 0x$1")
    .replace(/^sys\s+#0, C7, C9, #2(?:, (x\d+))?$/, (_, x: string | undefined) => `at s1e1a, ${x ?? "xzr"}`)
    .replace(/\s+/g, " ")
    .replace(/ ?, ?/g, ", ")
    .trim();
}
