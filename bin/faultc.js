#!/usr/bin/env node
// Entry point of the `faultc` command. The sources are TypeScript run through tsx,
// so that `npx faultc` works straight after `npm ci`, with no separate build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
