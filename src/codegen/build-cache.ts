// What `faultc build` generated before, so that a build with nothing changed does not generate
// again: emitting the TypeScript variants loads ts-morph and prettier and formats every module,
// which was most of the time of such a build. For each output file, the cache records a key (the
// output's name, the rule file's input hash, and a fingerprint of the generator) and the sha256
// of the content generated for it. When the key matches and the file on disk still has that
// sha256, the file's text is what generation would give, and it is taken as the output without
// emitting. Anything else (another key, a file edited by hand, gone, or unreadable) generates.
//
// The generator's fingerprint covers what can change the output without changing the rule
// files: every file under src/ (path, size and modification time: a stat each, not a read) and
// package-lock.json (the versions of prettier and ts-morph). Like the C-like modules' cache
// (sides/rule-file.ts), the record lives in the system's temporary folder, one file per output
// folder, written atomically; it is only ever a shortcut, so a record that cannot be read or
// written is ignored and the build generates as if there were none.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../io/atomic-write.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CACHE_VERSION = 1;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Appends `rel size mtime` of every file under `dir` (recursively, sorted) to `h`. */
function fingerprintTree(h: ReturnType<typeof createHash>, dir: string): void {
  let entries;
  try {
    entries = readdirSync(path.join(ROOT, dir), { withFileTypes: true });
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
    const s = statSync(path.join(ROOT, rel));
    h.update(`${rel} ${s.size} ${s.mtimeMs}\n`);
  } catch {
    h.update(`${rel} -\n`);
  }
}

let fingerprint: string | undefined;

/** The generator's fingerprint: computed once per process (the sources do not change under it). */
export function generatorFingerprint(): string {
  if (fingerprint === undefined) {
    const h = createHash("sha256");
    fingerprintTree(h, "src");
    fingerprintFile(h, "package-lock.json");
    fingerprint = h.digest("hex");
  }
  return fingerprint;
}

interface Entry {
  key: string;
  sha256: string;
}

export class BuildCache {
  private static readonly opened = new Map<string, BuildCache>();
  private readonly entries = new Map<string, Entry>();
  private dirty = false;

  private constructor(private readonly file: string) {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as { version?: number; entries?: Record<string, Entry> };
      if (data.version === CACHE_VERSION && data.entries !== null && typeof data.entries === "object") {
        for (const [out, e] of Object.entries(data.entries)) if (typeof e?.key === "string" && typeof e?.sha256 === "string") this.entries.set(out, e);
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
    const abs = path.resolve(out);
    const key = sha256(`${generatorFingerprint()}\0${path.basename(out)}\0${inputs}`);
    const prior = this.entries.get(abs);
    if (prior?.key === key) {
      let text: string | undefined;
      try {
        text = readFileSync(abs, "utf8");
      } catch {
        text = undefined;
      }
      if (text !== undefined && sha256(text) === prior.sha256) return text;
    }
    const text = await emit();
    const entry = { key, sha256: sha256(text) };
    if (prior?.key !== entry.key || prior.sha256 !== entry.sha256) {
      this.entries.set(abs, entry);
      this.dirty = true;
    }
    return text;
  }

  /** Writes the record back when this process added to it. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const entries = Object.fromEntries([...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify({ version: CACHE_VERSION, entries })}\n`);
    } catch {
      // A shortcut only: the next build generates again.
    }
  }
}
