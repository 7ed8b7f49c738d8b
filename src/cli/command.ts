// What every subcommand provides. Output goes through `out` so tests can capture it.
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit status. Throws UsageError for bad arguments. */
  run(argv: string[], out: Output): number | Promise<number>;
}

export const processOutput: Output = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};
