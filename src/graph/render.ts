// DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no system package, the same
// layout on every machine. The instance is made once per process (compiling the module is most
// of the time of a first render).
import type { Viz } from "@viz-js/viz";

let instance: Promise<Viz> | undefined;

function viz(): Promise<Viz> {
  instance ??= import("@viz-js/viz").then((m) => m.instance());
  return instance;
}

/** The Graphviz version the SVG is made with (its header names it too). */
export async function graphvizVersion(): Promise<string> {
  return (await import("@viz-js/viz")).graphvizVersion;
}

/** The SVG of `dot` laid out by Graphviz's dot. Throws when Graphviz refuses it: DOT from dot.ts is always accepted, so that is a bug. */
export async function renderSvg(dot: string): Promise<string> {
  const r = (await viz()).render(dot, { format: "svg", engine: "dot" });
  if (r.status !== "success") throw new Error(`Graphviz could not lay out the graph: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.output;
}
