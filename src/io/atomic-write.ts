// Output that is never half-written and leaves no temporary file behind. A file is written
// under a temporary name in its own folder, then renamed over the target, which is atomic on
// POSIX file systems: a reader sees the old content or the new, never a part.
//
// Every temporary file that exists is in a registry. While it is not empty, SIGINT, SIGTERM and
// SIGHUP remove them all before the process exits with 128 + the signal's number, and so does
// the process's exit. Only SIGKILL (or a crash of the machine) can leave one: its name,
// `.faultc-tmp-PID-N-NAME`, says which process made it, so that a later build can tell a
// leftover of a dead process (removed) from a write in progress (left alone).
import { lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const TEMP_PREFIX = ".faultc-tmp-";

/** A file could not be written; the message names it and says why, for the user. */
export class OutputError extends Error {}

const live = new Set<string>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let counter = 0;

function removeLive(): void {
  for (const tmp of live) rmSync(tmp, { force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeLive();
  process.exit(128 + constants.signals[signal]);
}

// The handlers are installed only while a temporary file exists, so that everywhere else a
// signal keeps its default effect.
function track(tmp: string): void {
  if (live.size === 0) {
    for (const s of SIGNALS) process.on(s, onSignal);
    process.on("exit", removeLive);
  }
  live.add(tmp);
}

function untrack(tmp: string): void {
  live.delete(tmp);
  if (live.size === 0) {
    for (const s of SIGNALS) process.off(s, onSignal);
    process.off("exit", removeLive);
  }
}

/**
 * Test hook: with FAULTC_TEST_HOLD_TEMP_MS set, every write waits that long (on the event loop,
 * so signals are handled) between writing its temporary file and renaming it, after saying
 * `faultc: holding TEMP` on stderr. test/codegen/build-interrupt.test.ts kills a build there.
 */
async function holdForTest(tmp: string): Promise<void> {
  const ms = Number(process.env.FAULTC_TEST_HOLD_TEMP_MS ?? "");
  if (!(ms > 0)) return;
  process.stderr.write(`faultc: holding ${tmp}\n`);
  await sleep(ms);
}

/** The nearest of `dir` and its parents that exists but is not a folder, if any, spelled as in `dir`. */
export function nonFolderAncestor(dir: string): string | undefined {
  for (let p = path.normalize(dir); ; p = path.dirname(p)) {
    try {
      return statSync(p).isDirectory() ? undefined : p;
    } catch {
      // Missing (or below a file): look at the parent.
    }
    if (path.dirname(p) === p) return undefined;
  }
}

/** Why files cannot be written into `dir`, or undefined when nothing stands in the way. */
export function outputFolderProblem(dir: string): string | undefined {
  const blocker = nonFolderAncestor(dir);
  return blocker === undefined ? undefined : `cannot write into '${dir}': '${blocker}' is a file, not a folder`;
}

function describe(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== "string") return err instanceof Error ? err : new Error(String(err));
  const blocker = nonFolderAncestor(path.dirname(file));
  if (blocker !== undefined) return new OutputError(`cannot write '${file}': '${blocker}' is a file, not a folder`);
  if (code === "EISDIR") return new OutputError(`cannot write '${file}': it is a folder`);
  // "EACCES: permission denied, open '...'": the reason in words, without the code or the
  // temporary file's name.
  const reason = (err as Error).message.split(",")[0].replace(/^[A-Z]+: /, "");
  return new OutputError(`cannot write '${file}': ${reason}`);
}

/** Writes `content` to `file` atomically, making its folder if needed. Throws OutputError. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  // A rename replaces whatever the name held: a device (/dev/full), a FIFO or a socket would be
  // turned into a regular file, and a symbolic link replaced instead of followed. Only regular
  // files (or nothing) are ever replaced.
  let existing;
  try {
    existing = lstatSync(file);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && existing.isDirectory()) throw new OutputError(`cannot write '${file}': it is a folder`);
  if (existing !== undefined && !existing.isFile()) {
    const what = existing.isSymbolicLink() ? "a symbolic link" : existing.isFIFO() ? "a FIFO" : existing.isSocket() ? "a socket" : "a device";
    throw new OutputError(`cannot write '${file}': it is ${what}, not a regular file`);
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw describe(file, err);
  }
  const tmp = path.join(dir, `${TEMP_PREFIX}${process.pid}-${counter++}-${path.basename(file)}`);
  track(tmp);
  try {
    await writeFile(tmp, content);
    await holdForTest(tmp);
    await rename(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw describe(file, err);
  } finally {
    untrack(tmp);
  }
}

export interface Leftover {
  file: string;
  /** The process that made it, from its name. */
  pid: number | undefined;
  /** The process that made it still runs: it may be a write in progress. */
  running: boolean;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The temporary files in `dir` (not in its subfolders), sorted by name. */
export function temporariesIn(dir: string): Leftover[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
  const result: Leftover[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const m = /^(\d+)-/.exec(name.slice(TEMP_PREFIX.length));
    const pid = m === null ? undefined : Number(m[1]);
    result.push({ file: path.join(dir, name), pid, running: pid !== undefined && isRunning(pid) });
  }
  return result;
}
