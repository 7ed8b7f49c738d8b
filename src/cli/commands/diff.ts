// `faultc diff A B`: every class of inputs on which two versions of the logic behave differently.
import { diff } from "../../diff/diff.ts";
import { MappingError, pairsFromFile, pairsFromOptions } from "../../diff/outcome-mapping.ts";
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from "../../diff/render.ts";
import { parseFieldMap } from "../../equiv/fields.ts";
import { bindingsFromFile, parseSideName, type BindingCandidate } from "../../sides/index.ts";
import { OutputError, writeFileAtomic } from "../../io/atomic-write.ts";
import { parseArgs, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { proofErrorExit } from "../proof-errors.ts";
import { solverOption } from "../solver-flag.ts";

function isObjectName(spec: string): boolean {
  try {
    return parseSideName(spec)?.kind === "object";
  } catch {
    return false;
  }
}

/** `faultc diff --history`: every table computed before anything is written. */
async function writeHistory(positionals: readonly string[], file: string | true | undefined, out: Parameters<Command["run"]>[1]): Promise<number> {
  if (positionals.length > 0) throw new UsageError("--history takes no sides (the pairs are src/diff/history.ts's)");
  const target = typeof file === "string" ? file : "docs/HISTORY.md";
  const { historyMarkdown } = await import("../../diff/history.ts");
  const { text } = await historyMarkdown();
  try {
    await writeFileAtomic(target, text);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    out.stderr(`faultc diff: ${e.message}\n`);
    return 1;
  }
  out.stdout(`wrote ${target}\n`);
  return 0;
}

export const diffCommand: Command = {
  name: "diff",
  summary: "every class of inputs on which two versions differ, with what each does and a witness",
  usage: `usage: faultc diff [--strict] [--json | --markdown | --html] [--timeout MS] [--map A_FIELD=B_FIELD]...
                   [--map-outcome A_OUTCOME=B_OUTCOME]... [--mapping FILE] [--binding FILE.fault]... A B
       faultc diff --history [--out FILE]

A and B are sides as 'faultc equiv' takes them (FILE.fault#c[:HANDLER], FILE.fault#asm[:HANDLER],
FILE.S, ref:NAME, PATH.o:SYMBOL). Both are explored symbolically for every capability
combination, as equiv does; every input on which they differ (the outcome, after the outcome
mapping; an observed field of the record; a system register afterwards) is then described as
classes in field terms (EC, FSC by type and level, S1PTW, FnV, EA, ESR[63:32], what AT answered,
HPFAR_EL2.NS, the capabilities), merged into as few rows as the solver allows. Each row says what
A and what B do there, and gives the smallest input of the class that differs that way as a
scenario that replays with 'faultc run'. A row is exact when the solver proved every input of
the class differs that way, else marked partial. The table is complete when the solver proved no
differing input lies outside every row.

Outcomes of rule files with other names are paired with --map-outcome A=B (A's outcome is taken
to be B's) or a file of such lines (--mapping FILE, '#' comments). An outcome is written retry,
exit N, exit NAME (an exit code the rule file names), handoff NAME or NAME. Every report prints
the mapping it used.

  --strict          ignore contracts: every outcome observes every field
  --json            the report as JSON (rows with class, a, b, witness; complete)
  --markdown        the report as a markdown table
  --html            the report as one self-contained HTML page: the table, both sides' decision
                    graphs with a chosen row's paths highlighted, each witness's two traces
  --timeout MS      solver time limit per question (default 60000)
  --solver NAME     who answers the solver's questions: z3 or cvc5 (native, on PATH), wasm
                    (z3-solver, built in), or auto (default; FAULTC_SOLVER=NAME sets it too)
  --map A=B         compare side A's record field A with side B's field B (repeatable)
  --map-outcome A=B take side A's outcome A to be side B's outcome B (repeatable)
  --mapping FILE    outcome pairs from FILE, one A = B per line
  --binding FILE    take an object function's binding from this rule file (repeatable)
  --history         write docs/HISTORY.md (or --out FILE, atomically): the tables of the committed
                    versions of the logic (src/diff/history.ts), each row with its upstream change

Exit status: 0 nothing differs; 1 something differs, or an error in a side or the mapping
(located); 2 usage error; 3 the solver could not decide, or a witness does not replay (a bug).`,
  async run(argv, out) {
    const args = parseArgs(argv, {
      strict: {},
      json: {},
      markdown: {},
      html: {},
      timeout: { value: true },
      solver: { value: true },
      map: { value: true, repeat: true },
      "map-outcome": { value: true, repeat: true },
      mapping: { value: true },
      binding: { value: true, repeat: true },
      history: {},
      out: { value: true },
      help: {},
      h: {},
    });
    if (args.flags.has("history")) return writeHistory(args.positionals, args.flags.get("out"), out);
    if (args.flags.has("out")) throw new UsageError("--out is for --history");
    if (args.positionals.length !== 2) throw new UsageError(`expected two sides to compare, got ${args.positionals.length}`);
    const formats = ["json", "markdown", "html"].filter((f) => args.flags.has(f));
    if (formats.length > 1) throw new UsageError(`--${formats[0]} and --${formats[1]} exclude each other`);
    const bindingFiles = args.lists.get("binding") ?? [];
    if (bindingFiles.length > 0 && !args.positionals.some(isObjectName)) throw new UsageError("--binding is for a side that is an object function (PATH.o:SYMBOL)");
    const t = args.flags.get("timeout");
    if (t !== undefined && (typeof t !== "string" || !/^\d+$/.test(t) || Number(t) < 100 || Number(t) > 3_600_000)) throw new UsageError("--timeout must be an integer in 100..3600000");
    const solver = solverOption(args.flags.get("solver"));
    let report;
    try {
      const map = parseFieldMap(args.lists.get("map") ?? []);
      const mappingFile = args.flags.get("mapping");
      const mapping = [...pairsFromOptions(args.lists.get("map-outcome") ?? []), ...(typeof mappingFile === "string" ? pairsFromFile(mappingFile) : [])];
      const bindings: BindingCandidate[] | undefined = bindingFiles.length > 0 ? bindingFiles.flatMap((f) => bindingsFromFile(f)) : undefined;
      report = await diff(args.positionals[0], args.positionals[1], {
        strict: args.flags.has("strict"),
        ...(map.length ? { map } : {}),
        mapping,
        ...(bindings ? { bindings } : {}),
        ...(t !== undefined ? { timeoutMs: Number(t) } : {}),
        solver,
      });
    } catch (e) {
      if (e instanceof MappingError) {
        if (e.usage) throw new UsageError(e.message);
        out.stderr(e.message.startsWith("--") ? `faultc diff: ${e.message}\n` : `${e.message}\n`);
        return 1;
      }
      return proofErrorExit(e, "diff", out.stderr);
    }
    // The page draws the rule-file sides' decision graphs (src/diff/html), loaded only when asked for.
    const html = args.flags.has("html") ? await import("../../diff/html/page.ts") : undefined;
    out.stdout(html ? html.renderDiffHtml(report, await html.diffPageGraphs(report)) : args.flags.has("json") ? renderDiffJson(report) : args.flags.has("markdown") ? renderDiffMarkdown(report) : renderDiffText(report));
    if (report.verdict === "unknown" || report.rows.some((r) => !r.witness.replayed) || !report.complete) return 3;
    return report.verdict === "same" ? 0 : 1;
  },
};
