// The declarations fast-parse.ts reads must come out exactly as chevrotain's grammar reads
// them, and where it gives up (a syntax error, a declaration it does not read) the grammar's
// diagnostics must be the ones reported. Each rule file in the tree is parsed both ways, and
// so are copies of the bundled files with one token removed or doubled, which put a syntax
// error in every kind of declaration and expression.
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { generateRuleFile } from "../../bench/generate-rules.ts";
import { parseText } from "../../src/parser/parse.ts";
import { ruleLexer } from "../../src/parser/tokens.ts";

function ruleFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? ruleFiles(p) : f.endsWith(".fault") ? [p] : [];
    });
}

/** Both readings of `text`: the AST (or its absence) and every diagnostic. */
function bothWays(file: string, text: string) {
  const fast = parseText(file, text, true);
  const grammar = parseText(file, text, false);
  return { fast: { ast: fast.ast, diagnostics: fast.diagnostics }, grammar: { ast: grammar.ast, diagnostics: grammar.diagnostics } };
}

const files = [...ruleFiles("dsl"), ...ruleFiles("test/fixtures")];

describe("fast declaration reader", () => {
  it.each(files)("reads %s as the grammar does", (file) => {
    const { fast, grammar } = bothWays(file, readFileSync(file, "utf8"));
    expect(fast).toEqual(grammar);
  });

  it("reads the generated benchmark file as the grammar does, and reads all of it", () => {
    const text = generateRuleFile({ targetBytes: 60_000 });
    const { fast, grammar } = bothWays("generated.fault", text);
    expect(grammar.ast).toBeDefined();
    expect(fast).toEqual(grammar);
  });

  const bundled = ruleFiles("dsl");
  it.each(bundled)("gives up where the grammar reports an error: %s with a token removed or doubled", (file) => {
    const text = readFileSync(file, "utf8");
    const tokens = ruleLexer.tokenize(text).tokens;
    // About 60 positions per file, spread over it, each removed and each doubled.
    const step = Math.max(1, Math.floor(tokens.length / 60));
    let broken = 0;
    for (let k = 0; k < tokens.length; k += step) {
      const t = tokens[k];
      const end = t.startOffset + t.image.length;
      for (const variant of [text.slice(0, t.startOffset) + text.slice(end), text.slice(0, end) + " " + t.image + text.slice(end)]) {
        const { fast, grammar } = bothWays(file, variant);
        expect(fast, `${file}, token ${k} '${t.image}' at offset ${t.startOffset}`).toEqual(grammar);
        if (grammar.ast === undefined) broken++;
      }
    }
    expect(broken).toBeGreaterThan(0);
  });
});
