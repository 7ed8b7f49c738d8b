// Fuzzing the front end (lexer, parser, AST builder, checker, workspace loader).
//
// Property, for every input: loading never throws, and the result is either diagnostics with at
// least one error (one of them in the fuzzed file) and no checked file, or a checked file (a
// valid AST) and no error at all. Every diagnostic is located inside the text it points into
// (1-based line and column; line <= number of lines + 1; column <= that line's length + 1), has
// an issue code and a message, and renders without throwing and without raw control characters.
//
// Inputs: random token sequences from the language's vocabulary; mutations of every bundled
// rule file (token deleted, duplicated or swapped, truncation, a slice replaced by random text,
// random bytes and invalid UTF-8 inserted); and grammatical but semantically wrong programs
// (an identifier or a number replaced by another one from the file).
//
// Every fc.assert has a fixed seed, so that CI runs the same cases every time. About 11,100
// cases in all: 2,500 + 600 + 300 token/byte soups, 120 deep shapes, and 140 per mutation kind
// (9 kinds) per bundled file (6 files, 7,560).
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { IToken } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderDiagnostic, type Diagnostic } from "../../src/parser/diagnostics.ts";
import { allTokens, ruleLexer, tokenEnd } from "../../src/parser/tokens.ts";
import { readFromDisk, WorkspaceLoader, type ReadBytes, type Workspace } from "../../src/parser/workspace.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const dslDir = path.join(repoRoot, "dsl");
/** The fuzzed file sits in dsl/ so that `import "arch/aarch64.fault";` resolves from disk. */
const FUZZ_FILE = path.join(dslDir, "fuzz.fault");

const SEED = 0x5eed_2016;

// ------------------------------------------------------------------------------------ reading

const diskCache = new Map<string, ReturnType<ReadBytes>>();
/**
 * Imports come from disk, read once per test run (the loader asks for each import twice), and
 * only from under dsl/: a fuzzed `import "../../x";` must not read anything else.
 */
const cachedDisk: ReadBytes = (file) => {
  const abs = path.resolve(file);
  if (!abs.startsWith(dslDir + path.sep)) return undefined;
  if (!diskCache.has(abs)) diskCache.set(abs, readFromDisk(abs));
  return diskCache.get(abs);
};

/** Reads `bytes` for the fuzzed file and falls back to disk for everything else. */
function readerWith(file: string, bytes: Uint8Array): ReadBytes {
  return (f) => (path.resolve(f) === file ? bytes : cachedDisk(f));
}

const lossy = new TextDecoder("utf-8");
function decodesStrictly(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------- the property

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/;

/** Lines as SourceText counts them: only `\n` ends a line; a `\r` before it is a column. */
function linesOf(text: string): string[] {
  return text.split("\n");
}

function expectInside(where: string, pos: { line: number; column: number }, text: string): void {
  const lines = linesOf(text);
  expect(Number.isInteger(pos.line), `${where}: integer line`).toBe(true);
  expect(Number.isInteger(pos.column), `${where}: integer column`).toBe(true);
  expect(pos.line, `${where}: 1-based line`).toBeGreaterThanOrEqual(1);
  expect(pos.column, `${where}: 1-based column`).toBeGreaterThanOrEqual(1);
  expect(pos.line, `${where}: line within the text`).toBeLessThanOrEqual(lines.length + 1);
  const lineText = lines[pos.line - 1] ?? "";
  // +1: the position just past the end of the line (end of file, a missing `;`).
  expect(pos.column, `${where}: column within line ${pos.line}`).toBeLessThanOrEqual(lineText.length + 1);
}

/**
 * Checks the workspace against the property. `texts` gives the text of the fuzzed file (for
 * bytes, the lossy decoding); the other files' texts come from the workspace or from disk.
 */
function expectWellFormed(ws: Workspace, file: string, fuzzText: string): void {
  const errors = ws.diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) {
    const checked = ws.files.get(file);
    expect(checked, "no error, so the file is checked").toBeDefined();
    expect(Array.isArray(checked?.ast.decls)).toBe(true);
  } else {
    expect(ws.files.has(file), `errors, so no checked file: ${errors.map((e) => e.code).join(", ")}`).toBe(false);
    expect(errors.some((e) => e.file === file), "at least one error is in the fuzzed file").toBe(true);
  }
  for (const d of ws.diagnostics) expectDiagnostic(d, ws, file, fuzzText);
}

