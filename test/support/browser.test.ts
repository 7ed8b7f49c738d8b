// The browser harness itself: a page loads offline, its errors are seen, and a request to the
// network is refused rather than attempted.
import { expect, it } from "vitest";
import { describeWithBrowser } from "./browser.ts";

describeWithBrowser("browser harness", (session) => {
  it("runs a page's script, records its errors and refuses the network", async () => {
    const page = await session.page();
    const html = `<!doctype html><p id="p">x</p><script>
      document.getElementById("p").textContent = String(6 * 7);
      fetch("http://example.com/").then(() => { document.title = "reached"; }, () => { document.title = "refused"; });
      console.error("seen");
    </script>`;
    await page.goto(`data:text/html,${encodeURIComponent(html)}`);
    expect(await page.textContent("#p")).toBe("42");
    await page.waitForFunction(() => document.title !== "");
    expect(await page.title()).toBe("refused");
    expect(session.errors.some((e) => e.includes("seen"))).toBe(true);
  }, 60_000);
});
