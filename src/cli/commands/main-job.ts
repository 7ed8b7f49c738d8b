// `faultc main` (`npm start`): the main job over the bundled rule files. It checks every file
// and prints one table row per handler; the build and equivalence stages join this table as
// they land.
import type * as A from "../../parser/ast.ts";
import { hasErrors, renderDiagnostic } from "../../parser/diagnostics.ts";
import { checkFiles } from "../../parser/workspace.ts";
import { parseArgs, UsageError } from "../args.ts";
import { bundledRuleFiles } from "../bundled.ts";
import type { Command } from "../command.ts";

function countRules(body: A.Stmt[]): number {
  let n = 0;
  for (const s of body) {
    if (s.kind === "rules") for (const r of s.rules) n += 1 + countRules(r.body);
  }
  return n;
}

export const mainCommand: Command = {
  name: "main",
  summary: "the main job: check every bundled rule file and report (npm start)",
  usage: `usage: faultc main [--dsl DIR]

Checks every rule file directly under DIR (default dsl/) and prints a table:
file, handler, rules, verdict of the check. Exit status 1 if any file has errors.`,
  run(argv, out) {
    const args = parseArgs(argv, { dsl: { value: true }, help: {}, h: {} });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const dir = (args.flags.get("dsl") as string | undefined) ?? "dsl";
    let files: string[];
    try {
      files = bundledRuleFiles(dir);
    } catch {
      throw new UsageError(`cannot read the rule file directory '${dir}'`);
    }
    const ws = checkFiles(files);
    for (const d of ws.diagnostics) out.stderr(renderDiagnostic(d, ws.sources) + "\n");
    const rows: string[][] = [["rule file", "handler", "rules", "check"]];
    for (const f of files) {
      const checked = ws.files.get(f);
      const errors = ws.diagnostics.filter((d) => d.file === f && d.severity === "error").length;
      if (checked === undefined) {
        rows.push([f, "-", "-", `${errors || "import"} error${errors === 1 ? "" : "s"}`]);
        continue;
      }
      for (const d of checked.ast.decls) {
        if (d.kind === "handler") rows.push([f, d.name.text, String(countRules(d.body)), "ok"]);
      }
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) out.stdout(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n");
    return hasErrors(ws.diagnostics) ? 1 : 0;
  },
};
