// binutils' disassembly of one word, for error messages only: when faultc refuses an instruction,
// the message shows what objdump calls it, so the reader need not decode the hex by hand. It is
// never used to decide anything, and its absence only shortens the message.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const OBJDUMP = "aarch64-linux-gnu-objdump";

/** objdump's text for `word` (e.g. "madd x0, x1, x0, x0"), or undefined without objdump. */
export function objdumpWord(word: number): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-word-"));
  try {
    const file = path.join(dir, "word.bin");
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(word >>> 0, 0);
    writeFileSync(file, bytes);
    const r = spawnSync(OBJDUMP, ["-D", "-b", "binary", "-m", "aarch64", file], { encoding: "utf8", timeout: 10_000 });
    if (r.status !== 0 || typeof r.stdout !== "string") return undefined;
    const line = r.stdout.split("\n").find((l) => /^\s*0:\s/.test(l));
    const m = line === undefined ? null : /^\s*0:\s+[0-9a-f]{8}\s+(.*)$/.exec(line);
    return m === null ? undefined : m[1].replace(/\s*\/\/.*$/, "").replace(/\s+/g, " ").trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
