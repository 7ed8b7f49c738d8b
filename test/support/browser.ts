// A real headless browser for the tests of faultc's pages (`faultc diff --html`, `faultc explain
// --html`): Debian's chromium driven by playwright-core, offline. `describeWithBrowser` runs its
// body with a fresh page; without chromium it skips saying so, except under CI (which installs the
// package in .ci/run), where it fails.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";

/** Where Debian puts it; $FAULTC_CHROMIUM overrides. */
export const CHROMIUM = process.env.FAULTC_CHROMIUM ?? "/usr/bin/chromium";
const INSTALL = "apt-get install -y --no-install-recommends chromium";

/**
 * The flags a closed network needs: without the background-networking ones chromium keeps
 * trying to reach Google's hosts. --no-sandbox because CI runs as root.
 */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export interface BrowserSession {
  /** A page in a context that refuses every network request but file:// and data: ones. */
  page(): Promise<Page>;
  /** Messages the pages printed to the console as errors, and uncaught exceptions. */
  errors: string[];
}

/**
 * describe() with a browser: one chromium for the block, one offline context per page. Pages
 * opened with `session.page()` record console errors and page errors in `session.errors`.
 */
export function describeWithBrowser(name: string, body: (session: BrowserSession) => void): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) {
      describe(name, () => {
        it("has chromium (CI)", () => {
          throw new Error(`${CHROMIUM} not found; CI must install it: ${INSTALL}`);
        });
      });
    } else {
      describe.skip(`${name} (skipped: ${CHROMIUM} not found; ${INSTALL})`, () => {
        it("needs chromium", () => {});
      });
    }
    return;
  }
  describe(name, () => {
    let browser: Browser | undefined;
    const contexts: BrowserContext[] = [];
    const session: BrowserSession = {
      errors: [],
      async page() {
        if (!browser) throw new Error("the browser is not started");
        const context = await browser.newContext({ offline: true });
        contexts.push(context);
        await context.route(/^(?!file:|data:|about:|blob:)/, (route) => route.abort());
        const page = await context.newPage();
        page.on("console", (m) => {
          if (m.type() === "error") session.errors.push(m.text());
        });
        page.on("pageerror", (e) => session.errors.push(String(e)));
        return page;
      },
    };
    beforeAll(async () => {
      const { chromium } = await import("playwright-core");
      // playwright gives the browser a fresh profile of its own in a temporary folder.
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    }, 60_000);
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close();
    });
    body(session);
  });
}
