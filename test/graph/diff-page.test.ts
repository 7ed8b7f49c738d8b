// The page of `faultc diff --html` (src/diff/html): one self-contained file with the table, both
// sides' decision graphs and each witness's traces, built here from reports made of real runs
// (diff-report.ts), and checked as text and in a real headless browser: it loads offline without
// errors, a row's click highlights exactly its paths in both graphs (classes and computed style),
// and the pixels of the graph change where the path is drawn.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffPageGraphs } from "../../src/diff/html/graphs.ts";
import { renderDiffHtml } from "../../src/diff/html/page.ts";
import type { DiffReport } from "../../src/diff/types.ts";
import { cli } from "../cli/harness.ts";
import { describeWithBrowser } from "../support/browser.ts";
import { assemblyPair, smallPair } from "./diff-report.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "faultc-diff-page-"));
const cleanup: string[] = [tmp];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

interface Built {
  report: DiffReport;
  html: string;
  file: string;
}

async function build(report: DiffReport, name: string): Promise<Built> {
  const html = renderDiffHtml(report, await diffPageGraphs(report));
  const file = path.join(tmp, `${name}.html`);
  writeFileSync(file, html);
  return { report, html, file };
}

let small: Built;
let assembly: Built;
beforeAll(async () => {
  const pair = await smallPair();
  cleanup.push(...pair.dir);
  small = await build(pair.report, "small");
  assembly = await build(await assemblyPair(), "assembly");
}, 120_000);

/** The ids the page's data block gives the script for row `id`. */
function rowData(b: Built, id: number): Record<"a" | "b", { nodes: string[]; edges: string[]; classNodes: string[]; classEdges: string[] } | null> {
  const m = /<script type="application\/json" id="faultc-diff-data">(.*?)<\/script>/s.exec(b.html);
  return JSON.parse(m![1]).rows[String(id)];
}

