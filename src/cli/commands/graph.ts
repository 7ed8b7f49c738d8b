// `faultc graph FILE.fault[#HANDLER]`: a handler's decision structure as Graphviz DOT or SVG, drawn
// from the rule file's IR (src/graph): rules as nodes, guards on the edges, outcomes as leaves.
import * as path from "node:path";
import { lowerFile } from "../../codegen/ir/lower.ts";
import type { IrHandler, IrModule } from "../../codegen/ir/types.ts";
import { decisionGraph } from "../../graph/decision-graph.ts";
import { toDot } from "../../graph/dot.ts";
import { renderSvg } from "../../graph/render.ts";
import { OutputError, writeFileAtomic } from "../../io/atomic-write.ts";
import { hasErrors, renderDiagnostic } from "../../parser/diagnostics.ts";
import { checkFiles } from "../../parser/workspace.ts";
import { parseArgs, UsageError } from "../args.ts";
import type { Command } from "../command.ts";

const USAGE = `usage: faultc graph FILE.fault[#HANDLER] [--format dot|svg] [--out FILE]

Draws the decision structure of a rule file's handler: the handler and each rule a node (with
the statements it runs), each rule's guard on the edge into it, numbered in the order the rules
are tried (the first whose guard holds is entered; 'otherwise' dashed), and each outcome (exit,
retry, handoff) a leaf. Every node and edge has a stable id and a tooltip with the place in the
rule file it comes from (file:line:column). The SVG is laid out by Graphviz compiled to
WebAssembly (no system package needed).

  #HANDLER        the handler to draw; without it the only one, or every handler (one cluster
                  each). A side's name (FILE.fault#c, FILE.fault#asm:HANDLER) is taken too: the
                  variants of a rule file share its decision structure.
  --format FMT    dot (the Graphviz source) or svg (default)
  --out FILE      write there (atomically) instead of to standard output

Exit status: 0 ok, 1 errors in the rule file or an unwritable --out, 2 usage error.`;

const FORMATS = ["dot", "svg"] as const;
type Format = (typeof FORMATS)[number];

/** The handlers `selector` (the text after '#') picks from `m`. */
function pickHandlers(m: IrModule, spec: string, selector: string | undefined): IrHandler[] {
  const names = m.handlers.map((h) => h.name).join(", ");
  if (selector === undefined) return m.handlers;
  const byName = m.handlers.find((h) => h.name === selector);
  if (byName !== undefined) return [byName];
  // A side's name: FILE.fault#c, FILE.fault#asm:HANDLER.
  const variant = /^(?:c|asm)(?::(.*))?$/.exec(selector);
  if (variant !== null) {
    if (variant[1] === undefined) return m.handlers;
    const h = m.handlers.find((x) => x.name === variant[1]);
    if (h !== undefined) return [h];
  }
  const wanted = variant?.[1] ?? selector;
  throw new UsageError(`'${spec}': ${m.file} has no handler '${wanted}' (it has ${names})`);
}

export const graphCommand: Command = {
  name: "graph",
  summary: "draw a handler's decision structure (rules, guards, outcomes) as Graphviz DOT or SVG",
  usage: USAGE,
  async run(argv, out) {
    const args = parseArgs(argv, { format: { value: true }, out: { value: true }, help: {}, h: {} });
    if (args.positionals.length === 0) throw new UsageError("no rule file given");
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
    const format = (args.flags.get("format") ?? "svg") as string;
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be dot or svg, got '${format}'`);
    const spec = args.positionals[0];
    const m = /^(.+\.fault)(?:#(.*))?$/.exec(spec);
    if (m === null) throw new UsageError(`'${spec}': give a rule file, FILE.fault, optionally followed by #HANDLER`);
    const [file, selector] = [m[1], m[2]];
    if (selector === "") throw new UsageError(`'${spec}': a handler's name follows '#'`);

    const ws = checkFiles([file]);
    if (hasErrors(ws.diagnostics)) {
      out.stderr(ws.diagnostics.filter((d) => d.severity === "error").map((d) => renderDiagnostic(d, ws.sources) + "\n").join(""));
      return 1;
    }
    const checked = ws.files.get(path.normalize(file));
    if (checked === undefined) throw new Error(`${file} was not checked`);
    const module = lowerFile(checked, ws);
    if (module.handlers.length === 0) {
      out.stderr(`${file}: error: the rule file declares no handler, so there is nothing to draw\n`);
      return 1;
    }
    const handlers = pickHandlers(module, spec, selector);
    const dot = toDot(handlers.map((h) => decisionGraph(module, h)));
    const text = (format as Format) === "dot" ? dot : await renderSvg(dot);

    const target = args.flags.get("out");
    if (typeof target !== "string") {
      out.stdout(text);
      return 0;
    }
    try {
      await writeFileAtomic(target, text);
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      out.stderr(`faultc graph: ${e.message}\n`);
      return 1;
    }
    return 0;
  },
};
