// `faultc railroad --out FILE`: write the grammar's railroad diagrams as one HTML file.
import { railroadHtml } from "../../parser/railroad.ts";
import { parseArgs, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { OutputError, writeFileAtomic } from "../../io/atomic-write.ts";

export const railroadCommand: Command = {
  name: "railroad",
  summary: "write railroad diagrams of the rule language's grammar (HTML)",
  usage: `usage: faultc railroad [--out FILE]

Draws one railroad diagram per grammar rule from the parser itself and writes a
self-contained HTML file (default docs/grammar.html).`,
  async run(argv, out) {
    const args = parseArgs(argv, { out: { value: true }, help: {}, h: {} });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const file = (args.flags.get("out") as string | undefined) ?? "docs/grammar.html";
    try {
      await writeFileAtomic(file, railroadHtml());
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      out.stderr(`faultc railroad: ${e.message}\n`);
      return 1;
    }
    out.stdout(`wrote ${file}\n`);
    return 0;
  },
};
