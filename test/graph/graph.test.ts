// faultc graph: a handler's decision structure drawn from its IR, as DOT and as SVG (Graphviz in
// WebAssembly), and the CLI around it.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { decisionGraph, outcomeNodeId, pathElements } from "../../src/graph/decision-graph.ts";
import { toDot } from "../../src/graph/dot.ts";
import { renderSvg } from "../../src/graph/render.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { cli } from "../cli/harness.ts";
import { SMALL, smallRuleFile } from "./small-rules.ts";

const small = smallRuleFile();
afterAll(() => rmSync(small.dir, { recursive: true, force: true }));

function lower(file: string): I.IrModule {
  const ws = checkFiles([file]);
  expect(ws.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return lowerFile(ws.files.get(path.normalize(file))!, ws);
}

/** The DOT with the temporary folder's name replaced, so that it can be compared with a text. */
const portable = (dot: string) => dot.replaceAll(small.dir, "TMP");

const GOLDEN = String.raw`digraph "TMP/small.fault#small" {
  graph [id="graph", rankdir=TB, ordering=out, nodesep=0.3, ranksep=0.45, fontname="Courier", fontsize=11];
  node [fontname="Courier", fontsize=11, margin="0.12,0.06"];
  edge [fontname="Courier", fontsize=10, arrowsize=0.7];
  "n-small" [id="n-small", class="handler", label="handler small\llet esr = read ESR_EL2\lrecord esr = esr\l", shape=box, style="bold", fillcolor="#ffffff", tooltip="handler small: TMP/small.fault:7:1"];
  "n-small.hvc" [id="n-small.hvc", class="rule", label="rule hvc\l", shape=box, style="rounded,filled", fillcolor="#eef3fb", tooltip="rule hvc: TMP/small.fault:11:5"];
  "n-small.abort" [id="n-small.abort", class="rule", label="rule abort\l", shape=box, style="rounded,filled", fillcolor="#eef3fb", tooltip="rule abort: TMP/small.fault:14:5"];
  "n-small.abort.worked_around" [id="n-small.abort.worked_around", class="rule", label="rule worked_around\l", shape=box, style="rounded,filled", fillcolor="#eef3fb", tooltip="rule worked_around: TMP/small.fault:16:9"];
  "n-small.abort.recorded" [id="n-small.abort.recorded", class="rule", label="rule recorded\lrecord far = read FAR_EL2\l", shape=box, style="rounded,filled", fillcolor="#eef3fb", tooltip="rule recorded: TMP/small.fault:19:9"];
  "n-small.other" [id="n-small.other", class="rule", label="rule other\l", shape=box, style="rounded,filled", fillcolor="#eef3fb", tooltip="rule other: TMP/small.fault:25:5"];
  "o-small.handoff.small_elsewhere" [id="o-small.handoff.small_elsewhere", class="outcome", label="handoff small_elsewhere", shape=ellipse, style="filled", fillcolor="#f4efe2", tooltip="handoff small_elsewhere: TMP/small.fault:12:7"];
  "o-small.retry" [id="o-small.retry", class="outcome", label="retry", shape=ellipse, style="filled", fillcolor="#f4efe2", tooltip="retry: TMP/small.fault:17:11"];
  "o-small.exit.SMALL_TRAP" [id="o-small.exit.SMALL_TRAP", class="outcome", label="exit SMALL_TRAP\ncode 0x1", shape=ellipse, style="filled", fillcolor="#f4efe2", tooltip="exit SMALL_TRAP: TMP/small.fault:21:11, TMP/small.fault:26:7"];
  "n-small" -> "n-small.hvc" [id="e-n-small--n-small.hvc", class="guard", label="1. esr[31:26] == 0x16\l", tooltip="1. esr[31:26] == 0x16: TMP/small.fault:11:5", labeltooltip="1. esr[31:26] == 0x16: TMP/small.fault:11:5"];
  "n-small.hvc" -> "o-small.handoff.small_elsewhere" [id="e-n-small.hvc--o-small.handoff.small_elsewhere", class="outcome", tooltip="ends: TMP/small.fault:12:7", labeltooltip="ends: TMP/small.fault:12:7"];
  "n-small" -> "n-small.abort" [id="e-n-small--n-small.abort", class="guard", label="2. esr[31:26] in {0x20, 0x24}\l", tooltip="2. esr[31:26] in {0x20, 0x24}: TMP/small.fault:14:5", labeltooltip="2. esr[31:26] in {0x20, 0x24}: TMP/small.fault:14:5"];
  "n-small.abort" -> "n-small.abort.worked_around" [id="e-n-small.abort--n-small.abort.worked_around", class="guard", label="1. ARM64_WORKAROUND_834220 && esr[7] == 0x0\l", tooltip="1. ARM64_WORKAROUND_834220 && esr[7] == 0x0: TMP/small.fault:16:9", labeltooltip="1. ARM64_WORKAROUND_834220 && esr[7] == 0x0: TMP/small.fault:16:9"];
  "n-small.abort.worked_around" -> "o-small.retry" [id="e-n-small.abort.worked_around--o-small.retry", class="outcome", tooltip="ends: TMP/small.fault:17:11", labeltooltip="ends: TMP/small.fault:17:11"];
  "n-small.abort" -> "n-small.abort.recorded" [id="e-n-small.abort--n-small.abort.recorded", class="otherwise", label="2. otherwise\l", style="dashed", tooltip="2. otherwise: TMP/small.fault:19:9", labeltooltip="2. otherwise: TMP/small.fault:19:9"];
  "n-small.abort.recorded" -> "o-small.exit.SMALL_TRAP" [id="e-n-small.abort.recorded--o-small.exit.SMALL_TRAP", class="outcome", tooltip="ends: TMP/small.fault:21:11", labeltooltip="ends: TMP/small.fault:21:11"];
  "n-small" -> "n-small.other" [id="e-n-small--n-small.other", class="otherwise", label="3. otherwise\l", style="dashed", tooltip="3. otherwise: TMP/small.fault:25:5", labeltooltip="3. otherwise: TMP/small.fault:25:5"];
  "n-small.other" -> "o-small.exit.SMALL_TRAP" [id="e-n-small.other--o-small.exit.SMALL_TRAP", class="outcome", tooltip="ends: TMP/small.fault:26:7", labeltooltip="ends: TMP/small.fault:26:7"];
}
`;

/** Every rule of a handler with the id of its node, and every outcome statement with its place. */
function irContents(h: I.IrHandler): { rules: { id: string; place: string }[]; outcomes: { id: string; place: string }[] } {
  const rules: { id: string; place: string }[] = [];
  const outcomes: { id: string; place: string }[] = [];
  const walk = (b: I.Block, id: string) => {
    const end = b.end;
    if (end.kind === "decide") {
      for (const r of end.rules) {
        rules.push({ id: `${id}.${r.name}`, place: `${r.origin.file}:${r.origin.line}:${r.origin.column}` });
        walk(r.body, `${id}.${r.name}`);
      }
    } else {
      const o: I.IrOutcome = end.kind === "exit" ? { kind: "exit", code: end.code, name: end.name } : end.kind === "retry" ? { kind: "retry" } : { kind: "handoff", target: end.target };
      outcomes.push({ id: outcomeNodeId(h.name, o), place: `${end.origin.file}:${end.origin.line}:${end.origin.column}` });
    }
  };
  walk(h.body, `n-${h.name}`);
  return { rules, outcomes };
}

describe("decision graphs as DOT", () => {
  it("the small rule file's handler, as written here", async () => {
    const r = await cli(["graph", `${small.file}#small`, "--format", "dot"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(portable(r.stdout)).toBe(GOLDEN);
  });

  it("places are where the rule file writes each rule and outcome (line:column)", () => {
    const lines = SMALL.split("\n");
    const m = lower(small.file);
    const g = decisionGraph(m, m.handlers[0]);
    const at = (place: string) => {
      const [, line, column] = /:(\d+):(\d+)$/.exec(place)!;
      return lines[Number(line) - 1].slice(Number(column) - 1);
    };
    expect(at(g.nodes.find((n) => n.id === "n-small.abort.worked_around")!.places[0])).toMatch(/^rule worked_around when/);
    expect(g.nodes.find((n) => n.id === "o-small.exit.SMALL_TRAP")!.places.map(at)).toEqual(["exit SMALL_TRAP;", "exit SMALL_TRAP;"]);
    expect(at(g.nodes[0].places[0])).toMatch(/^handler small records/);
  });

  const bundled = readdirSync("dsl").filter((f) => f.endsWith(".fault")).sort().map((f) => `dsl/${f}`);
  it.each(bundled)("%s: every rule and every outcome is in the graph, with its place", (file) => {
    const m = lower(file);
    for (const h of m.handlers) {
      const g = decisionGraph(m, h);
      const dot = toDot([g]);
      const { rules, outcomes } = irContents(h);
      expect(rules.length).toBeGreaterThan(0);
      for (const r of rules) {
        expect(g.nodes.find((n) => n.id === r.id)?.places).toEqual([r.place]);
        expect(dot).toContain(`[id="${r.id}", class="rule"`);
        expect(dot).toContain(`: ${r.place}"`);
      }
      for (const o of outcomes) {
        expect(g.nodes.find((n) => n.id === o.id)?.places).toContain(o.place);
        expect(dot).toContain(`[id="${o.id}", class="outcome"`);
      }
      // Nothing else: the handler, its rules, its distinct outcomes; one edge into each rule and one out of each outcome statement.
      expect(g.nodes.length).toBe(1 + rules.length + new Set(outcomes.map((o) => o.id)).size);
      expect(g.edges.length).toBe(rules.length + outcomes.length);
    }
  });

  it("is the same, byte for byte, every time; ids take a prefix", async () => {
    const a = await cli(["graph", "dsl/linux-6.15.fault", "--format", "dot"]);
    const b = await cli(["graph", "dsl/linux-6.15.fault#handle_memory_fault", "--format", "dot"]);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const m = lower("dsl/linux-6.15.fault");
    const prefixed = toDot([decisionGraph(m, m.handlers[0])], { idPrefix: "a-" });
    expect(prefixed).toContain(`"a-n-handle_memory_fault" [id="a-n-handle_memory_fault"`);
    expect(prefixed.replaceAll("a-", "")).toBe(a.stdout.replaceAll("a-", ""));
  });

  it("a file of several handlers: every one, each in a cluster, unless one is named", async () => {
    const all = await cli(["graph", small.file, "--format", "dot"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`subgraph "cluster_small"`);
    expect(all.stdout).toContain(`subgraph "cluster_tiny"`);
    expect(all.stdout).toContain(`"n-tiny" -> "o-tiny.exit.SMALL_TRAP"`);
    const tiny = await cli(["graph", `${small.file}#tiny`, "--format", "dot"]);
    expect(tiny.stdout).not.toContain("cluster");
    expect(tiny.stdout).not.toContain("n-small");
    // A side's name draws the same graph as the rule file's.
    expect((await cli(["graph", `${small.file}#c:tiny`, "--format", "dot"])).stdout).toBe(tiny.stdout);
    expect((await cli(["graph", `${small.file}#asm`, "--format", "dot"])).stdout).toBe(all.stdout);
  });
});

describe("paths through a graph", () => {
  const m = lower(small.file);
  const g = decisionGraph(m, m.handlers[0]);
  it("the nodes and edges a run's rules visit, down to the outcome", () => {
    expect(pathElements(g, ["abort", "worked_around"])).toEqual({
      nodes: ["n-small", "n-small.abort", "n-small.abort.worked_around", "o-small.retry"],
      edges: ["e-n-small--n-small.abort", "e-n-small.abort--n-small.abort.worked_around", "e-n-small.abort.worked_around--o-small.retry"],
    });
    expect(pathElements(g, ["other"]).nodes).toEqual(["n-small", "n-small.other", "o-small.exit.SMALL_TRAP"]);
  });
  it("refuses a path that is not the graph's", () => {
    expect(() => pathElements(g, ["worked_around"])).toThrow(/rule worked_around is not a rule of handler small/);
    expect(() => pathElements(g, ["abort"])).toThrow(/rule abort does not end in an outcome/);
  });
});

describe("decision graphs as SVG", () => {
  it("has every node and edge of the DOT, by id, with its text", async () => {
    const r = await cli(["graph", `${small.file}#small`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml/);
    expect(r.stdout).toContain("</svg>");
    const m = lower(small.file);
    const g = decisionGraph(m, m.handlers[0]);
    for (const n of g.nodes) expect(r.stdout).toContain(`<g id="${n.id.replaceAll("-", "&#45;")}" class="node ${n.kind}">`);
    for (const e of g.edges) expect(r.stdout).toContain(`<g id="${e.id.replaceAll("-", "&#45;")}" class="edge ${e.kind}">`);
    expect(r.stdout).toContain(">rule worked_around</text>");
    expect(r.stdout).toContain(">1. ARM64_WORKAROUND_834220 &amp;&amp; esr[7] == 0x0</text>");
    expect(r.stdout).toContain(`xlink:title="rule worked_around: ${small.dir.replaceAll("-", "&#45;")}/small.fault:16:9"`);
  });

  it("is the same, byte for byte, every time", async () => {
    const m = lower("dsl/kvm-2016.fault");
    const dot = toDot([decisionGraph(m, m.handlers[0])]);
    const [a, b] = [await renderSvg(dot), await renderSvg(dot)];
    expect(a).toBe(b);
    expect((await cli(["graph", "dsl/kvm-2016.fault"])).stdout).toBe(a);
  });

  it("--out writes the file atomically and nothing on standard output", async () => {
    const out = path.join(small.dir, "deep", "small.svg");
    const r = await cli(["graph", `${small.file}#small`, "--out", out]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(out, "utf8")).toBe((await cli(["graph", `${small.file}#small`])).stdout);
    expect(readdirSync(path.dirname(out))).toEqual(["small.svg"]);
  });
});

describe("faultc graph: bad input", () => {
  it("usage errors exit 2 with the reason and the usage line", async () => {
    const cases: [string[], string][] = [
      [["graph"], "no rule file given"],
      [["graph", "a.fault", "b.fault"], "unexpected argument 'b.fault'"],
      [["graph", "dsl/xen.fault", "--format", "png"], "--format must be dot or svg, got 'png'"],
      [["graph", "refs/kvm-2016-before.S"], "'refs/kvm-2016-before.S': give a rule file, FILE.fault, optionally followed by #HANDLER"],
      [["graph", "dsl/xen.fault#"], "'dsl/xen.fault#': a handler's name follows '#'"],
      [["graph", "dsl/xen.fault#el1_sync"], "'dsl/xen.fault#el1_sync': dsl/xen.fault has no handler 'el1_sync' (it has do_trap_stage2_abort_guest)"],
      [["graph", "dsl/xen.fault#c:nope"], "'dsl/xen.fault#c:nope': dsl/xen.fault has no handler 'nope' (it has do_trap_stage2_abort_guest)"],
      [["graph", "dsl/xen.fault", "--colour"], "unknown option '--colour'"],
    ];
    for (const [argv, message] of cases) {
      expect(await cli(argv)).toEqual({ code: 2, stdout: "", stderr: `faultc graph: ${message}\nusage: faultc graph FILE.fault[#HANDLER] [--format dot|svg] [--out FILE]\n` });
    }
  });

  it("a rule file with errors, or none at all: its diagnostics, located, exit 1", async () => {
    expect(await cli(["graph", path.join(small.dir, "missing.fault")])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${small.dir}/missing.fault:1:1: error: cannot read '${small.dir}/missing.fault' (no such file) [file-not-found]\n`,
    });
    const broken = smallRuleFile(SMALL.replace("exit SMALL_TRAP;\n    }\n  }\n}", "exit NO_SUCH_CODE;\n    }\n  }\n}"));
    const r = await cli(["graph", broken.file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^${broken.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:26:12: error: .*NO_SUCH_CODE`));
    const none = smallRuleFile(`import "arch/aarch64.fault";\n`);
    expect(await cli(["graph", none.file])).toEqual({ code: 1, stdout: "", stderr: `${none.file}: error: the rule file declares no handler, so there is nothing to draw\n` });
    for (const d of [broken.dir, none.dir]) rmSync(d, { recursive: true, force: true });
  });

  it("an --out that cannot be written: the reason, exit 1, nothing half-written", async () => {
    const blocker = path.join(small.dir, "a-file");
    writeFileSync(blocker, "x");
    expect(await cli(["graph", small.file, "--out", path.join(blocker, "g.svg")])).toEqual({
      code: 1,
      stdout: "",
      stderr: `faultc graph: cannot write '${blocker}/g.svg': '${blocker}' is a file, not a folder\n`,
    });
    expect(await cli(["graph", small.file, "--out", small.dir])).toEqual({ code: 1, stdout: "", stderr: `faultc graph: cannot write '${small.dir}': it is a folder\n` });
    expect(existsSync(path.join(blocker, "g.svg"))).toBe(false);
  });

  it("--help prints the usage", async () => {
    const r = await cli(["graph", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: faultc graph FILE\.fault\[#HANDLER\]/);
    expect((await cli(["--help"])).stdout).toMatch(/\n {2}graph +draw a handler's decision structure/);
  });
});
