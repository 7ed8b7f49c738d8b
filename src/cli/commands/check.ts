// `faultc check FILE...`: parse and check rule files, print diagnostics.
import { diagnosticToJson, hasErrors, renderDiagnostic } from "../../parser/diagnostics.ts";
import { checkFiles, readFromDisk, type ReadBytes } from "../../parser/workspace.ts";
import { parseArgs, UsageError } from "../args.ts";
import { InputError, processInput, STDIN_FILE, type Command, type Output } from "../command.ts";

/** Standard input's bytes, or why it cannot be read (a diagnostic at <stdin>:1:1, as for a file). */
async function stdinBytes(out: Output): Promise<Uint8Array | string> {
  try {
    return await (out.stdin ?? processInput).bytes();
  } catch (e) {
    if (e instanceof InputError) return e.reason;
    throw e;
  }
}

export const checkCommand: Command = {
  name: "check",
  summary: "parse and check rule files; print diagnostics",
  usage: `usage: faultc check [--json] FILE...

Parses and checks each rule file and the files it imports. Diagnostics are printed as
  file:line:col: severity: message [code]
followed by the source line and a caret under the range; with --json, as one JSON array.
FILE '-' is standard input, named ${STDIN_FILE} in diagnostics (its imports are relative to the
current directory). A file that cannot be read is an error that says why.

Exit status: 0 no errors (warnings allowed), 1 errors in the input, 2 usage error.`,
  async run(argv, out) {
    const args = parseArgs(argv, { json: {}, help: {}, h: {} });
    if (args.positionals.length === 0) throw new UsageError("no rule files given");
    if (args.positionals.filter((f) => f === "-").length > 1) throw new UsageError("'-' (standard input) given twice");
    const files = args.positionals.map((f) => (f === "-" ? STDIN_FILE : f));
    const stdin = files.includes(STDIN_FILE) ? await stdinBytes(out) : undefined;
    const read: ReadBytes = (f) => (f === STDIN_FILE && stdin !== undefined ? stdin : readFromDisk(f));
    const ws = checkFiles(files, read);
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
