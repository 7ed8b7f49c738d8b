// What `faultc build` generated before, so that a build with nothing changed does not generate
// again: emitting the TypeScript variants loads ts-morph and prettier and formats every module,
// which was most of the time of such a build. For each output file, the cache records a key (the
// output's name, the rule file's input hash, and a fingerprint of the generator) and the sha256
// of the content generated for it. When the key matches and the file on disk still has that
// sha256, the file's text is what generation would give, and it is taken as the output without
// emitting. Anything else (another key, a file edited by hand, gone, or unreadable) generates.
//
// It also records checks that reported nothing at all (not even a warning): for the rule files
// a check started from, the sha256 of the text of every file that check read (them and all they
// import). While each of those files has that text and the generator (the checker is part of
// it) is the same, checking them again would report nothing again, so a build need not parse a
// file only to learn that (dsl/arch's files no rule file imports, for arch-facts.ts).
//
// The generator's fingerprint covers what can change the output without changing the rule
// files: the code that generates, and package-lock.json (the versions of prettier and ts-morph).
// While dist/stamp.json is current (it records the size and time of every source the compiled
// code was built from, and each still has them: bin/compiled.js), the stamp's text stands for
// the code, compiled or not: the compiled faultc, which bin/faultc.js runs only then, reads it
// without checking again (the bin has just stat'ed every source), and the sources (the tests)
// check it, so that both take the same fingerprint and each finds what the other generated.
// Otherwise (or under FAULTC_FROM_SOURCE=1) the code is the sources, every file under src/
// (path, size and modification time: a stat each, not a read). Like the C-like modules' cache
// (sides/rule-file.ts), the record lives in the system's temporary folder, one file per output
// folder, written atomically; it is only ever a shortcut, so a record that cannot be read or
// written is ignored and the build generates as if there were none.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { STAMP, staleness } from "../../bin/compiled.js";
import { writeFileAtomic } from "../io/atomic-write.ts";
import { COMPILED } from "../io/build-mode.ts";
import { decodeUtf8 } from "../parser/source.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CACHE_VERSION = 1;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Appends `rel size mtime` of every file under `dir` (of the checkout, or absolute; recursively, sorted) to `h`. */
function fingerprintTree(h: ReturnType<typeof createHash>, dir: string): void {
  let entries;
  try {
    entries = readdirSync(path.resolve(ROOT, dir), { withFileTypes: true });
  } catch {
    h.update(`${dir} -\n`);
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) fingerprintTree(h, rel);
    else if (e.isFile()) fingerprintFile(h, rel);
  }
}

function fingerprintFile(h: ReturnType<typeof createHash>, rel: string): void {
  try {
    const s = statSync(path.resolve(ROOT, rel));
    h.update(`${rel} ${s.size} ${s.mtimeMs}\n`);
  } catch {
    h.update(`${rel} -\n`);
  }
}

/**
 * The fingerprint of the generator that runs: from the sources, the files under `sources` (src/)
 * by path, size and time; compiled, the text of dist/stamp.json (`stamp`: read by the caller), which names the same
 * for every source dist/ was built from. Both with package-lock.json's size and time.
 */
export function fingerprintOf(code: { sources: string } | { stamp: string }): string {
  const h = createHash("sha256");
  if ("sources" in code) fingerprintTree(h, code.sources);
  else h.update(`compiled\0${code.stamp}\0`);
  fingerprintFile(h, "package-lock.json");
  return h.digest("hex");
}

function currentFingerprint(): string {
  if (COMPILED || staleness("faultc") === undefined) {
    try {
      return fingerprintOf({ stamp: readFileSync(STAMP, "utf8") });
    } catch {
      // No stamp to read after all: the sources stand for the code.
    }
  }
  return fingerprintOf({ sources: "src" });
}

let fingerprint: string | undefined;

/** The generator's fingerprint: computed once per process (the sources do not change under it). */
export function generatorFingerprint(): string {
  return (fingerprint ??= currentFingerprint());
}

function keyOf(out: string, inputs: string): string {
  return sha256(`${generatorFingerprint()}\0${path.basename(out)}\0${inputs}`);
}

interface Entry {
  key: string;
  sha256: string;
}

/** A clean check: each file it read, with the sha256 of its text. */
type CleanCheck = Record<string, string>;

