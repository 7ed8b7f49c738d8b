// Runs the faultc command in-process, as the bin does, with captured output and a given standard
// input. Not a test file: the test files share it.
import { Readable } from "node:stream";
import { streamInput } from "../../src/cli/command.ts";
import { main } from "../../src/cli/main.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], stdin: string | Uint8Array = ""): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const bytes = typeof stdin === "string" ? Buffer.from(stdin, "utf8") : Buffer.from(stdin);
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: streamInput(() => Readable.from([bytes])),
  });
  return { code, stdout, stderr };
}
