// The railroad diagrams in docs/ are drawn from the parser itself and must be current: the same
// grammar gives the same bytes, with no network needed to view them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { railroadHtml } from "../../src/parser/railroad.ts";

describe("docs/grammar.html", () => {
  it("is what `npm run railroad` draws from the grammar today", () => {
    expect(readFileSync("docs/grammar.html", "utf8")).toBe(railroadHtml());
  });

  it("has a diagram for every grammar rule and loads nothing from the network", () => {
    const html = railroadHtml();
    for (const rule of ["file", "handlerDecl", "ruleDecl", "contractDecl", "atExpr", "readExpr", "enumMember", "levelSpec"]) {
      expect(html).toContain(`<h2 class="diagramHeader">${rule}</h2>`);
    }
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});
