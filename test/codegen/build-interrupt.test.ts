// An interrupted build leaves no temporary file and no half-written output. The CLI is spawned
// with FAULTC_TEST_HOLD_TEMP_MS (src/io/atomic-write.ts), so that its write pauses while the
// temporary file exists, and is sent SIGTERM or SIGINT at that moment: it must remove the
// temporary file, leave the target as it was, and exit with 128 + the signal's number.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { TEMP_PREFIX } from "../../src/io/atomic-write.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const quiet = { stdout: () => {}, stderr: () => {} };
const HOLD_MS = 120_000;

interface Held {
  /** The temporary file the child said it holds. */
  tmp: string;
  /** Whether it existed when the test looked, just before the signal. */
  existed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Spawns `argv` (node with tsx), waits until it holds a temporary file, sends `signal`, waits for the end. */
function killWhileHolding(argv: string[], signal: NodeJS.Signals): Promise<Held> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: { ...process.env, FAULTC_TEST_HOLD_TEMP_MS: String(HOLD_MS) }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let held: { tmp: string; existed: boolean } | undefined;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      const m = /^faultc: holding (.+)$/m.exec(stderr);
      if (m !== null && held === undefined) {
        held = { tmp: m[1], existed: existsSync(m[1]) };
        child.kill(signal);
      }
    });
    child.on("error", reject);
    child.on("exit", (code, sig) => {
      if (held === undefined) reject(new Error(`the child ended without holding a temporary file (exit ${code}): ${stderr}`));
      else resolve({ ...held, code, signal: sig, stderr });
    });
  });
}

function temporaries(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(TEMP_PREFIX));
}

describe("an interrupted build", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} while a temporary file exists: it is removed, the output is as before, exit ${128 + constants.signals[signal]}`, async () => {
      const out = mkdtempSync(path.join(tmpdir(), "faultc-interrupt-"));
      dirs.push(out);
      expect(await main(["build", "--out", out, "dsl/xen.fault"], quiet)).toBe(0);
      // One output is stale, so the build has exactly one file to write.
      const stale = path.join(out, "xen.c");
      const staleText = `${readFileSync(stale, "utf8")}/* edited */\n`;
      writeFileSync(stale, staleText);
      const before = new Map(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f), "utf8")]));

      const r = await killWhileHolding(["bin/faultc.js", "build", "--out", out, "dsl/xen.fault"], signal);
      expect(path.dirname(r.tmp)).toBe(out);
      expect(path.basename(r.tmp)).toMatch(new RegExp(`^\\${TEMP_PREFIX}\\d+-\\d+-xen\\.c$`));
      expect(r.existed, "the temporary file existed when the signal was sent").toBe(true);
      expect(r.signal).toBe(null);
      expect(r.code).toBe(128 + constants.signals[signal]);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(temporaries(out)).toEqual([]);
      expect(new Map(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f), "utf8")]))).toEqual(before);

      // The next build repairs the stale file and finds nothing else to do.
      let stdout = "";
      expect(await main(["build", "--out", out, "dsl/xen.fault"], { stdout: (t) => void (stdout += t), stderr: () => {} })).toBe(0);
      expect(stdout).toBe(`wrote ${stale}\n1 written, 3 unchanged, 0 removed\n`);
    }, 60_000);
  }

  it("the process exiting while a write is under way removes its temporary file too", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "faultc-interrupt-"));
    dirs.push(out);
    const target = path.join(out, "x.txt");
    // process.exit from elsewhere while the write holds its temporary file: the exit handler runs.
    const script = [
      `const { writeFileAtomic } = await import(${JSON.stringify(path.resolve("src/io/atomic-write.ts"))});`,
      `void writeFileAtomic(${JSON.stringify(target)}, "new");`,
      `process.stderr.on("error", () => {});`,
      `process.on("SIGUSR2", () => process.exit(3));`,
    ].join("\n");
    const r = await killWhileHolding(["--import", "tsx", "--input-type=module", "-e", script], "SIGUSR2");
    expect(r.existed).toBe(true);
    expect(r.code).toBe(3);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});