function textOf(ws: Workspace, f: string, file: string, fuzzText: string): string {
  if (f === file) return fuzzText;
  const src = ws.sources.get(f);
  if (src !== undefined) return src.text;
  const bytes = cachedDisk(f);
  return typeof bytes === "object" ? lossy.decode(bytes) : "";
}

function expectDiagnostic(d: Diagnostic, ws: Workspace, file: string, fuzzText: string): void {
  const where = `${d.code} '${d.message}'`;
  expect(["error", "warning", "note"]).toContain(d.severity);
  expect(typeof d.file === "string" && d.file.length > 0, `${where}: has a file`).toBe(true);
  expect(d.code, `${where}: has a code`).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  expect(typeof d.message === "string" && d.message.trim().length > 0, `${where}: has a message`).toBe(true);
  const text = textOf(ws, d.file, file, fuzzText);
  expectInside(`${where} start`, d.range.start, text);
  expectInside(`${where} end`, d.range.end, text);
  const startsBefore = d.range.start.line < d.range.end.line || (d.range.start.line === d.range.end.line && d.range.start.column <= d.range.end.column);
  expect(startsBefore, `${where}: range starts before it ends`).toBe(true);
  for (const r of d.related ?? []) {
    expect(r.message.length).toBeGreaterThan(0);
    expectInside(`${where} related`, r.range.start, textOf(ws, r.file, file, fuzzText));
  }
  const rendered = renderDiagnostic(d, ws.sources);
  expect(rendered.startsWith(`${d.file}:${d.range.start.line}:${d.range.start.column}: `)).toBe(true);
  for (const line of rendered.split("\n")) expect(CONTROL.test(line), `${where}: rendered without control characters: ${JSON.stringify(line)}`).toBe(false);
}

function checkText(text: string): Workspace {
  const ws = new WorkspaceLoader(cachedDisk).loadText(FUZZ_FILE, text);
  expectWellFormed(ws, FUZZ_FILE, text);
  return ws;
}

/** Loads bytes through WorkspaceLoader.load and checks the property plus the UTF-8 verdict. */
function checkBytes(bytes: Uint8Array): Workspace {
  const ws = new WorkspaceLoader(readerWith(FUZZ_FILE, bytes)).load([FUZZ_FILE]);
  expectWellFormed(ws, FUZZ_FILE, lossy.decode(bytes));
  const bad = ws.diagnostics.filter((d) => d.code === "invalid-utf8" && d.file === FUZZ_FILE);
  if (decodesStrictly(bytes)) {
    expect(bad, "valid UTF-8 is accepted").toEqual([]);
  } else {
    expect(bad.length, "invalid UTF-8 is reported once").toBe(1);
    expectFirstBadByte(bytes, bad[0]);
  }
  return ws;
}

/** The reported byte is the first one that starts no valid character. */
function expectFirstBadByte(bytes: Uint8Array, d: Diagnostic): void {
  const m = /byte (\d+)/.exec(d.message);
  expect(m, `offset in '${d.message}'`).not.toBeNull();
  const at = Number(m?.[1]);
  expect(at).toBeLessThan(bytes.length);
  expect(decodesStrictly(bytes.subarray(0, at)), `bytes before ${at} are valid`).toBe(true);
  for (let k = 1; k <= 4 && at + k <= bytes.length; k++) {
    const one = bytes.subarray(at, at + k);
    const char = decodesStrictly(one) ? lossy.decode(one) : undefined;
    expect(char !== undefined && [...char].length === 1, `bytes ${at}..${at + k} are not one valid character`).toBe(false);
  }
  const prefix = lossy.decode(bytes.subarray(0, at));
  expect(d.range.start.line, "line of the bad byte").toBe(prefix.split("\n").length);
}

// ------------------------------------------------------------------------------ rule files

interface Bundled {
  name: string;
  text: string;
  bytes: Uint8Array;
  tokens: IToken[];
  identifiers: string[];
  numbers: string[];
}

function bundledFiles(): Bundled[] {
  const names = [
    ...readdirSync(dslDir).filter((f) => f.endsWith(".fault")),
    ...readdirSync(path.join(dslDir, "arch")).filter((f) => f.endsWith(".fault")).map((f) => `arch/${f}`),
  ].sort();
  return names.map((name) => {
    const bytes = readFileSync(path.join(dslDir, name));
    const text = lossy.decode(bytes);
    const tokens = ruleLexer.tokenize(text).tokens;
    const distinct = (kind: string): string[] => [...new Set(tokens.filter((t) => t.tokenType.name === kind).map((t) => t.image))].sort();
    return { name, text, bytes, tokens, identifiers: distinct("Identifier"), numbers: distinct("IntegerLiteral") };
  });
}

