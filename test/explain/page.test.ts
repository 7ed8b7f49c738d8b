// The explain page in a real headless browser (offline): it loads without console errors, the
// decode follows what is typed, a kernel log gives the path through the chosen rule file, the
// result is what `faultc explain --json` says for the same input, and a screenshot of it is a real
// picture with the decode region on it. docs/explain.html must be the page as written today.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainPageHtml } from "../../src/explain/page/write.ts";
import { describeWithBrowser } from "../support/browser.ts";
import { cli } from "../cli/harness.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "faultc-explain-page-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let html = "";
let file = "";
beforeAll(async () => {
  html = await explainPageHtml();
  file = path.join(tmp, "explain.html");
  writeFileSync(file, html);
}, 120_000);

describe("the explain page", () => {
  it("is one file: no script, style or link fetched from anywhere", () => {
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|https?:\/\/(?!www\.w3\.org)/);
  });

  it("is docs/explain.html as `npm run docs` writes it today (else run `npm run docs`)", () => {
    expect(readFileSync("docs/explain.html", "utf8")).toBe(html);
  });
});

describeWithBrowser("the explain page in chromium", (session) => {
  it("decodes what is typed and shows the path, offline, without console errors", async () => {
    const page = await session.page();
    await page.goto(`file://${file}`);
    await page.waitForSelector("#decode tr[data-field=EC]");
    // The initial value (0x93c58005) is a data abort from a lower EL.
    expect(await page.textContent("#decode tr[data-field=EC]")).toContain("0x24");

    await page.fill("#input", "0x5600000a");
    await page.waitForFunction(() => document.querySelector("#decode tr[data-field=EC]")?.textContent?.includes("0x15") ?? false);
    expect(await page.textContent("#decode tr[data-field=imm16]")).toContain("0xa");

    await page.fill("#input", readFileSync("test/explain/fixtures/kvm-unsupported-fsc.log", "utf8"));
    await page.waitForFunction(() => document.querySelector("#path")?.textContent?.includes("rule memory_fault") ?? false);
    const json = JSON.parse((await page.textContent("#json")) ?? "{}") as Record<string, unknown>;
    const r = await cli(["explain", "--json", "-"], readFileSync("test/explain/fixtures/kvm-unsupported-fsc.log", "utf8"));
    const expected = JSON.parse(r.stdout) as Record<string, unknown>;
    // The same explanation but for the side's name (the page runs the IR, the command its C-like variant) and the input's name.
    const same = (j: Record<string, unknown>): string => JSON.stringify({ ...j, side: undefined }).replaceAll("<input>", "<stdin>");
    expect(same(json)).toBe(same(expected));

    const png = path.join(tmp, "explain.png");
    const shot = await page.screenshot({ path: png, fullPage: true });
    // A PNG of the page's size, not blank: its header, dimensions, and a decode region on it.
    expect(shot.subarray(1, 4).toString("latin1")).toBe("PNG");
    const width = shot.readUInt32BE(16);
    const height = shot.readUInt32BE(20);
    expect(width).toBeGreaterThan(600);
    expect(height).toBeGreaterThan(600);
    const box = await page.locator("#decode").boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(100);
    expect(await page.locator("#decode").isVisible()).toBe(true);
    // A blank page compresses to almost nothing; one with tables does not.
    expect(readFileSync(png).length).toBeGreaterThan(20_000);
    expect(session.errors).toEqual([]);
  }, 60_000);

  it("says what is wrong with a log whose lines disagree, and recovers", async () => {
    const page = await session.page();
    await page.goto(`file://${file}`);
    await page.waitForSelector("#decode tr[data-field=EC]");
    await page.fill("#input", "ESR_EL2=0x96000045\nESR_EL2=0x92000045\n");
    await page.waitForFunction(() => (document.querySelector("#error")?.textContent ?? "") !== "");
    expect(await page.textContent("#error")).toBe("<input>:2:9: error: ESR_EL2 is 0x92000045 here but 0x96000045 at line 1 (one fault at a time: cut the excerpt to one)\n<input>:1:9: note: ESR_EL2 first given here");
    await page.fill("#input", "96000045");
    await page.waitForFunction(() => (document.querySelector("#error")?.textContent ?? "x") === "");
    expect(await page.textContent("#decode tr[data-field=EC]")).toContain("0x25");
    expect(session.errors).toEqual([]);
  }, 60_000);
});
