// Checks one rule file from disk once, as `faultc check` does, and prints one JSON object: its
// size, the time taken, and the process's peak memory. parse-check.ts runs this in a fresh
// process for each file, so that the peak belongs to that file alone.
//   node --import tsx bench/check-once.ts FILE
import { statSync } from "node:fs";
import { checkFiles } from "../src/parser/workspace.ts";

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node --import tsx bench/check-once.ts FILE\n");
  process.exit(2);
}
const bytes = statSync(file).size;
// The front end is loaded: from here on, what grows is what the file costs.
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const ws = checkFiles([file]);
const ms = performance.now() - t0;
const peakRss = process.resourceUsage().maxRSS * 1024;
const errors = ws.diagnostics.filter((d) => d.severity === "error").length;
process.stdout.write(`${JSON.stringify({ bytes, ms, rssBefore, peakRss, errors })}\n`);