function checkKey(roots: readonly string[]): string {
  return sha256(`${generatorFingerprint()}\0check\0${[...roots].sort().join("\0")}`);
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object";

export class BuildCache {
  private static readonly opened = new Map<string, BuildCache>();
  private readonly entries = new Map<string, Entry>();
  private readonly checks = new Map<string, CleanCheck>();
  private dirty = false;

  private constructor(private readonly file: string) {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as { version?: number; entries?: Record<string, Entry>; checks?: Record<string, CleanCheck> };
      if (data.version === CACHE_VERSION && isObject(data.entries)) {
        for (const [out, e] of Object.entries(data.entries)) if (typeof e?.key === "string" && typeof e?.sha256 === "string") this.entries.set(out, e);
        for (const [key, read] of Object.entries(isObject(data.checks) ? data.checks : {})) {
          if (isObject(read) && Object.values(read).every((h) => typeof h === "string")) this.checks.set(key, read);
        }
      }
    } catch {
      // No record, or not one this version wrote: everything is generated.
    }
  }

  /**
   * The cache of the output folder `outDir` (empty when there is none or it cannot be read). One
   * per folder and process, so that every step of a build (the rule files' outputs, arch-facts.ts)
   * records into the same record.
   */
  static open(outDir: string): BuildCache {
    const file = path.join(tmpdir(), "faultc-build-cache", `${sha256(path.resolve(outDir)).slice(0, 32)}.json`);
    let cache = BuildCache.opened.get(file);
    if (cache === undefined) BuildCache.opened.set(file, (cache = new BuildCache(file)));
    return cache;
  }

  /**
   * The content of the output file `out` for `inputs` (what besides the generator decides it):
   * the file's own text when the record says it is what `emit` gave for the same key, else
   * `emit()`'s result, recorded.
   */
  async content(out: string, inputs: string, emit: () => string | Promise<string>): Promise<string> {
    const known = this.lookup(out, inputs);
    if (known !== undefined) return known;
    const abs = path.resolve(out);
    const key = keyOf(out, inputs);
    const prior = this.entries.get(abs);
    const text = await emit();
    const entry = { key, sha256: sha256(text) };
    if (prior?.key !== entry.key || prior.sha256 !== entry.sha256) {
      this.entries.set(abs, entry);
      this.dirty = true;
    }
    return text;
  }

  /**
   * The text of the output file `out` when the record says it is what the generator gives for
   * `inputs` (the same key, and the file on disk has the sha256 recorded), else undefined: the
   * question `content` asks before it emits, for a caller that can skip the work before emitting
   * (lowering a rule file) when every output of it is known.
   */
  lookup(out: string, inputs: string): string | undefined {
    const abs = path.resolve(out);
    const prior = this.entries.get(abs);
    if (prior?.key !== keyOf(out, inputs)) return undefined;
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch {
      return undefined;
    }
    return sha256(text) === prior.sha256 ? text : undefined;
  }

  /**
   * The texts of the files a check of `roots` read, when the record says that check reported no
   * diagnostic under this generator and every one of those files has the same text now (read
   * and decoded as the checker does); else undefined.
   */
  cleanCheck(roots: readonly string[]): Map<string, string> | undefined {
    const read = this.checks.get(checkKey(roots));
    if (read === undefined) return undefined;
    const texts = new Map<string, string>();
    for (const [file, hash] of Object.entries(read)) {
      let bytes;
      try {
        bytes = readFileSync(file);
      } catch {
        return undefined;
      }
      const decoded = decodeUtf8(bytes);
      if (!decoded.ok || sha256(decoded.text) !== hash) return undefined;
      texts.set(file, decoded.text);
    }
    return texts;
  }

  /** Records that a check of `roots`, which read the files `texts` names (with their texts), reported nothing. */
  recordCleanCheck(roots: readonly string[], texts: ReadonlyMap<string, string>): void {
    const read: CleanCheck = Object.fromEntries([...texts].map(([f, t]) => [f, sha256(t)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = checkKey(roots);
    if (JSON.stringify(this.checks.get(key)) === JSON.stringify(read)) return;
    this.checks.set(key, read);
    this.dirty = true;
  }

  /** Writes the record back when this process added to it. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const sorted = <T>(m: Map<string, T>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify({ version: CACHE_VERSION, entries: sorted(this.entries), checks: sorted(this.checks) })}\n`);
    } catch {
      // A shortcut only: the next build generates again.
    }
  }
}
