// The `faultc` command: one module per subcommand under commands/. Exit status: 0 ok,
// 1 findings or errors in the input, 2 usage error, 141 standard output closed early (as on
// SIGPIPE), 70 internal error (a bug in faultc, reported in one line, never as a stack trace).
import { readFileSync } from "node:fs";
import { UsageError } from "./args.ts";
import { InputError, installPipeHandlers, processOutput, type Command, type Output } from "./command.ts";

/**
 * Every command by name, in the order the overview lists them. A command's module is loaded
 * when it runs or its help is asked for: loading all of them at start (the code generators,
 * the prover, the object reader) was most of the start-up time of `faultc check`.
 */
const commandModules: Record<string, () => Promise<Command>> = {
  check: async () => (await import("./commands/check.ts")).checkCommand,
  build: async () => (await import("./commands/build.ts")).buildCommand,
  run: async () => (await import("./commands/run.ts")).runCommand,
  equiv: async () => (await import("./commands/equiv.ts")).equivCommand,
  diff: async () => (await import("./commands/diff.ts")).diffCommand,
  explain: async () => (await import("./commands/explain.ts")).explainCommand,
  refs: async () => (await import("./commands/refs.ts")).refsCommand,
  graph: async () => (await import("./commands/graph.ts")).graphCommand,
  main: async () => (await import("./commands/main-job.ts")).mainCommand,
  railroad: async () => (await import("./commands/railroad.ts")).railroadCommand,
  docs: async () => (await import("./commands/docs.ts")).docsCommand,
};

const registered: Command[] = [];

export function registerCommand(c: Command): void {
  if (!(c.name in commandModules) && !registered.some((x) => x.name === c.name)) registered.push(c);
}

async function findCommand(name: string): Promise<Command | undefined> {
  const load = Object.hasOwn(commandModules, name) ? commandModules[name] : undefined;
  return load !== undefined ? load() : registered.find((c) => c.name === name);
}

/** Every command, loaded. */
export async function loadCommands(): Promise<Command[]> {
  return [...(await Promise.all(Object.values(commandModules).map((load) => load()))), ...registered];
}

async function overview(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: faultc COMMAND [OPTIONS] [ARGS]",
    "",
    "faultc compiles hypervisor fault-decoding rules into code variants, runs them on an",
    "AArch64 EL2 machine model, and proves them equivalent.",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'faultc COMMAND --help' for a command's options, 'faultc --version' for the version.",
    "Exit status: 0 ok, 1 errors or findings in the input, 2 usage error.",
  ].join("\n");
}

/** The version in package.json, the one place it is written. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  if (out === processOutput) installPipeHandlers();
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V") {
    if (rest.length > 0) {
      out.stderr(`faultc: --version takes no arguments\n`);
      return 2;
    }
    out.stdout(`faultc ${version()}\n`);
    return 0;
  }
  if (name === undefined) {
    out.stderr(`faultc: no command given\n${await overview()}\n`);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" && rest[0] !== undefined ? await findCommand(rest[0]) : undefined;
    if (name === "help" && rest.length > 0 && topic === undefined) {
      out.stderr(`faultc help: unknown command '${rest[0]}'\n${await overview()}\n`);
      return 2;
    }
    out.stdout((topic ? topic.usage : await overview()) + "\n");
    return 0;
  }
  const command = await findCommand(name);
  if (command === undefined) {
    out.stderr(`faultc: unknown command '${name}'\n${await overview()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out.stdout(command.usage + "\n");
    return 0;
  }
  try {
    return await command.run(rest, out);
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr(`faultc ${command.name}: ${err.message}\n${command.usage.split("\n")[0]}\n`);
      return 2;
    }
    if (err instanceof InputError) {
      out.stderr(`faultc ${command.name}: ${err.message}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    out.stderr(`faultc ${command.name}: internal error: ${message.split("\n")[0]}\n`);
    return 70;
  }
}
