#!/usr/bin/env node
// `npm run bench`: runs every benchmark under bench/ and prints one JSON line per figure.
import { register } from "tsx/esm/api";

register();
const { runBenchmarks } = await import("../bench/index.ts");
process.exitCode = await runBenchmarks(process.argv.slice(2));
