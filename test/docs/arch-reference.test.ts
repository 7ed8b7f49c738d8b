// docs/ARCH.md is generated from dsl/arch/*.fault (`npm run docs`) and must be current; what it
// says of each name comes from the checker's symbols and the files' comments.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundledRuleFiles } from "../../src/cli/bundled.ts";
import { archReference } from "../../src/docs/arch-reference.ts";
import { DocComments } from "../../src/docs/doc-comments.ts";
import { SourceText } from "../../src/parser/source.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { cli } from "../cli/harness.ts";

const files = bundledRuleFiles("dsl/arch");
const ws = checkFiles(files);
const reference = archReference(ws, files);
const tmp = mkdtempSync(path.join(tmpdir(), "faultc-arch-docs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("docs/ARCH.md", () => {
  it("is what `npm run docs` writes from dsl/arch today (else run `npm run docs`)", () => {
    expect(ws.diagnostics).toEqual([]);
    expect(readFileSync("docs/ARCH.md", "utf8")).toBe(reference);
  });

  it("lists every name each arch file declares in its index, with the file and line", () => {
    for (const f of ws.files.values()) {
      for (const sym of f.exports.values()) {
        const line = (sym.decl as { range: { start: { line: number } } }).range.start.line;
        expect(reference).toContain(`| \`${sym.name}\` | `);
        expect(reference).toContain(`${path.basename(f.path)}:${line} |`);
      }
    }
  });

  it("gives layout fields their bits and width, enum members their values at every level, registers their layouts", () => {
    expect(reference).toContain("| `EC` | [31:26] | 6 | `ExceptionClass` |");
    expect(reference).toContain("| `S1PTW` | [7] | 1 |  |");
    expect(reference).toContain("| `TRANS` | `TRANS[0]` = 0x04, `TRANS[1]` = 0x05, `TRANS[2]` = 0x06, `TRANS[3]` = 0x07, `TRANS[-1]` = 0x2B | translation fault |");
    expect(reference).toContain("| `PAR_EL1` | `PAR` (64 bits) |");
    expect(reference).toContain("| `ARM_EXCEPTION_TRAP` | 2 | linux-kvm-6.fault:");
    expect(reference).toContain("| `esr_el2` | 32 bits |");
    expect(reference).toContain("`ARM_EXCEPTION_TRAP` (linux-kvm-6.fault:14, linux-kvm.fault:10)");
    expect(reference).toMatch(/\| `kvm_hyp_handle_sysreg` \| linux-kvm-6\.fault:\d+ \| The hyp exit handlers /);
  });

  it("is the same text whatever the order the files were checked in", () => {
    expect(archReference(checkFiles([...files].reverse()), files)).toBe(reference);
  });

  it("prints predicates, functions and constants with their definitions", () => {
    const f = path.join(tmp, "arch", "defs.fault");
    const text = [
      "// Definitions.",
      "layout R : 8 { LOW [3:0]; }",
      "const MASK : 8 = 0xF0;   // the high half",
      "const N = 3;",
      "// True for a low value.",
      "pred low(r: R) = r.LOW == 0;",
      "fn twice(x: 8) : 8 = x + x;",
      "",
    ].join("\n");
    const w = checkFiles([f], (p) => (p === path.normalize(f) ? Buffer.from(text) : undefined));
    expect(w.diagnostics).toEqual([]);
    const md = archReference(w, [f]);
    expect(md).toContain("| `MASK` | 8 bits | 0xF0 (`0xF0`) | defs.fault:3 | the high half |");
    expect(md).toContain("| `N` | integer | 0x3 (`3`) | defs.fault:4 |");
    expect(md).toContain("#### `low` (defs.fault:6)\n\nTrue for a low value.\n\n```text\npred low(r: R) = r.LOW == 0;\n```");
    expect(md).toContain("```text\nfn twice(x: 8) : 8 = x + x;\n```");
  });
});

