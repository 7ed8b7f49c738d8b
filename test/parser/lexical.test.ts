// Lexical conventions that golden fixtures cannot show: a byte order mark (an invisible
// character), absolute import paths (which name a place on this machine), and the exact
// number of errors an unterminated comment or a bad escape causes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkFiles, WorkspaceLoader } from "../../src/parser/workspace.ts";

const dir = mkdtempSync(path.join(tmpdir(), "faultc-lexical-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const errors = (file: string) => checkFiles([file]).diagnostics.filter((d) => d.severity === "error");

describe("a byte order mark", () => {
  const body = 'source "with a byte order mark";\nexitcode A = 1;\n';

  it("is accepted at the start of a file read from disk, and columns do not count it", () => {
    const file = write("bom.fault", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body.replace("= 1;", "= ;"))]));
    const ds = errors(file);
    expect(ds.map((d) => [d.range.start.line, d.range.start.column, d.code])).toEqual([[2, 14, "syntax-error"]]);
    expect(errors(write("bom-clean.fault", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])))).toEqual([]);
  });

  it("is accepted at the start of a text checked from memory", () => {
    const ws = new WorkspaceLoader(() => undefined).loadText(path.join(dir, "mem.fault"), `\uFEFF${body}`);
    expect(ws.diagnostics).toEqual([]);
  });

  it("is named as such anywhere else", () => {
    const ws = new WorkspaceLoader(() => undefined).loadText(path.join(dir, "mid.fault"), `${body}\uFEFFexitcode B = 2;\n`);
    expect(ws.diagnostics.map((d) => [d.range.start.line, d.range.start.column, d.code, d.message])).toEqual([
      [3, 1, "unexpected-character", "unexpected character U+FEFF (a byte order mark, allowed only at the start of a file)"],
    ]);
  });
});

describe("errors counted once", () => {
  it("an unterminated comment inside a declaration is one error, not also a truncated declaration", () => {
    const file = write("comment.fault", 'source "x";\nhandler h records r {\n  let a = 1; /* oops\n}\n');
    expect(errors(file).map((d) => d.message)).toEqual(["unterminated comment: `/*` has no `*/`"]);
  });

  it("an error before an unterminated comment is still reported", () => {
    const file = write("comment2.fault", 'source x;\n/* oops\n');
    expect(errors(file).map((d) => d.message)).toEqual(["expected a string but found 'x' in a source citation", "unterminated comment: `/*` has no `*/`"]);
  });

  it("a bad escape is one error at the escape, and the string still ends where it ends", () => {
    const file = write("escape.fault", 'source "bad \\n escape";\n');
    const ds = errors(file);
    expect(ds.map((d) => [d.range.start.column, d.range.end.column, d.message])).toEqual([[13, 15, "bad escape `\\n` in a string: the only escapes are `\\\"` and `\\\\`"]]);
  });

  it("a backslash before a control character is named by its code point", () => {
    const file = write("escape-tab.fault", 'source "bad \\\t escape";\n');
    expect(errors(file).map((d) => d.message)).toEqual(["bad escape (a backslash before U+0009) in a string: the only escapes are `\\\"` and `\\\\`"]);
  });
});

describe("import paths", () => {
  const lib = write("lib.fault", 'source "a library";\nexitcode FROM_LIB = 7;\n');
  const sub = path.join(dir, "sub");

  it("an absolute path is taken as it is", () => {
    mkdirSync(sub, { recursive: true });
    const user = path.join(sub, "user.fault");
    writeFileSync(user, `import "${lib.replace(/\\/g, "/")}";\nsource "uses the library";\nrecord r { x : 8; }\nhandler h records r { exit FROM_LIB; }\n`);
    const ws = checkFiles([user]);
    expect(ws.diagnostics.filter((d) => d.code.startsWith("import"))).toEqual([]);
    expect(ws.files.has(path.normalize(lib))).toBe(true);
  });

  it("a relative path is relative to the importing file", () => {
    const user = write("rel.fault", 'import "lib.fault";\nsource "uses the library";\n');
    const ws = checkFiles([user]);
    expect(ws.diagnostics.filter((d) => d.code.startsWith("import"))).toEqual([]);
  });
});
