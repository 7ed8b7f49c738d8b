// Whether faultc's compiled JavaScript (dist/, built by `npm run compile`, which `npm ci` runs as
// the `prepare` script) may run instead of the TypeScript sources through tsx.
//
// dist/stamp.json lists every file the build read (the sources esbuild bundled, tsconfig.json and
// the build script) with its size and modification time then. The compiled code runs only when
// every one of them is still there with the same size and time; any edit, `git checkout`, new
// import or deleted file makes it stale, and the sources run through tsx instead until the next
// `npm run compile`. Comparing sizes and times costs one stat per file (about 2 ms for the whole
// tree), where hashing the sources would cost reading them all; a file restored to the same size
// and time by hand is the one change this does not see. FAULTC_FROM_SOURCE=1 always runs the
// sources.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

/** The checkout's root folder, with a trailing separator. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const DIST = path.join(ROOT, "dist");
export const STAMP = path.join(DIST, "stamp.json");
export const STAMP_VERSION = 1;

/** Size and modification time of a file, as the stamp records them; undefined if it is gone. */
export function fileState(rel) {
  try {
    const s = statSync(path.join(ROOT, rel));
    return s.isFile() ? [s.size, s.mtimeMs] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reason the compiled entry point `name` (e.g. "faultc") cannot be used, or undefined when
 * it is current. Never throws: an unreadable or malformed stamp is a reason like any other.
 */
export function staleness(name) {
  if (process.env.FAULTC_FROM_SOURCE === "1") return "FAULTC_FROM_SOURCE=1";
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, "utf8"));
  } catch {
    return "not built (npm run compile)";
  }
  if (stamp === null || typeof stamp !== "object" || stamp.version !== STAMP_VERSION || typeof stamp.inputs !== "object") return "built by another version of the build script";
  if (!Array.isArray(stamp.entries) || !stamp.entries.includes(name)) return `no compiled ${name}`;
  for (const [rel, recorded] of Object.entries(stamp.inputs)) {
    const now = fileState(rel);
    if (now === undefined) return `${rel} is gone`;
    if (!Array.isArray(recorded) || now[0] !== recorded[0] || now[1] !== recorded[1]) return `${rel} changed since the build`;
  }
  return undefined;
}

/** The URL of dist/NAME.js when it is current, else undefined (run the sources through tsx). */
export function compiledEntry(name) {
  return staleness(name) === undefined ? new URL(`../dist/${name}.js`, import.meta.url).href : undefined;
}