const files = bundledFiles();

/** The fuzzed file stands in for the bundled one, in the same directory as it. */
function fuzzPathFor(f: Bundled): string {
  return path.join(dslDir, path.dirname(f.name), "fuzz.fault");
}

function checkTextAt(f: Bundled, text: string): Workspace {
  const file = fuzzPathFor(f);
  const ws = new WorkspaceLoader(cachedDisk).loadText(file, text);
  expectWellFormed(ws, file, text);
  return ws;
}

function checkBytesAt(f: Bundled, bytes: Uint8Array): Workspace {
  const file = fuzzPathFor(f);
  const ws = new WorkspaceLoader(readerWith(file, bytes)).load([file]);
  expectWellFormed(ws, file, lossy.decode(bytes));
  const bad = ws.diagnostics.filter((d) => d.code === "invalid-utf8" && d.file === file);
  if (decodesStrictly(bytes)) expect(bad).toEqual([]);
  else {
    expect(bad.length).toBe(1);
    expectFirstBadByte(bytes, bad[0]);
  }
  return ws;
}

function replaceToken(text: string, t: IToken, by: string): string {
  return text.slice(0, t.startOffset) + by + text.slice(tokenEnd(t));
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ------------------------------------------------------------------------------ generators

/** Keywords and punctuators, straight from the lexer's token types (`'rule'`, `'..'`). */
const fixedWords = allTokens
  .map((t) => (typeof t.LABEL === "string" && /^'.+'$/.test(t.LABEL) ? t.LABEL.slice(1, -1) : undefined))
  .filter((w): w is string => w !== undefined);

const identifierArb = fc.oneof(
  fc.constantFrom(...new Set(files.flatMap((f) => f.identifiers))),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/),
);
const numberArb = fc.oneof(
  fc.constantFrom("0", "1", "6", "32", "63", "64", "65", "0x3C", "0b1010", "0xFFFF_FFFF_FFFF_FFFF", "0x1_0000_0000_0000_0000", "1_000", "99999999999999999999999"),
  fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }).map((n) => n.toString()),
  fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }).map((n) => `0x${n.toString(16)}`),
  fc.stringMatching(/^0[xXbB]?[0-9a-fA-F_]{0,6}$/),
);
const stringArb = fc.oneof(
  fc.constantFrom('"arch/aarch64.fault"', '"arch/linux-kvm.fault"', '"aarch64.fault"', '"fuzz.fault"', '"missing.fault"', '""', '"a\\"b\\\\c"', '"\\n"'),
  fc.string({ maxLength: 12 }).map((s) => `"${s.replace(/["\\\n\r]/g, "_")}"`),
);
const separatorArb = fc.constantFrom(" ", " ", " ", "\n", "", "\t", "\r\n", " // c\n", " /* c */ ");
const tokenArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...fixedWords) },
  { weight: 3, arbitrary: identifierArb },
  { weight: 2, arbitrary: numberArb },
  { weight: 1, arbitrary: stringArb },
);
/** A random token sequence. */
const tokenSequenceArb = fc.array(fc.tuple(tokenArb, separatorArb), { maxLength: 60 }).map((ts) => ts.map(([t, s]) => t + s).join(""));

/** Pieces of the bundled files' token streams, spliced: token soup close to the grammar. */
const splicedArb = fc
  .array(
    fc.integer({ min: 0, max: files.length - 1 }).chain((i) => {
      const toks = files[i].tokens;
      return fc.tuple(fc.nat({ max: toks.length - 1 }), fc.integer({ min: 1, max: 25 })).map(([at, n]) => toks.slice(at, at + n).map((t) => t.image).join(" "));
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join("\n"));

/** Text that replaces a slice: grammar characters, any code point, lone surrogates, controls. */
const randomTextArb = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."{}()[];:=.,<>!&|^~+-*/\"\\_ \n\t\raZ09x".split("")), maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.constantFrom("\uD800", "\uDFFF", "\uDC00x", "\u0000", "\u001b[2J", "\u009b31m", "\u2028", "\uFEFF", "/*", '"', "//"),
  tokenSequenceArb,
);

