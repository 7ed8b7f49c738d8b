// `faultc docs [--arch DIR] [--out FILE]`: write the reference of the names the shared rule
// files declare (docs/ARCH.md), generated from the files themselves.
import { archReference } from "../../docs/arch-reference.ts";
import { OutputError, writeFileAtomic } from "../../io/atomic-write.ts";
import { readFailure } from "../../io/read-failure.ts";
import { hasErrors, renderDiagnostic } from "../../parser/diagnostics.ts";
import { checkFiles } from "../../parser/workspace.ts";
import { parseArgs, UsageError } from "../args.ts";
import { bundledRuleFiles } from "../bundled.ts";
import type { Command } from "../command.ts";

export const docsCommand: Command = {
  name: "docs",
  summary: "write docs/ARCH.md, the reference of the names dsl/arch/*.fault declares (npm run docs)",
  usage: `usage: faultc docs [--arch DIR] [--out FILE]

Checks every rule file directly in DIR (default dsl/arch) and writes FILE (default
docs/ARCH.md, atomically): for each file its layouts with their fields, enums with their members,
levels and values, system registers, capabilities, exit codes, external handlers, records,
constants, predicates and functions, each with where it is declared and its comments, and an
index of every name. If a file has errors they are printed and nothing is written.

Exit status: 0 written, 1 errors in the rule files or FILE cannot be written, 2 usage error.`,
  async run(argv, out) {
    const args = parseArgs(argv, { arch: { value: true }, out: { value: true }, help: {}, h: {} });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const dir = (args.flags.get("arch") as string | undefined) ?? "dsl/arch";
    const file = (args.flags.get("out") as string | undefined) ?? "docs/ARCH.md";
    let files: string[];
    try {
      files = bundledRuleFiles(dir);
    } catch (e) {
      out.stderr(`faultc docs: cannot read the folder '${dir}' (${readFailure(e)})\n`);
      return 1;
    }
    if (files.length === 0) {
      out.stderr(`faultc docs: no rule files (*.fault) in '${dir}'\n`);
      return 1;
    }
    const ws = checkFiles(files);
    for (const d of ws.diagnostics) out.stderr(renderDiagnostic(d, ws.sources) + "\n");
    if (hasErrors(ws.diagnostics)) {
      out.stderr(`faultc docs: errors in the rule files; nothing was written\n`);
      return 1;
    }
    try {
      await writeFileAtomic(file, archReference(ws, files));
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      out.stderr(`faultc docs: ${e.message}\n`);
      return 1;
    }
    out.stdout(`wrote ${file}\n`);
    return 0;
  },
};