describe("the diff page as text", () => {
  it("faultc diff --html is one output form among the others", async () => {
    const r = await cli(["diff", "--json", "--html", "dsl/xen.fault#c", "dsl/xen.fault#asm"]);
    expect([r.code, r.stdout, r.stderr.split("\n")[0]]).toEqual([2, "", "faultc diff: --json and --html exclude each other"]);
    expect((await cli(["diff", "--help"])).stdout).toContain("--html            the report as one self-contained HTML page");
  });

  it("the reports are what the rows say: each witness's runs differ as stated", () => {
    const [hvc, rest] = small.report.rows;
    expect([hvc.a.outcome, hvc.b.outcome]).toEqual(["handoff small_elsewhere", "exit 0x1"]);
    expect([rest.a.outcome, rest.a.rules, rest.b.outcome, rest.b.rules]).toEqual(["exit 0x1", ["abort", "recorded"], "retry", ["abort"]]);
    const [row] = assembly.report.rows;
    expect([row.a.outcome, row.a.rules, row.b.outcome]).toEqual(["exit 0x1", [], "retry"]);
  });

  it("is self-contained: no external stylesheet, script, image or link; everything inline", () => {
    for (const b of [small, assembly]) {
      expect(b.html).not.toMatch(/<(link|img|iframe)\b/);
      expect(b.html).not.toMatch(/<script[^>]+src=/);
      expect(b.html).not.toMatch(/url\(/);
      // The only URLs are XML namespaces of the inline SVG, which are names, not requests.
      expect([...b.html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]).filter((u) => !/^http:\/\/www\.w3\.org\//.test(u))).toEqual([]);
      expect(b.html).toContain("<style>");
    }
    expect(small.html.match(/<svg /g)).toHaveLength(2);
    expect(assembly.html.match(/<svg /g)).toHaveLength(1);
    expect(assembly.html).toContain("Machine code: no decision graph");
  });

  it("maps each row to the graph elements its paths visit, prefixed per side, all present in the SVGs", () => {
    const r2 = rowData(small, 2);
    expect(r2.a!.nodes).toEqual(["a-n-small", "a-n-small.abort", "a-n-small.abort.recorded", "a-o-small.exit.SMALL_TRAP"]);
    expect(r2.b!.nodes).toEqual(["b-n-small", "b-n-small.abort", "b-o-small.retry"]);
    expect(r2.a!.classNodes).toEqual(["a-n-small", "a-n-small.other", "a-o-small.exit.SMALL_TRAP"]);
    for (const side of [r2.a!, r2.b!, rowData(small, 1).a!]) {
      for (const id of [...side.nodes, ...side.edges, ...side.classNodes, ...side.classEdges]) expect(small.html).toContain(`<g id="${id.replaceAll("-", "&#45;")}" class=`);
    }
    expect(rowData(assembly, 1).a).toBeNull();
    expect(rowData(assembly, 1).b!.nodes).toEqual(["b-n-el1_sync", "b-n-el1_sync.populate_fault_info", "b-n-el1_sync.populate_fault_info.resolve_ipa_with_at", "b-n-el1_sync.populate_fault_info.resolve_ipa_with_at.translation_failed", "b-o-el1_sync.retry"]);
  });

  it("is the same, byte for byte, for the same report", async () => {
    expect(renderDiffHtml(small.report, await diffPageGraphs(small.report))).toBe(small.html);
  });

  it("text from the report is escaped, and cannot close the data block", () => {
    const hostile: DiffReport = { ...small.report, rows: small.report.rows.map((r) => ({ ...r, class: { ...r.class, text: `</script><b>x</b> & "y"` } })) };
    const html = renderDiffHtml(hostile, {});
    expect(html).not.toContain("<b>x</b>");
    expect(html).toContain("&lt;/script&gt;&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;");
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });

  it("a path the graph does not have is said, not drawn", async () => {
    const wrong: DiffReport = { ...small.report, rows: [{ ...small.report.rows[0], a: { ...small.report.rows[0].a, rules: ["nowhere"], paths: [["nowhere"]] } }] };
    const html = renderDiffHtml(wrong, await diffPageGraphs(wrong));
    expect(html).toContain("A: the path nowhere is not drawn: ");
    expect(html).toContain("rule nowhere is not a rule of handler small");
  });
});

/** The fill of an element's first shape (its box or ellipse; an edge's arrowhead), as computed. */
async function shapeStyle(page: Page, id: string): Promise<{ classes: string; stroke: string; strokeWidth: string }> {
  return page.evaluate((i) => {
    const g = document.getElementById(i)!;
    const shape = g.querySelector(g.classList.contains("edge") ? "path" : "polygon, ellipse, path")!;
    const cs = getComputedStyle(shape);
    return { classes: g.getAttribute("class") ?? "", stroke: cs.stroke, strokeWidth: cs.strokeWidth };
  }, id);
}

const RED = "rgb(209, 36, 47)";

/** How many pixels of a PNG (a screenshot) are the highlight's red, counted by the browser itself. */
async function redPixels(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    [c.width, c.height] = [img.width, img.height];
    const ctx = c.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 209) < 30 && Math.abs(d[i + 1] - 36) < 30 && Math.abs(d[i + 2] - 47) < 30) n++;
    return n;
  }, png.toString("base64"));
}

