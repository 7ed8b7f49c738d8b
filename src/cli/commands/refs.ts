// `faultc refs`: the bundled references `faultc equiv` can compare against.
import { REFERENCES } from "../../sides/reference.ts";
import { parseArgs, UsageError } from "../args.ts";
import type { Command } from "../command.ts";

export const refsCommand: Command = {
  name: "refs",
  summary: "list the bundled references (hand-written from real sources) that equiv compares against",
  usage: `usage: faultc refs

Lists each reference as ref:NAME, its file and what it is.`,
  run(argv, out) {
    const args = parseArgs(argv, { help: {}, h: {} });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    for (const r of REFERENCES) out.stdout(`ref:${r.name.padEnd(18)} ${r.file.padEnd(26)} ${r.description}\n`);
    return 0;
  },
};
