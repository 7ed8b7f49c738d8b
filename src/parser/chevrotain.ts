// chevrotain's package entry point loads several hundred small modules (lodash-es among them),
// which costs seconds at every start of the `faultc` command. The package also ships the same
// code as one bundled file, lib/chevrotain.mjs; its exports map does not expose that file, so
// it is imported here by path. Types still come from the package.
import type * as Chevrotain from "chevrotain";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = fileURLToPath(import.meta.resolve("chevrotain")); // .../chevrotain/lib/src/api.js
const bundle = path.join(path.dirname(path.dirname(entry)), "chevrotain.mjs");
const chevrotain = (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;

export const { createToken, Lexer, EmbeddedActionsParser } = chevrotain;
