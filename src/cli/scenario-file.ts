// --scenario FILE of `faultc run` and `faultc explain`: one scenario in a JSON file (either form of
// docs/RUN.md, over as many lines as it likes), read through the scenario reader, with every error
// at its place in the file (`FILE:line:col: error: ...`). `-` is standard input.
import { readFileSync } from "node:fs";
import { readFailure } from "../io/read-failure.ts";
import { readScenario, scenarioErrorPosition, type ScenarioInput } from "../runtime/scenario/guest-setup.ts";
import { ScenarioError } from "../runtime/scenario/scenario.ts";
import { processInput, STDIN_FILE, type Output } from "./command.ts";

/** A scenario file that cannot be read or holds a bad scenario: the located message. Exit 1. */
export class ScenarioFileError extends Error {}

/** Reads and checks the scenario in `file` ('-': standard input). */
export async function readScenarioFile(file: string, out: Output): Promise<ScenarioInput> {
  const name = file === "-" ? STDIN_FILE : file;
  let text: string;
  try {
    const bytes = file === "-" ? await (out.stdin ?? processInput).bytes() : readFileSync(file);
    text = new TextDecoder().decode(bytes);
  } catch (e) {
    throw new ScenarioFileError(`${name}:1:1: error: cannot read '${name}' (${e instanceof Error && "reason" in e ? String(e.reason) : readFailure(e)})`);
  }
  try {
    return readScenario(text);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const p = scenarioErrorPosition(e, text);
    throw new ScenarioFileError(`${name}:${p.line}:${p.column}: error: ${e.message}`);
  }
}
