#!/usr/bin/env node
// Entry point of the `faultc` command. It runs the compiled JavaScript in dist/ (built by
// `npm run compile`, which `npm ci` runs as the `prepare` script) when that is current with the
// sources, and otherwise the TypeScript sources through tsx, so that an edit to src/ is never
// run stale and `npx faultc` works straight after `npm ci` either way (bin/compiled.js).
import { compiledEntry } from "./compiled.js";

const compiled = compiledEntry("faultc");
let main;
if (compiled !== undefined) {
  ({ main } = await import(compiled));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
