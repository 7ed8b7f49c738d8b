// `faultc diff --html`: the report as one self-contained page (no network: the stylesheet, the
// script and the SVGs are inline). The table of rows; both sides' decision graphs side by side,
// where a row, once chosen, has its witness's path highlighted (and the class's other paths more
// lightly) in both; and each row's witness with both sides' traces. A side that is machine code has
// no graph: its trace is shown alone. The page is a function of the report and the graphs, so the
// same report gives the same bytes.
import { pathElements } from "../../graph/decision-graph.ts";
import type { DiffReport, DiffRow, SideBehaviour } from "../types.ts";
import type { DiffPageGraphs, DiffSide, SideGraph } from "./graphs.ts";
export { diffPageGraphs } from "./graphs.ts";
import { DIFF_PAGE_SCRIPT } from "./script.ts";
import { DIFF_PAGE_CSS } from "./style.ts";

const SIDES: readonly DiffSide[] = ["a", "b"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON inside a <script> element: `<` escaped, so no text can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** What the script highlights for one side of a row: the witness's path, and the class's other paths. */
interface RowHighlight {
  nodes: string[];
  edges: string[];
  classNodes: string[];
  classEdges: string[];
}

/** The graph elements a row's paths visit on one side, with the problems found (paths the graph does not have). */
function highlight(g: SideGraph, s: SideBehaviour): { ids: RowHighlight; notes: string[] } {
  const notes: string[] = [];
  const prefixed = (ids: string[]) => ids.map((id) => g.prefix + id);
  const visit = (rules: readonly string[]) => {
    try {
      return pathElements(g.graph, rules);
    } catch (e) {
      notes.push(`the path ${rules.length === 0 ? "(no rules)" : rules.join(" > ")} is not drawn: ${e instanceof Error ? e.message : String(e)}`);
      return { nodes: [], edges: [] };
    }
  };
  const witness = visit(s.rules);
  const others = s.paths.filter((p) => p.join(" ") !== s.rules.join(" ")).map(visit);
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    ids: {
      nodes: prefixed(witness.nodes),
      edges: prefixed(witness.edges),
      classNodes: prefixed(uniq(others.flatMap((p) => p.nodes))),
      classEdges: prefixed(uniq(others.flatMap((p) => p.edges))),
    },
    notes,
  };
}

function behaviour(s: SideBehaviour): string {
  const values = Object.entries(s.values).map(([k, v]) => `<div class="mono">${esc(k)} = ${esc(v)}</div>`);
  const mapped = s.mapped !== undefined ? ` <span class="note">(= ${esc(s.mapped)} through the mapping)</span>` : "";
  return `<div><strong>${esc(s.outcome)}</strong>${mapped}</div>${values.join("")}`;
}

function rowLine(r: DiffRow): string {
  const partial = r.exact ? "" : `<div class="partial">partial description: some inputs of the class do not differ</div>`;
  return (
    `<tr id="row-${r.id}" data-row="${r.id}" tabindex="0" aria-selected="false">` +
    `<td>${r.id}</td><td>${esc(r.class.text)}${partial}</td><td>${behaviour(r.a)}</td><td>${behaviour(r.b)}</td>` +
    `<td>${r.differs.map(esc).join("<br>")}</td></tr>`
  );
}

type TraceEntryJson = { index?: unknown; loc?: unknown; insn?: unknown; writes?: unknown };

