// `npm run compile` (and `prepare`, which `npm ci` and `npm install` run): bundles faultc's
// TypeScript sources into plain JavaScript under dist/ (git-ignored) with esbuild, so that the
// `faultc` command starts without registering tsx. bin/faultc.js runs dist/ only while
// dist/stamp.json matches the sources (bin/compiled.js says how), else the sources through tsx.
//
// - One ES module per command, split at the CLI's dynamic imports (esbuild's code splitting),
//   with the shared code in chunks: a command loads its own code only. npm packages stay
//   imports of node_modules (packages: "external").
// - Every file lands directly in dist/, one folder below the checkout like src/cli/ is two, and
//   each source's `import.meta.url` is rewritten to the URL of that source file itself (relative
//   to the output file), so that paths faultc finds from its own location (dsl/, qemu/, the
//   runtime the generated variants import, package.json) are the same from the compiled code.
// - `__FAULTC_COMPILED__` is defined as true (src/io/import-typescript.ts).
// - The committed C-like variants (generated/*.c.ts) are compiled too, each into one module
//   (dist/generated/NAME.c.js, the runtime helpers it imports bundled in), which the compiled
//   faultc imports instead of registering tsx for them (src/io/import-typescript.ts).
// - Built into a temporary folder and moved into place whole, the stamp written last: an
//   interrupted build leaves the previous dist/ or none, never a half-written one.
// A build error in the sources exits 1. Without a working esbuild it says so and exits 0: faultc
// still runs, from the sources, so `npm ci` does not fail over an optional speed-up.
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { DIST, fileState, ROOT, STAMP_VERSION } from "../bin/compiled.js";

/** Entry points: the name of dist/NAME.js and its source. */
const ENTRIES = { faultc: "src/cli/main.ts" };
/** Files that shape the output without being bundled. */
const CONFIG_INPUTS = ["tsconfig.json", "scripts/compile.mjs"];

const toPosix = (p) => p.split(path.sep).join("/");

/** Each source's size and time just before the build read it (see the stamp). */
const readStates = new Map();

/** Rewrites `import.meta.url` in each source to the source's own URL, relative to dist/. */
const sourceUrlPlugin = {
  name: "faultc-source-url",
  setup(build) {
    // TypeScript, and the bin's JavaScript the sources import (bin/compiled.js).
    build.onLoad({ filter: /\.[jt]s$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const rel = toPosix(path.relative(ROOT, args.path));
      readStates.set(rel, fileState(rel));
      const text = await readFile(args.path, "utf8");
      const url = toPosix(path.relative(DIST, args.path));
      return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(url)}, import.meta.url).href`), loader: args.path.endsWith(".ts") ? "ts" : "js" };
    });
  },
};

async function main() {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (e) {
    process.stderr.write(`faultc compile: esbuild is not usable (${String(e?.message ?? e).split("\n")[0]}); faultc runs from its TypeScript sources through tsx\n`);
    return 0;
  }
  const t0 = performance.now();
  for (const rel of CONFIG_INPUTS) readStates.set(rel, fileState(rel));
  const tmp = path.join(ROOT, `.faultc-tmp-dist-${process.pid}`);
  const old = path.join(ROOT, `.faultc-tmp-dist-old-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  try {
    let result;
    try {
      result = await esbuild.build({
        absWorkingDir: ROOT,
        entryPoints: ENTRIES,
        outdir: tmp,
        entryNames: "[name]",
        chunkNames: "[name]-[hash]",
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "node",
        target: "node20",
        packages: "external",
        define: { __FAULTC_COMPILED__: "true" },
        plugins: [sourceUrlPlugin],
        metafile: true,
        logLevel: "silent",
        legalComments: "none",
      });
    } catch (e) {
      const errors = e?.errors ?? [];
      for (const m of errors) {
        const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "";
        process.stderr.write(`${where}error: ${m.text}\n`);
      }
      if (errors.length === 0) process.stderr.write(`faultc compile: ${String(e?.message ?? e).split("\n")[0]}\n`);
      process.stderr.write("faultc compile: dist/ not built; faultc runs from its TypeScript sources through tsx\n");
      return 1;
    }
    // The variants are an optional speed-up of their own: without them (no generated/, or one
    // esbuild cannot read) the compiled faultc loads the sources through tsx, as before.
    const variants = (await readdir(path.join(ROOT, "generated")).catch(() => [])).filter((f) => f.endsWith(".c.ts")).sort();
    const compiledVariants = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: variants.map((f) => `generated/${f}`),
      outdir: path.join(tmp, "generated"),
      outExtension: { ".js": ".js" },
      entryNames: "[name]",
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      plugins: [sourceUrlPlugin],
      metafile: true,
      logLevel: "silent",
      legalComments: "none",
    }).catch((e) => {
      process.stderr.write(`faultc compile: the generated C-like variants not compiled (${String(e?.errors?.[0]?.text ?? e?.message ?? e).split("\n")[0]}); faultc loads them through tsx\n`);
      return { metafile: { inputs: {} } };
    });
    const sources = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(compiledVariants.metafile.inputs)])].filter((f) => !f.startsWith("node_modules/"));
    const inputs = {};
    for (const rel of [...CONFIG_INPUTS, ...sources].map(toPosix).sort()) {
      const state = fileState(rel);
      const read = readStates.get(rel);
      // A source edited while the build read it may be in dist/ as it was before: no stamp then.
      if (state === undefined || read === undefined || state[0] !== read[0] || state[1] !== read[1]) {
        process.stderr.write(`faultc compile: ${rel} changed during the build; dist/ not built, run npm run compile again\n`);
        return 1;
      }
      inputs[rel] = state;
    }
    await writeFile(path.join(tmp, "stamp.json"), `${JSON.stringify({ version: STAMP_VERSION, entries: Object.keys(ENTRIES), inputs }, null, 1)}\n`);
    await rm(old, { recursive: true, force: true });
    try {
      await rename(DIST, old);
    } catch (e) {
      if (e?.code !== "ENOENT") throw e;
    }
    await rename(tmp, DIST);
    await rm(old, { recursive: true, force: true });
    const files = Object.keys(result.metafile.outputs).length;
    process.stdout.write(`faultc compile: dist/ built from ${sources.length} sources (${files} files, ${Math.round(performance.now() - t0)} ms)\n`);
    return 0;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