/** Byte sequences that are not UTF-8. */
const invalidUtf8Arb = fc.oneof(
  // overlong encodings
  fc.constantFrom([0xc0, 0x80], [0xc1, 0xbf], [0xc0, 0xaf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf]),
  // lone continuation bytes
  fc.array(fc.integer({ min: 0x80, max: 0xbf }), { minLength: 1, maxLength: 3 }),
  // UTF-16 surrogates encoded in UTF-8 (U+D800..U+DFFF)
  fc.integer({ min: 0xd800, max: 0xdfff }).map((cp) => [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]),
  // truncated multi-byte sequences
  fc.constantFrom([0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xe2], [0xf0, 0x9f]),
  // bytes that never occur, and code points above U+10FFFF
  fc.constantFrom([0xf5, 0x80, 0x80, 0x80], [0xf8], [0xfe], [0xff], [0xf4, 0x90, 0x80, 0x80]),
).map((b) => Uint8Array.from(b));

function fuzzOptions(numRuns: number, offset = 0): fc.Parameters<unknown> {
  return { seed: SEED + offset, numRuns };
}

// ------------------------------------------------------------------------------------ tests

describe("front-end fuzz: the bundled rule files", () => {
  it("has rule files to mutate, and each checks clean as the fuzzed file", () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const ws = checkTextAt(f, f.text);
      expect(ws.diagnostics.filter((d) => d.severity === "error"), f.name).toEqual([]);
    }
  });
});

describe("front-end fuzz: random token sequences", () => {
  it("never throws on vocabulary soup (2500 cases)", () => {
    fc.assert(fc.property(tokenSequenceArb, (text) => void checkText(text)), fuzzOptions(2500, 1));
  });

  it("never throws on spliced pieces of the rule files (600 cases)", () => {
    fc.assert(fc.property(splicedArb, (text) => void checkText(text)), fuzzOptions(600, 2));
  });

  it("never throws on random bytes (300 cases)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void checkBytes(bytes)), fuzzOptions(300, 3));
  });
});

// Deep nesting and long operator chains: small inputs whose trees are deep. The front end must
// answer them with diagnostics (or accept them), not with a RangeError.
//
// These once threw `RangeError: Maximum call stack size exceeded` (parens 130 deep, an unclosed
// run of 150 parens, 1000 `!`, 300 nested rules blocks, a 2000-operand `+` chain). The front end
// now reports nesting beyond 64 and statements beyond 1024 tokens as a located `too-complex`.
describe("front-end fuzz: deep nesting and long chains", () => {
  const prelude = 'import "arch/aarch64.fault";\nimport "arch/linux-kvm.fault";\n';
  const shapes: Record<string, (d: number) => string> = {
    parens: (d) => `${prelude}const X : 8 = ${"(".repeat(d)}1${")".repeat(d)};\n`,
    unclosedParens: (d) => `${prelude}const X = ${"(".repeat(d)}\n`,
    unary: (d) => `${prelude}pred p(x: 1) = ${"!".repeat(d)}true;\n`,
    nestedRules: (d) =>
      `${prelude}handler h records kvm_vcpu_fault_info_v4_6 {\n${"rules { rule r otherwise {\n".repeat(d)}retry;\n${"} }\n".repeat(d)}}\n`,
    orChain: (d) => `${prelude}pred p(x: 1) = ${Array.from({ length: d }, () => "x == 1").join(" || ")};\n`,
    plusChain: (d) => `${prelude}const X : 64 = ${Array.from({ length: d }, () => "1").join(" + ")};\n`,
  };

  // Found by this fuzzer: these used to overflow the stack (RangeError). The front end now
  // bounds nesting and statement length (src/parser/parse.ts, code too-complex).
  it("never throws on deeply nested or long inputs (120 cases)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(shapes)), fc.integer({ min: 1, max: 2500 }), (shape, depth) => void checkText(shapes[shape](depth))),
      fuzzOptions(120, 4),
    );
  });
});

const RUNS_PER_MUTATION = 140;