function traceTable(run: Record<string, unknown>): string {
  const trace = run.trace;
  const result = `<p class="mono">${esc(String(run.outcome))}${run.exit_code !== undefined ? ` ${esc(String(run.exit_code))}` : ""}${
    run.fault !== undefined ? ` ${esc(Object.entries(run.fault as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(" "))}` : ""
  }</p>`;
  if (!Array.isArray(trace)) return result + `<p class="note">no trace recorded</p>`;
  const lines = (trace as TraceEntryJson[]).map((t) => {
    const writes = t.writes !== null && typeof t.writes === "object" ? Object.entries(t.writes as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(" ") : "";
    const insn = String(t.insn ?? "");
    return `<tr${/^rule \S+ \(line \d+\)$/.test(insn) ? ` class="rule"` : ""}><td>${esc(String(t.index ?? ""))}</td><td class="loc">${esc(String(t.loc ?? ""))}</td><td class="mono">${esc(insn)}</td><td class="mono">${esc(writes)}</td></tr>`;
  });
  return result + `<table class="trace"><thead><tr><th>#</th><th>where</th><th>what</th><th>writes</th></tr></thead><tbody>${lines.join("")}</tbody></table>`;
}

function witnessArticle(report: DiffReport, r: DiffRow, notes: string[]): string {
  const w = r.witness;
  const scenario = JSON.stringify(w.scenario);
  const replay = w.replayed ? "the replay shows this row's difference" : `the replay does not show it: ${w.mismatch ?? "(no reason given)"}`;
  const side = (x: DiffSide) =>
    `<div><h3>${x.toUpperCase()}: ${esc(report.sides[x])}</h3><p class="note mono">echo '${esc(scenario)}' | faultc run ${esc(report.replay[x])} --jsonl --trace</p>${traceTable(x === "a" ? w.a : w.b)}</div>`;
  return (
    `<article class="witness" id="witness-${r.id}" data-row="${r.id}" hidden><h2>Row ${r.id}: ${esc(r.class.text)}</h2>` +
    `<p>Witness (${esc(replay)}):</p><pre class="scenario">${esc(scenario)}</pre>` +
    notes.map((n) => `<p class="note">${esc(n)}</p>`).join("") +
    `<div class="pair">${side("a")}${side("b")}</div></article>`
  );
}

function facts(report: DiffReport): string {
  const items: [string, string][] = [
    ["A", `<code>${esc(report.sides.a)}</code>`],
    ["B", `<code>${esc(report.sides.b)}</code>`],
    ["compared", report.strict ? "every recorded field (--strict)" : report.contract === null ? "every recorded field (no contract)" : `under the contract of <code>${esc(report.contract.file)}</code>`],
    ["outcome mapping", report.mapping.length === 0 ? "none: outcomes compared by name" : report.mapping.map((m) => `<code>${esc(m.a)}</code> = <code>${esc(m.b)}</code> <span class="note">(${esc(m.from)})</span>`).join("<br>")],
  ];
  if (report.fieldMap.length > 0) items.push(["fields mapped", report.fieldMap.map((m) => `<code>${esc(m.a)}</code> = <code>${esc(m.b)}</code>`).join(", ")]);
  if (report.notCompared.length > 0) items.push(["not compared", report.notCompared.map((f) => `<code>${esc(f)}</code>`).join(", ")]);
  const fixed = report.capabilities.fixed.map((f) => `${esc(f.name)}${f.present ? "" : " (absent)"}`);
  items.push(["capabilities", (report.capabilities.enumerated.map(esc).join(", ") || "none enumerated") + (fixed.length > 0 ? `; fixed by the build: ${fixed.join(", ")}` : "")]);
  items.push(["complete", report.complete ? "yes: the solver proved that the rows cover every input on which A and B differ" : "no: inputs outside every row may differ too"]);
  items.push(["solver calls", String(report.solverCalls)]);
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function verdict(report: DiffReport): string {
  if (report.verdict === "same") return `<p class="verdict same">Nothing differs.</p>`;
  if (report.verdict === "unknown") return `<p class="verdict unknown">The solver could not decide${report.reason !== undefined ? `: ${esc(report.reason)}` : ""}.</p>`;
  const n = report.rows.length;
  return `<p class="verdict different">${n} class${n === 1 ? "" : "es"} of inputs on which A and B differ.</p>`;
}

function figure(report: DiffReport, x: DiffSide, g: SideGraph | undefined): string {
  const caption = `<figcaption>${x.toUpperCase()}: <code>${esc(report.sides[x])}</code></figcaption>`;
  if (g === undefined) return `<figure id="graph-${x}">${caption}<p class="no-graph">Machine code: no decision graph; each witness's trace below shows what it ran.</p></figure>`;
  // The SVG inline: without the XML prolog and doctype, which HTML does not take.
  const svg = g.svg.replace(/^<\?xml[^>]*>\s*/, "").replace(/^<!DOCTYPE[^>]*>\s*/, "");
  return `<figure id="graph-${x}" class="graph">${caption}${svg}</figure>`;
}

/**
 * The page. `graphs` holds the decision graph of each side that is a rule file (diffPageGraphs in
 * graphs.ts makes them); a side without one is shown as machine code.
 */
export function renderDiffHtml(report: DiffReport, graphs: DiffPageGraphs): string {
  const data: Record<string, Record<DiffSide, RowHighlight | null>> = {};
  const notes = new Map<number, string[]>();
  for (const r of report.rows) {
    const entry = {} as Record<DiffSide, RowHighlight | null>;
    const rowNotes: string[] = [];
    for (const x of SIDES) {
      const g = graphs[x];
      if (g === undefined) {
        entry[x] = null;
        continue;
      }
      const h = highlight(g, r[x]);
      entry[x] = h.ids;
      rowNotes.push(...h.notes.map((n) => `${x.toUpperCase()}: ${n}`));
    }
    data[String(r.id)] = entry;
    notes.set(r.id, rowNotes);
  }
  const title = `faultc diff ${report.sides.a} ${report.sides.b}`;
  const table =
    report.rows.length === 0
      ? `<p class="note">No rows.</p>`
      : `<table class="rows" id="rows"><thead><tr><th>#</th><th>inputs</th><th>A does</th><th>B does</th><th>differs</th></tr></thead><tbody>${report.rows.map(rowLine).join("")}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${DIFF_PAGE_CSS}</style>
</head>
<body class="fit">
<header><h1>faultc diff <code>${esc(report.sides.a)}</code> <code>${esc(report.sides.b)}</code></h1>
${verdict(report)}
${facts(report)}
</header>
<main>
<h2>What differs</h2>
${table}
<h2>Decision graphs</h2>
<p class="legend">Choose a row: its witness's path is drawn in <span class="w">red</span>, the other paths its class's inputs take in <span class="c">orange</span>.
<label><input type="checkbox" id="fit" checked> fit the graphs to the page's width</label></p>
<section class="pair" id="graphs">${figure(report, "a", graphs.a)}${figure(report, "b", graphs.b)}</section>
<h2>Witnesses</h2>
<p id="pick" class="note">Choose a row to see its witness and both sides' traces.</p>
${report.rows.map((r) => witnessArticle(report, r, notes.get(r.id) ?? [])).join("\n")}
</main>
<script type="application/json" id="faultc-diff-data">${scriptJson({ rows: data })}</script>
<script>${DIFF_PAGE_SCRIPT}</script>
</body>
</html>
`;
}
