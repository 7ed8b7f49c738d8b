// What every subcommand provides. Output goes through `out`, and standard input comes through
// `out.stdin`, so that tests can capture the one and give the other.
import { createInterface } from "node:readline";

/** Standard input, read either whole (a `-` file argument) or a line at a time (--jsonl). */
export interface Input {
  bytes(): Promise<Uint8Array>;
  lines(): AsyncIterable<string>;
}

/** The name a `-` file argument (standard input) goes by in diagnostics, as in GCC's. */
export const STDIN_FILE = "<stdin>";

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input; the process's own when absent. */
  stdin?: Input;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit status. Throws UsageError for bad arguments. */
  run(argv: string[], out: Output): number | Promise<number>;
}

/** The exit status when the reader of standard output goes away first: 128 + SIGPIPE, as a Unix filter killed by it. */
export const EXIT_PIPE_CLOSED = 141;

/** An Input over a byte stream (read once, whole or by lines; CRLF line ends count as LF). */
export function streamInput(open: () => NodeJS.ReadableStream): Input {
  return {
    async bytes() {
      const chunks: Buffer[] = [];
      for await (const chunk of open()) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks);
    },
    lines: () => createInterface({ input: open(), crlfDelay: Infinity }),
  };
}

export const processInput: Input = streamInput(() => process.stdin);

let pipeHandlersInstalled = false;

/**
 * A reader that goes away (`faultc run --jsonl ... | head -1`) makes the next write fail with EPIPE.
 * faultc then stops at once and quietly, as a filter does on SIGPIPE (which Node ignores). The same
 * on stderr, where there is nobody left to tell. Any other write error is reported on stderr.
 */
export function installPipeHandlers(): void {
  if (pipeHandlersInstalled) return;
  pipeHandlersInstalled = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") process.stderr.write(`faultc: cannot write to standard output: ${err.code ?? err.message}\n`);
    process.exit(err.code === "EPIPE" ? EXIT_PIPE_CLOSED : 1);
  });
  process.stderr.on("error", (err: NodeJS.ErrnoException) => process.exit(err.code === "EPIPE" ? EXIT_PIPE_CLOSED : 1));
}

export const processOutput: Output = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdin: processInput,
};
