// Golden tests: every checker error and every syntax error class has a bad rule file under
// test/fixtures/ and its exact expected diagnostics beside it (`<name>.expected`).
// Regenerate after a deliberate change with UPDATE_GOLDEN=1, then read the diff.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { issueCodes } from "../../src/parser/codes.ts";
import { renderDiagnostic } from "../../src/parser/diagnostics.ts";
import { checkFiles } from "../../src/parser/workspace.ts";

const dirs = ["test/fixtures/check", "test/fixtures/syntax"];
const update = process.env.UPDATE_GOLDEN === "1";

function render(file: string): string {
  const ws = checkFiles([file]);
  return ws.diagnostics.map((d) => renderDiagnostic(d, ws.sources)).join("\n") + "\n";
}

for (const dir of dirs) {
  describe(dir, () => {
    const fixtures = readdirSync(dir).filter((f) => f.endsWith(".fault")).sort();
    it.each(fixtures)("%s", (name) => {
      const file = path.join(dir, name);
      const expectedFile = file.replace(/\.fault$/, ".expected");
      const actual = render(file);
      if (update) writeFileSync(expectedFile, actual);
      expect(existsSync(expectedFile), `missing ${expectedFile}; run with UPDATE_GOLDEN=1`).toBe(true);
      expect(actual).toBe(readFileSync(expectedFile, "utf8"));
      expect(actual).toMatch(/: error: /);
    });
  });
}

describe("issue codes", () => {
  // file-not-found is about the command line, not a file's content: test/cli covers it.
  const codes = Object.keys(issueCodes).filter((c) => c !== "file-not-found");
  it.each(codes)("%s has a fixture that reports it", (code) => {
    const file = path.join("test/fixtures/check", `${code}.fault`);
    const fallback = path.join("test/fixtures/syntax", `${code}.fault`);
    const which = existsSync(file) ? file : fallback;
    expect(existsSync(which), `no fixture for ${code}`).toBe(true);
    expect(render(which)).toContain(`[${code}]`);
  });
});

describe("bundled rule files", () => {
  const files = [...readdirSync("dsl").filter((f) => f.endsWith(".fault")).map((f) => `dsl/${f}`), ...readdirSync("dsl/arch").map((f) => `dsl/arch/${f}`)].sort();
  it.each(files)("%s checks clean", (file) => {
    const ws = checkFiles([file]);
    expect(ws.diagnostics.map((d) => renderDiagnostic(d, ws.sources))).toEqual([]);
    expect(ws.files.has(file)).toBe(true);
  });
});
