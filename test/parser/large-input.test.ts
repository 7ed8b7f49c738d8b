// Large and hostile input: the front end answers with located errors and never throws or runs
// out of stack. Files are built in a temporary folder, never committed. Times are measured by
// `npm run bench` (parse-check), not here.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_DIAGNOSTICS_PER_FILE } from "../../src/parser/diagnostics.ts";
import { MAX_FILE_BYTES } from "../../src/parser/parse.ts";
import { checkFiles, WorkspaceLoader } from "../../src/parser/workspace.ts";

const dir = mkdtempSync(path.join(tmpdir(), "faultc-large-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** `unit` repeated until the text has at least `bytes` bytes. */
function repeatTo(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length));
}

describe("a file over the size limit", () => {
  const text = repeatTo("// a comment line that pads the file out\n", MAX_FILE_BYTES + 1);

  it("is one located error, read from disk, and is not decoded or parsed", () => {
    const file = write("huge.fault", text);
    const ws = checkFiles([file]);
    expect(ws.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column, d.message])).toEqual([
      ["too-complex", 1, 1, `the file is ${text.length} bytes; a rule file may be at most ${MAX_FILE_BYTES} bytes (32 MiB)`],
    ]);
    expect(ws.files.size).toBe(0);
  });

  it("is the same error for a text checked from memory", () => {
    const ws = new WorkspaceLoader(() => undefined).loadText(path.join(dir, "mem.fault"), text);
    expect(ws.diagnostics.map((d) => d.code)).toEqual(["too-complex"]);
  });

  it("is counted in bytes, not characters", () => {
    // 14 characters, 34 bytes: half the limit in characters is over it in bytes.
    const wide = repeatTo("// \u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\n", MAX_FILE_BYTES / 2);
    expect(wide.length).toBeLessThan(MAX_FILE_BYTES);
    const ws = new WorkspaceLoader(() => undefined).loadText(path.join(dir, "wide.fault"), wide);
    expect(ws.diagnostics.map((d) => d.code)).toEqual(["too-complex"]);
  });
});

describe("a file full of errors", () => {
  const limitReached = (file: string) => {
    const ws = checkFiles([file]);
    expect(ws.diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE + 1);
    expect(ws.diagnostics.at(-1)?.code).toBe("too-many-errors");
    expect(ws.diagnostics.slice(0, -1).every((d) => d.code !== "too-many-errors")).toBe(true);
    return ws.diagnostics;
  };

  it("of characters that start no token: the first errors, then one saying the rest are not reported", () => {
    const ds = limitReached(write("chars.fault", repeatTo("# @ ", 1_000_000)));
    expect(ds[0]).toMatchObject({ code: "unexpected-character", message: "unexpected character '#'" });
  });

  it("of declarations that do not parse: the parse stops at the limit", () => {
    const ds = limitReached(write("syntax.fault", repeatTo("const ; ", 1_000_000)));
    expect(ds[0].code).toBe("syntax-error");
  });

  it("of names that are not declared: the checker stops reporting at the limit", () => {
    let text = 'source "undeclared names";\n';
    for (let i = 0; text.length < 1_000_000; i++) text += `const C${i} : 8 = nope${i};\n`;
    const ds = limitReached(write("names.fault", text));
    expect(ds[0].code).toBe("undefined-name");
  });
});

describe("deep call graphs", () => {
  const chain = (n: number, closeCycle: boolean) => {
    let text = 'source "a long chain of predicates";\n';
    for (let i = 0; i < n; i++) text += `pred p${i}(x: 8) = p${i + 1 < n || !closeCycle ? i + 1 : 0}(x) || x == ${i % 256};\n`;
    if (!closeCycle) text += `pred p${n}(x: 8) = x == 0;\n`;
    return text;
  };

  it("a chain of 15,000 predicates, each calling the next, checks clean without exhausting the stack", () => {
    const ws = checkFiles([write("chain.fault", chain(15_000, false))]);
    expect(ws.diagnostics).toEqual([]);
  });

  it("a cycle through 15,000 predicates is reported as recursion", () => {
    const ws = checkFiles([write("cycle.fault", chain(15_000, true))]);
    expect(ws.diagnostics.length).toBeGreaterThan(0);
    expect(ws.diagnostics.every((d) => d.code === "recursion" || d.code === "too-many-errors")).toBe(true);
    expect(ws.diagnostics[0].message).toMatch(/^p0 calls itself: p0 -> p1 -> p2 -> .* -> p14999 -> p0$/);
  });
});