describe.each(files.map((f, i) => ({ f, i, name: f.name })))("front-end fuzz: mutations of $name", ({ f, i }) => {
  const n = f.tokens.length;
  const seedBase = 100 * (i + 1);

  it("token deleted", () => {
    fc.assert(fc.property(fc.nat({ max: n - 1 }), (k) => void checkTextAt(f, replaceToken(f.text, f.tokens[k], ""))), fuzzOptions(RUNS_PER_MUTATION, seedBase + 1));
  });

  it("token duplicated", () => {
    fc.assert(
      fc.property(fc.nat({ max: n - 1 }), fc.constantFrom(" ", ""), (k, sep) => {
        const t = f.tokens[k];
        void checkTextAt(f, f.text.slice(0, tokenEnd(t)) + sep + t.image + f.text.slice(tokenEnd(t)));
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 2),
    );
  });

  it("two tokens swapped", () => {
    fc.assert(
      fc.property(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }), (a, b) => {
        const [x, y] = a < b ? [f.tokens[a], f.tokens[b]] : [f.tokens[b], f.tokens[a]];
        const text = a === b ? f.text : f.text.slice(0, x.startOffset) + y.image + f.text.slice(tokenEnd(x), y.startOffset) + x.image + f.text.slice(tokenEnd(y));
        void checkTextAt(f, text);
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 3),
    );
  });

  it("truncated at a random offset", () => {
    fc.assert(fc.property(fc.nat({ max: f.text.length }), (at) => void checkTextAt(f, f.text.slice(0, at))), fuzzOptions(RUNS_PER_MUTATION, seedBase + 4));
  });

  it("a random slice replaced by random text", () => {
    fc.assert(
      fc.property(fc.nat({ max: f.text.length }), fc.nat({ max: 80 }), randomTextArb, (at, len, by) => {
        void checkTextAt(f, f.text.slice(0, at) + by + f.text.slice(at + len));
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 5),
    );
  });

  it("random bytes inserted", () => {
    fc.assert(
      fc.property(fc.nat({ max: f.bytes.length }), fc.uint8Array({ minLength: 1, maxLength: 12 }), (at, bytes) => {
        const mutated = concatBytes(f.bytes.subarray(0, at), bytes, f.bytes.subarray(at));
        const ws = checkBytesAt(f, mutated);
        // Bytes that decode are loaded exactly as the same text given to loadText.
        if (decodesStrictly(mutated)) {
          const viaText = new WorkspaceLoader(cachedDisk).loadText(fuzzPathFor(f), new TextDecoder("utf-8", { fatal: true }).decode(mutated));
          expect(summary(ws.diagnostics)).toEqual(summary(viaText.diagnostics));
        }
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 6),
    );
  });

  it("invalid UTF-8 inserted", () => {
    fc.assert(
      fc.property(fc.nat({ max: f.bytes.length }), invalidUtf8Arb, (at, bad) => {
        const mutated = concatBytes(f.bytes.subarray(0, at), bad, f.bytes.subarray(at));
        expect(decodesStrictly(mutated), "the generator makes invalid UTF-8").toBe(false);
        const ws = checkBytesAt(f, mutated);
        expect(ws.diagnostics.map((d) => d.code)).toContain("invalid-utf8");
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 7),
    );
  });

  // Grammatical but semantically wrong: the parse succeeds, the checker must object (or not).
  it("an identifier replaced by another identifier of the file", () => {
    const ids = f.tokens.filter((t) => t.tokenType.name === "Identifier");
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.nat({ max: ids.length - 1 }), fc.constantFrom(...f.identifiers), (k, by) => {
        const ws = checkTextAt(f, replaceToken(f.text, ids[k], by));
        for (const d of ws.diagnostics) seen.add(d.code);
        expect(ws.diagnostics.some((d) => d.code === "syntax-error" || d.code === "unexpected-character"), "still grammatical").toBe(false);
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 8),
    );
    // The mutations reach the checker: names go undefined or declared twice.
    expect([...seen].filter((c) => ["undefined-name", "duplicate-name", "type-mismatch", "width-mismatch", "unknown-field", "not-a-type", "not-a-value"].includes(c)).length).toBeGreaterThan(0);
  });

  it("a number replaced by another number", () => {
    const nums = f.tokens.filter((t) => t.tokenType.name === "IntegerLiteral");
    if (nums.length === 0) return;
    const others = fc.oneof(fc.constantFrom(...f.numbers), fc.constantFrom("0", "1", "64", "65", "0x40", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "4294967296", "99999999999999999999"));
    fc.assert(
      fc.property(fc.nat({ max: nums.length - 1 }), others, (k, by) => {
        const ws = checkTextAt(f, replaceToken(f.text, nums[k], by));
        expect(ws.diagnostics.some((d) => d.code === "syntax-error"), "still grammatical").toBe(false);
      }),
      fuzzOptions(RUNS_PER_MUTATION, seedBase + 9),
    );
  });
});

function summary(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column} ${d.severity} ${d.code} ${d.message}`);
}
