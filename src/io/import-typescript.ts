// Imports a TypeScript module at run time: the C-like variants (generated/*.c.ts, or a fresh one
// in the temporary folder), which import the model's runtime sources. From the sources, faultc
// already runs under tsx, which loads .ts files. The compiled faultc (dist/, built by
// `npm run compile`) is plain JavaScript: it registers tsx on its first TypeScript import, so that
// commands which never load a variant (`check`, `build`, `--help`) do not pay for tsx at start.
// The committed variants (generated/NAME.c.ts) are compiled with it, as dist/generated/NAME.c.js
// (scripts/compile.mjs), and imported so without tsx: the compiled code is current with every
// source it was built from, generated/ included, or the sources would be running. The variants
// import only pure helpers of the runtime (hyp/ops.ts) besides types, so the second copy of those
// that each compiled variant or tsx holds next to faultc's own holds no state of its own.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { COMPILED } from "./build-mode.ts";

let tsx: Promise<void> | undefined;

/** The checkout's root (this file is src/io/import-typescript.ts, or its place in dist/). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** dist/generated/NAME.c.js for ROOT/generated/NAME.c.ts, if compiled. */
function compiledVariant(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const file = fileURLToPath(url);
  if (path.dirname(file) !== path.join(ROOT, "generated") || !file.endsWith(".c.ts")) return undefined;
  const js = path.join(ROOT, "dist", "generated", `${path.basename(file, ".ts")}.js`);
  return existsSync(js) ? pathToFileURL(js).href : undefined;
}

export async function importTypeScript(url: string): Promise<unknown> {
  if (COMPILED) {
    const compiled = compiledVariant(url);
    if (compiled !== undefined) return import(compiled);
    tsx ??= import("tsx/esm/api").then((api) => void api.register());
    await tsx;
  }
  return import(url);
}
