// A handler's decision structure, from its IR: the handler and each rule a node, each rule's guard
// on the edge into it (numbered in the order the rules are tried: the first whose guard holds is
// entered), and each outcome a leaf shared by every rule that ends in it. Every node and edge has an
// id made from the rules' names only, so that the same rule file gives the same ids, and the page of
// `faultc diff --html` can find the elements a path visits in the SVG (dot.ts writes the ids there).
import type * as I from "../codegen/ir/types.ts";
import { boolText, outcomeText, stmtText } from "./expr-text.ts";

export type GraphNodeKind = "handler" | "rule" | "outcome";

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** The node's first line: `handler el1_sync`, `rule hpfar_valid`, `exit ARM_EXCEPTION_TRAP`. */
  title: string;
  /** Further lines: a rule's or the handler's statements. */
  lines: string[];
  /** Where it is written: `file:line:column` (an outcome: each place that ends in it). */
  places: string[];
  /** A rule's name and line, as a run's trace names the rule it enters ("rule NAME (line N)"). */
  rule?: { name: string; line: number };
}

export type GraphEdgeKind = "guard" | "otherwise" | "outcome";

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: GraphEdgeKind;
  /** The guard (`1. esr_class(esr) == 0x16`), `2. otherwise`, or empty for an edge into an outcome. */
  label: string;
  /** Where the guard, or the outcome statement, is written: `file:line:column`. */
  place: string;
}

export interface DecisionGraph {
  file: string;
  handler: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Ids name things in the rule file; these characters never occur in identifiers. */
const SEP = ".";

function place(o: I.Origin): string {
  return `${o.file}:${o.line}:${o.column}`;
}

function outcomeOf(t: Exclude<I.Terminator, { kind: "decide" }>): I.IrOutcome {
  return t.kind === "exit" ? { kind: "exit", code: t.code, name: t.name } : t.kind === "retry" ? { kind: "retry" } : { kind: "handoff", target: t.target };
}

/** The id of the leaf an outcome is: `o-HANDLER.exit.NAME`, `o-HANDLER.retry`, `o-HANDLER.handoff.TARGET`. */
export function outcomeNodeId(handler: string, o: I.IrOutcome): string {
  return ["o-" + handler, o.kind, ...(o.kind === "exit" ? [o.name] : o.kind === "handoff" ? [o.target] : [])].join(SEP);
}

export function edgeId(from: string, to: string): string {
  return `e-${from}--${to}`;
}

export function decisionGraph(m: I.IrModule, h: I.IrHandler): DecisionGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const outcomes = new Map<string, GraphNode>();
  const root: GraphNode = { id: `n-${h.name}`, kind: "handler", title: `handler ${h.name}`, lines: [], places: [place(h.origin)] };
  nodes.push(root);

  const block = (b: I.Block, node: GraphNode): void => {
    node.lines.push(...b.stmts.map(stmtText));
    const end = b.end;
    if (end.kind !== "decide") {
      const o = outcomeOf(end);
      const id = outcomeNodeId(h.name, o);
      let leaf = outcomes.get(id);
      if (leaf === undefined) {
        leaf = { id, kind: "outcome", title: outcomeText(o), lines: o.kind === "exit" ? [`code 0x${o.code.toString(16)}`] : [], places: [] };
        outcomes.set(id, leaf);
      }
      leaf.places.push(place(end.origin));
      edges.push({ id: edgeId(node.id, id), from: node.id, to: id, kind: "outcome", label: "", place: place(end.origin) });
      return;
    }
    const used = new Set<string>();
    end.rules.forEach((r, i) => {
      // The checker keeps rule names unique within a block; a repeat would still get its own id.
      let id = node.id + SEP + r.name;
      for (let k = 2; used.has(id); k++) id = `${node.id}${SEP}${r.name}~${k}`;
      used.add(id);
      const child: GraphNode = { id, kind: "rule", title: `rule ${r.name}`, lines: [], places: [place(r.origin)], rule: { name: r.name, line: r.origin.line } };
      nodes.push(child);
      const guard = r.guard === undefined ? "otherwise" : boolText(r.guard);
      edges.push({ id: edgeId(node.id, id), from: node.id, to: id, kind: r.guard === undefined ? "otherwise" : "guard", label: `${i + 1}. ${guard}`, place: place(r.origin) });
      block(r.body, child);
    });
  };
  block(h.body, root);
  nodes.push(...outcomes.values());
  return { file: m.file, handler: h.name, nodes, edges };
}

/**
 * The ids of the nodes and edges a run visits, given the rules it entered, outermost first (rule
 * names are unique in a handler, as traces and `faultc diff` name them): the handler, each rule, and
 * the outcome the last one ends in. Throws when the path is not one of the graph's (the rules of
 * another rule file, or of another version of it).
 */
export function pathElements(g: DecisionGraph, rules: readonly string[]): { nodes: string[]; edges: string[] } {
  let at = g.nodes[0];
  const nodes = [at.id];
  const edges: string[] = [];
  const step = (e: GraphEdge): void => {
    edges.push(e.id);
    nodes.push(e.to);
    at = g.nodes.find((n) => n.id === e.to)!;
  };
  const out = (kind: (k: GraphEdgeKind) => boolean) => g.edges.filter((e) => e.from === at.id && kind(e.kind));
  for (const name of rules) {
    const next = out((k) => k !== "outcome").find((e) => g.nodes.find((n) => n.id === e.to)?.rule?.name === name);
    if (next === undefined) throw new Error(`${g.file}: rule ${name} is not a rule of ${at.title}`);
    step(next);
  }
  const end = out((k) => k === "outcome");
  if (end.length !== 1) throw new Error(`${g.file}: ${at.title} does not end in an outcome: rules inside it are tried first`);
  step(end[0]);
  return { nodes, edges };
}
