// What every subcommand provides. Output goes through `out`, and standard input comes through
// `out.stdin`, so that tests can capture the one and give the other.
import { fstatSync } from "node:fs";
import { createInterface } from "node:readline";
import { readFailure } from "../io/read-failure.ts";

/** Standard input, read either whole (a `-` file argument) or a line at a time (--jsonl). */
export interface Input {
  bytes(): Promise<Uint8Array>;
  lines(): AsyncIterable<string>;
}

/** Standard input cannot be read (it is a directory, say); the message says why. Exit 1. */
export class InputError extends Error {
  constructor(readonly reason: string) {
    super(`cannot read standard input (${reason})`);
  }
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

/**
 * The process's standard input. A directory given as standard input (`< folder`) reads as empty
 * through process.stdin, so it is refused before the read: an empty rule file or scenario stream
 * would pass where the user meant something else.
 */
function openStdin(): NodeJS.ReadableStream {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch (e) {
    throw new InputError(readFailure(e));
  }
  if (directory) throw new InputError("is a directory");
  return process.stdin;
}

export const processInput: Input = streamInput(openStdin);

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
