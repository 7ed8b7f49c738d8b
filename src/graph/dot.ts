// Decision graphs (decision-graph.ts) as Graphviz DOT. The output depends only on the graphs: nodes
// and edges in the IR's order, every attribute written the same way each time, so the same rule
// file gives byte-identical DOT (and, through render.ts, SVG). Each node and edge carries its id
// (`id=`, which Graphviz copies to the SVG element), a class for styling, and a tooltip naming
// where in the rule file it is written (file:line:column). Text is set in Courier: Graphviz sizes
// boxes by its own table of Courier's widths, which any monospace font a browser falls back to
// matches, where a proportional font's labels would overflow their boxes.
import type { DecisionGraph, GraphEdge, GraphNode } from "./decision-graph.ts";

export interface DotOptions {
  /** Put before every id, so that two graphs can share one HTML page (`a-`, `b-`). */
  idPrefix?: string;
}

/** Longest label line before it is wrapped (at a space). */
const WRAP = 56;

/** A DOT double-quoted string. Graphviz reads `\l`, `\n` and `\\` in labels; the rest is literal. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** A label's lines, each left-justified (`\l`); the text itself is escaped by quote(). */
function leftLines(lines: string[]): string {
  return `"${lines.map((l) => l.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + "\\l").join("")}"`;
}

/** Breaks a guard or a statement at spaces so that no line is longer than WRAP (a longer word stays whole). */
export function wrap(text: string, width = WRAP): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = "  " + word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  out.push(line);
  return out;
}

function attrs(a: [string, string][]): string {
  return a.map(([k, v]) => `${k}=${v}`).join(", ");
}

const NODE_STYLE: Record<GraphNode["kind"], [string, string][]> = {
  handler: [["shape", "box"], ["style", quote("bold")], ["fillcolor", quote("#ffffff")]],
  rule: [["shape", "box"], ["style", quote("rounded,filled")], ["fillcolor", quote("#eef3fb")]],
  outcome: [["shape", "ellipse"], ["style", quote("filled")], ["fillcolor", quote("#f4efe2")]],
};

function nodeLine(n: GraphNode, prefix: string): string {
  const id = prefix + n.id;
  const label = n.kind === "outcome" ? quote([n.title, ...n.lines].join("\n")) : leftLines([n.title, ...n.lines.flatMap((l) => wrap(l))]);
  const tooltip = `${n.title}: ${n.places.join(", ")}`;
  return `  ${quote(id)} [${attrs([["id", quote(id)], ["class", quote(n.kind)], ["label", label], ...NODE_STYLE[n.kind], ["tooltip", quote(tooltip)]])}];`;
}

function edgeLine(e: GraphEdge, prefix: string): string {
  const id = prefix + e.id;
  const label: [string, string][] = e.label === "" ? [] : [["label", leftLines(wrap(e.label))]];
  const style: [string, string][] = e.kind === "otherwise" ? [["style", quote("dashed")]] : [];
  const tooltip = `${e.label === "" ? "ends" : e.label}: ${e.place}`;
  return `  ${quote(prefix + e.from)} -> ${quote(prefix + e.to)} [${attrs([["id", quote(id)], ["class", quote(e.kind)], ...label, ...style, ["tooltip", quote(tooltip)], ["labeltooltip", quote(tooltip)]])}];`;
}

/** One digraph: a single graph as it is, several each in a cluster of its own (one per handler). */
export function toDot(graphs: DecisionGraph[], options: DotOptions = {}): string {
  const prefix = options.idPrefix ?? "";
  const name = graphs.length === 1 ? `${graphs[0].file}#${graphs[0].handler}` : graphs[0]?.file ?? "";
  const out = [
    `digraph ${quote(name)} {`,
    `  graph [id=${quote(prefix + "graph")}, rankdir=TB, ordering=out, nodesep=0.3, ranksep=0.45, fontname="Courier", fontsize=11];`,
    `  node [fontname="Courier", fontsize=11, margin="0.12,0.06"];`,
    `  edge [fontname="Courier", fontsize=10, arrowsize=0.7];`,
  ];
  for (const g of graphs) {
    const body = [...g.nodes.map((n) => nodeLine(n, prefix)), ...g.edges.map((e) => edgeLine(e, prefix))];
    if (graphs.length === 1) {
      out.push(...body);
    } else {
      out.push(`  subgraph ${quote(`cluster_${prefix}${g.handler}`)} {`, `    label=${quote(`${g.file}#${g.handler}`)};`, ...body.map((l) => "  " + l), "  }");
    }
  }
  out.push("}");
  return out.join("\n") + "\n";
}
