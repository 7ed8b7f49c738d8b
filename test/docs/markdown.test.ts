// The reading and matching that test/docs/examples.test.ts applies to the documents.
import { describe, expect, it } from "vitest";
import { excerptOf, fencedBlocks, matchJsonExcerpt, matchLines, shellCommands } from "./markdown.ts";

describe("fencedBlocks", () => {
  it("finds each block with its line, info words and lines, and a longer fence holds a shorter one", () => {
    const text = ["# T", "", "```fault continued", "a", "  b", "```", "````md", "```", "x", "```", "````", "- item", "  ```sh", "  npm test", "  ```"].join("\n");
    expect(fencedBlocks("d.md", text)).toEqual([
      { doc: "d.md", line: 3, info: ["fault", "continued"], lines: ["a", "  b"] },
      { doc: "d.md", line: 7, info: ["md"], lines: ["```", "x", "```"] },
      { doc: "d.md", line: 13, info: ["sh"], lines: ["npm test"] },
    ]);
  });
});

describe("shellCommands", () => {
  const block = (lines: string[]) => ({ doc: "d.md", line: 10, info: ["console"], lines });
  it("splits a session into commands with their output, continuation lines and stated exit status", () => {
    expect(shellCommands(block(["$ faultc check x.fault   # exit 1", "x.fault:1:1: error", "$ echo a \\", "  b", "a b"]))).toEqual([
      { line: 11, command: "faultc check x.fault   # exit 1", exit: 1, output: ["x.fault:1:1: error"] },
      { line: 13, command: "echo a \\\n  b", exit: 0, output: ["a b"] },
    ]);
  });
  it("refuses output before the first command", () => {
    expect(() => shellCommands(block(["output", "$ true"]))).toThrow("d.md:11: a session starts with a '$ ' command line");
  });
});

describe("excerptOf", () => {
  it("reads the file an excerpt names on its first line", () => {
    expect(excerptOf({ doc: "d", line: 1, info: ["c"], lines: ["/* generated/x.c (excerpt) */"] })).toBe("generated/x.c");
    expect(excerptOf({ doc: "d", line: 1, info: ["fault"], lines: ["// dsl/x.fault (excerpt): the trap path"] })).toBe("dsl/x.fault");
    expect(excerptOf({ doc: "d", line: 1, info: ["fault"], lines: ["// dsl/x.fault"] })).toBeUndefined();
  });
});

describe("matchLines", () => {
  it("matches lines exactly, in order, trailing white space aside", () => {
    expect(matchLines(["a", "b"], ["a", "b  "])).toEqual({ ok: true });
    expect(matchLines(["a", "b"], ["a", "c"])).toEqual({ ok: false, failedAt: 1 });
    expect(matchLines(["a"], ["a", "b"])).toEqual({ ok: false, failedAt: 1 });
    expect(matchLines(["a", "b"], ["a"])).toEqual({ ok: false, failedAt: 1 });
    expect(matchLines([], [])).toEqual({ ok: true });
  });
  it("takes a line ... for any number of lines, none included", () => {
    expect(matchLines(["a", "...", "d"], ["a", "b", "c", "d"])).toEqual({ ok: true });
    expect(matchLines(["a", "...", "b"], ["a", "b"])).toEqual({ ok: true });
    expect(matchLines(["...", "x", "..."], ["a", "x", "b"])).toEqual({ ok: true });
    expect(matchLines(["...", "x", "...", "y"], ["y", "x"])).toEqual({ ok: false, failedAt: 3 });
    expect(matchLines(["a", "...", "c", "d"], ["a", "c", "x", "c", "d"])).toEqual({ ok: true });
  });
  it("takes … inside a line for any characters and nothing else as a pattern", () => {
    expect(matchLines(["Sweep: 126 scenarios in … s"], ["Sweep: 126 scenarios in 6.7 s"])).toEqual({ ok: true });
    expect(matchLines(["x.y (z)*"], ["x.y (z)*"])).toEqual({ ok: true });
    expect(matchLines(["x.y"], ["xzy"])).toEqual({ ok: false, failedAt: 0 });
    expect(matchLines(["a … b"], ["a  c"])).toEqual({ ok: false, failedAt: 0 });
  });
});

describe("matchJsonExcerpt", () => {
  const real = JSON.stringify({ name: "h", record: { fields: [1, 2] }, body: { a: "x y" }, origin: { line: 3 } });
  it("matches the pieces between … in order, white space outside strings aside", () => {
    expect(matchJsonExcerpt('{"name":"h",\n  "record":{"fields":[1,2]},…\n "origin":{"line":3}}', real)).toEqual({ ok: true });
    expect(matchJsonExcerpt('{"name":"h",…"a":"x y"…}', real)).toEqual({ ok: true });
  });
  it("fails on a piece that is not there, out of order, or a first piece not at the start", () => {
    expect(matchJsonExcerpt('{"name":"h",…"a":"xy"}', real)).toEqual({ ok: false, missing: '"a":"xy"}' });
    expect(matchJsonExcerpt('{"name":"h",…"origin":{"line":3}…"body"', real)).toEqual({ ok: false, missing: '"body"' });
    expect(matchJsonExcerpt('"record":{"fields":[1,2]}…', real)).toEqual({ ok: false, missing: '"record":{"fields":[1,2]}' });
  });
});
