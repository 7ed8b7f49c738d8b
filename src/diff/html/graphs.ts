// The decision graphs of a diff's two sides, for its HTML page: each rule-file side's handler drawn
// (src/graph) with its ids prefixed `a-` or `b-`, so that both SVGs can share one document. Sides
// that are machine code (assembly, references, object functions) have no decision structure to
// draw: the page shows their traces only.
import { decisionGraph, type DecisionGraph } from "../../graph/decision-graph.ts";
import { toDot } from "../../graph/dot.ts";
import { renderSvg } from "../../graph/render.ts";
import { openSide, parseSideName } from "../../sides/index.ts";
import type { DiffReport } from "../types.ts";

export interface SideGraph {
  graph: DecisionGraph;
  /** What every id in `svg` starts with. */
  prefix: string;
  /** The SVG, as Graphviz writes it. */
  svg: string;
}

export type DiffSide = "a" | "b";
export type DiffPageGraphs = Partial<Record<DiffSide, SideGraph>>;

/** The graph of the rule-file side named `label`, or undefined for a side of another kind. */
export async function sideGraph(label: string, prefix: string): Promise<SideGraph | undefined> {
  if (parseSideName(label)?.kind !== "rule-file") return undefined;
  const side = await openSide(label);
  const m = side.module;
  const name = side.name.kind === "rule-file" ? side.name.handler : undefined;
  // openSide has already refused a name that picks no handler.
  const h = m?.handlers.find((x) => x.name === name) ?? (m?.handlers.length === 1 ? m.handlers[0] : undefined);
  if (m === undefined || h === undefined) return undefined;
  const graph = decisionGraph(m, h);
  return { graph, prefix, svg: await renderSvg(toDot([graph], { idPrefix: prefix })) };
}

/** Both sides' graphs, where the sides are rule files. */
export async function diffPageGraphs(report: Pick<DiffReport, "sides">): Promise<DiffPageGraphs> {
  const [a, b] = [await sideGraph(report.sides.a, "a-"), await sideGraph(report.sides.b, "b-")];
  return { ...(a ? { a } : {}), ...(b ? { b } : {}) };
}