describeWithBrowser("the diff page in a browser", (session) => {
  const requests: string[] = [];
  async function open(b: Built): Promise<Page> {
    const page = await session.page();
    page.on("request", (r) => {
      if (!/^(file|data|about|blob):/.test(r.url())) requests.push(r.url());
    });
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`file://${b.file}`);
    return page;
  }

  it("loads offline, without errors or requests, with its rows and both graphs", async () => {
    const page = await open(small);
    expect(await page.locator("tr[data-row]").count()).toBe(2);
    expect(await page.locator("#graph-a svg g.node").count()).toBe(9);
    expect(await page.locator("#graph-b svg g.node").count()).toBe(6);
    expect(await page.locator("article.witness:visible").count()).toBe(0);
    expect(await page.locator(".hl, .hl-class").count()).toBe(0);
    expect(session.errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);

  it("a row's click highlights its witness's path and its class's other paths in both graphs, and shows its traces", async () => {
    const page = await open(small);
    await page.click("tr[data-row='2']");
    const r2 = rowData(small, 2);
    for (const id of [...r2.a!.nodes, ...r2.a!.edges, ...r2.b!.nodes, ...r2.b!.edges]) {
      const s = await shapeStyle(page, id);
      expect(s.classes).toMatch(/\bhl\b/);
      expect([s.stroke, s.strokeWidth]).toEqual([RED, "3px"]);
    }
    // The class's other path (other), apart from the witness's, in orange.
    const other = await shapeStyle(page, "a-n-small.other");
    expect(other.classes).toMatch(/\bhl-class\b/);
    expect(other.stroke).toBe("rgb(217, 130, 43)");
    // A rule no path of the row visits is left as it was.
    for (const id of ["a-n-small.hvc", "a-n-small.abort.worked_around", "b-n-small.hvc", "a-e-n-small--n-small.hvc"]) {
      const s = await shapeStyle(page, id);
      expect(s.classes).not.toMatch(/\bhl/);
      expect(s.stroke).not.toBe(RED);
    }
    expect(await page.locator("tr[data-row='2']").getAttribute("class")).toBe("selected");
    expect(await page.locator("article.witness:visible").getAttribute("data-row")).toBe("2");
    expect(await page.locator("#witness-2 table.trace").count()).toBe(2);
    expect(await page.locator("#witness-2").textContent()).toContain("rule recorded (line 19)");

    // Another row replaces the highlight; Enter on a focused row chooses it too.
    await page.focus("tr[data-row='1']");
    await page.keyboard.press("Enter");
    expect((await shapeStyle(page, "a-n-small.abort")).classes).not.toMatch(/\bhl/);
    expect((await shapeStyle(page, "a-n-small.hvc")).classes).toMatch(/\bhl\b/);
    expect((await shapeStyle(page, "b-o-small.exit.SMALL_TRAP")).classes).toMatch(/\bhl\b/);
    expect(await page.locator(".hl-class").count()).toBe(0);
    expect(await page.locator("article.witness:visible").getAttribute("data-row")).toBe("1");

    // At the graphs' own size they scroll inside their figures, each brought to the chosen path:
    // the outcomes row 2's witness reaches, out of view at first, are in view once it is chosen.
    await page.setViewportSize({ width: 800, height: 900 });
    await page.uncheck("#fit");
    await page.evaluate(() => document.querySelectorAll("figure").forEach((f) => f.scrollTo(0, 0)));
    const inView = () =>
      page.evaluate(() =>
        [["a", "a-o-small.exit.SMALL_TRAP"], ["b", "b-o-small.retry"]].map(([x, id]) => {
          const fig = document.getElementById(`graph-${x}`)!.getBoundingClientRect();
          const node = document.getElementById(id)!.getBoundingClientRect();
          const [cx, cy] = [(node.left + node.right) / 2, (node.top + node.bottom) / 2];
          return cx >= fig.left && cx <= fig.right && cy >= fig.top && cy <= fig.bottom;
        }),
      );
    expect(await inView()).toEqual([false, false]);
    await page.click("tr[data-row='2']");
    expect(await inView()).toEqual([true, true]);
    expect(session.errors).toEqual([]);
  }, 60_000);

  it("screenshots: the highlighted path turns red on the screen, in both graphs, and only after the click", async () => {
    const page = await open(small);
    const shots = mkdtempSync(path.join(tmp, "shots-"));
    const region = async (side: "a" | "b", when: string) => {
      const file = path.join(shots, `${side}-${when}.png`);
      return page.locator(`#graph-${side}`).screenshot({ path: file, timeout: 90_000 });
    };
    const before = { a: await region("a", "before"), b: await region("b", "before") };
    await page.click("tr[data-row='2']");
    const after = { a: await region("a", "after"), b: await region("b", "after") };
    for (const side of ["a", "b"] as const) {
      expect(after[side].equals(before[side])).toBe(false);
      expect(await redPixels(page, before[side])).toBe(0);
      expect(await redPixels(page, after[side])).toBeGreaterThan(200);
    }
    // The red is where the witness's rule is drawn: its node's own screenshot is red at the border.
    const node = await page.locator("[id='a-n-small.abort.recorded']").screenshot({ timeout: 90_000 });
    expect(await redPixels(page, node)).toBeGreaterThan(50);
    const untouched = await page.locator("[id='a-n-small.hvc']").screenshot({ timeout: 90_000 });
    expect(await redPixels(page, untouched)).toBe(0);
    expect(session.errors).toEqual([]);
  }, 180_000);

  it("a side that is machine code: its trace without a graph; the rule file's path highlighted", async () => {
    const page = await open(assembly);
    expect(await page.locator("#graph-a svg").count()).toBe(0);
    expect(await page.locator("#graph-a").textContent()).toContain("Machine code: no decision graph");
    await page.click("tr[data-row='1']");
    expect((await shapeStyle(page, "b-n-el1_sync.populate_fault_info.resolve_ipa_with_at.translation_failed")).stroke).toBe(RED);
    const traces = page.locator("#witness-1 table.trace");
    expect(await traces.count()).toBe(2);
    expect(await traces.nth(0).textContent()).toContain("refs/kvm-2016-before.S:");
    expect(await traces.nth(1).textContent()).toContain("rule translation_failed (line 60)");
    expect(session.errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);
});