describe("doc comments", () => {
  const text = [
    "// The file.",
    "//",
    "// Second paragraph.",
    'source "a // not a comment";',
    "",
    "// ---------------------------------------- a group title",
    "// Above the enum,",
    "// on two lines.",
    "enum E : 4 {",
    "  A = 1;   // after A",
    "  B = 2; C = 3;  // after C only",
    "  /* block",
    "   * above D */",
    "  D = 4;",
    "}",
    "// Not directly above: a blank line follows.",
    "",
    "capability X;",
  ].join("\n");
  const src = new SourceText("t.fault", text);
  const docs = new DocComments(src);
  const at = (needle: string) => {
    const offset = text.indexOf(needle);
    return src.range(offset, offset + needle.length);
  };

  it("takes the comments before the first token as the file's, never a string's contents", () => {
    expect(docs.file()).toEqual(["The file.", "Second paragraph."]);
    expect(docs.of(at('source "a // not a comment";'))).toEqual([]);
  });

  it("takes the lines directly above and the comment after, without a group title", () => {
    expect(docs.of(at("enum E : 4 {\n  A = 1;   // after A\n  B = 2; C = 3;  // after C only\n  /* block\n   * above D */\n  D = 4;\n}"))).toEqual(["Above the enum, on two lines."]);
    expect(docs.of(at("A = 1;"))).toEqual(["after A"]);
    expect(docs.of(at("B = 2;"))).toEqual([]);
    expect(docs.of(at("C = 3;"))).toEqual(["after C only"]);
    expect(docs.of(at("D = 4;"))).toEqual(["block above D"]);
  });

  it("gives the comment above a run of declarations on consecutive lines to each of them", () => {
    const run = new SourceText("r.fault", "source \"s\";\n// Handed over to.\nexternal a;\nexternal b;  // b's own\n// c's own\nexternal c;\nexternal d;\n\nexternal e;\n");
    const d = new DocComments(run);
    const ranges = ["external a;", "external b;", "external c;", "external d;", "external e;"].map((x) => {
      const o = run.text.indexOf(x);
      return run.range(o, o + x.length);
    });
    expect(ranges.map((_, i) => d.ofRun(ranges, i))).toEqual([["Handed over to."], ["Handed over to.", "b's own"], ["c's own"], ["c's own"], []]);
  });

  it("does not take a comment separated by a blank line, or the previous line's trailing comment", () => {
    expect(docs.of(at("capability X;"))).toEqual([]);
    expect(docs.of(at("B = 2;"))).toEqual([]);
  });
});

describe("faultc docs", () => {
  it("writes the reference atomically where --out says, the same bytes as docs/ARCH.md", async () => {
    const out = path.join(tmp, "sub", "ARCH.md");
    const r = await cli(["docs", "--out", out]);
    expect(r).toEqual({ code: 0, stdout: `wrote ${out}\n`, stderr: "" });
    expect(readFileSync(out, "utf8")).toBe(reference);
  });

  it("prints the diagnostics of a rule file with errors and writes nothing (exit 1)", async () => {
    const dir = path.join(tmp, "bad-arch");
    const out = path.join(tmp, "bad.md");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "x.fault"), "layout L : 8 { F [9]; }\n");
    const r = await cli(["docs", "--arch", dir, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, "x.fault")}:1:19: error: field F [9:9] lies outside L, which has 8 bits [field-out-of-range]`);
    expect(r.stderr).toMatch(/faultc docs: errors in the rule files; nothing was written\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it("says why a folder cannot be read or holds no rule file (exit 1), and refuses arguments (exit 2)", async () => {
    expect(await cli(["docs", "--arch", path.join(tmp, "none")])).toEqual({ code: 1, stdout: "", stderr: `faultc docs: cannot read the folder '${path.join(tmp, "none")}' (no such file)\n` });
    const empty = path.join(tmp, "empty");
    mkdirSync(empty);
    expect(await cli(["docs", "--arch", empty, "--out", path.join(tmp, "x.md")])).toEqual({ code: 1, stdout: "", stderr: `faultc docs: no rule files (*.fault) in '${empty}'\n` });
    const r = await cli(["docs", "extra"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultc docs: unexpected argument 'extra'\nusage: faultc docs/);
  });
});
