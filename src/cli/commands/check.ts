// `faultc check FILE...`: parse and check rule files, print diagnostics.
import { diagnosticToJson, hasErrors, renderDiagnostic } from "../../parser/diagnostics.ts";
import { checkFiles } from "../../parser/workspace.ts";
import { parseArgs, UsageError } from "../args.ts";
import type { Command } from "../command.ts";

export const checkCommand: Command = {
  name: "check",
  summary: "parse and check rule files; print diagnostics",
  usage: `usage: faultc check [--json] FILE...

Parses and checks each rule file and the files it imports. Diagnostics are printed as
  file:line:col: severity: message [code]
followed by the source line and a caret under the range; with --json, as one JSON array.

Exit status: 0 no errors (warnings allowed), 1 errors in the input, 2 usage error.`,
  run(argv, out) {
    const args = parseArgs(argv, { json: {}, help: {}, h: {} });
    if (args.positionals.length === 0) throw new UsageError("no rule files given");
    const ws = checkFiles(args.positionals);
    if (args.flags.has("json")) {
      out.stdout(JSON.stringify(ws.diagnostics.map(diagnosticToJson), null, 2) + "\n");
    } else {
      for (const d of ws.diagnostics) out.stderr(renderDiagnostic(d, ws.sources) + "\n");
      const errors = ws.diagnostics.filter((d) => d.severity === "error").length;
      const warnings = ws.diagnostics.length - errors;
      if (ws.diagnostics.length > 0) out.stderr(`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`);
    }
    return hasErrors(ws.diagnostics) ? 1 : 0;
  },
};
