// The `faultc` command: one module per subcommand under commands/. Exit status: 0 ok,
// 1 findings or errors in the input, 2 usage error, 70 internal error (a bug in faultc,
// reported in one line, never as a stack trace).
import { UsageError } from "./args.ts";
import { processOutput, type Command, type Output } from "./command.ts";
import { buildCommand } from "./commands/build.ts";
import { checkCommand } from "./commands/check.ts";
import { equivCommand } from "./commands/equiv.ts";
import { refsCommand } from "./commands/refs.ts";
import { mainCommand } from "./commands/main-job.ts";
import { railroadCommand } from "./commands/railroad.ts";
import { runCommand } from "./commands/run.ts";

export const commands: Command[] = [checkCommand, buildCommand, runCommand, equivCommand, refsCommand, mainCommand, railroadCommand];

export function registerCommand(c: Command): void {
  if (!commands.some((x) => x.name === c.name)) commands.push(c);
}

function overview(): string {
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
    "Run 'faultc COMMAND --help' for a command's options.",
    "Exit status: 0 ok, 1 errors or findings in the input, 2 usage error.",
  ].join("\n");
}

export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
    out.stdout((topic ? topic.usage : overview()) + "\n");
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    out.stderr(`faultc: unknown command '${name}'\n${overview()}\n`);
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
    const message = err instanceof Error ? err.message : String(err);
    out.stderr(`faultc ${command.name}: internal error: ${message.split("\n")[0]}\n`);
    return 70;
  }
}
