// The kernel-style C backend (src/codegen/c/emit.ts): golden output for a small rule file that
// uses every construct, and escaping of the text from rule files that reaches comments and
// strings. Regenerate the golden file after a deliberate change with UPDATE_GOLDEN=1 and read it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { cComment, cStringLiteral } from "../../src/codegen/c/names.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { checkFiles } from "../../src/parser/workspace.ts";

const FIXTURE = "test/fixtures/codegen/small.fault";
const EXPECTED = "test/fixtures/codegen/small.c.expected";
const update = process.env.UPDATE_GOLDEN === "1";
const GCC = "aarch64-linux-gnu-gcc";
const OBJCOPY = "aarch64-linux-gnu-objcopy";
const haveGcc = [GCC, OBJCOPY].every((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);

function lowerFixture(): I.IrModule {
  const ws = checkFiles([FIXTURE]);
  expect(ws.diagnostics).toEqual([]);
  const f = ws.files.get(FIXTURE);
  if (f === undefined) throw new Error("fixture did not load");
  return lowerFile(f, ws);
}

/** Compiles C text as the headers document; returns the object file's path, or the diagnostics. */
function compile(text: string): { ok: boolean; output: string; obj: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-c-"));
  writeFileSync(path.join(dir, "x.c"), text);
  const obj = path.join(dir, "x.o");
  const r = spawnSync(GCC, ["-c", "-ffreestanding", "-O2", "-Wall", "-Wextra", "-Werror", `-I${path.resolve("include")}`, "x.c", "-o", obj], { cwd: dir, encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`, obj, dir };
}

interface Scanned {
  /** The text outside comments and string literals (each literal as ""). */
  code: string;
  comments: string[];
  /** Each string literal's bytes. */
  strings: Uint8Array[];
}

/** A C lexer for comments and string literals, enough to see what generated text leaves as code. */
function scan(src: string): Scanned {
  let code = "";
  const comments: string[] = [];
  const strings: Uint8Array[] = [];
  let i = 0;
  while (i < src.length) {
    if (src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      comments.push(src.slice(i + 2, end));
      code += " ";
      i = end + 2;
    } else if (src.startsWith("//", i)) {
      const end = src.indexOf("\n", i);
      comments.push(src.slice(i + 2, end < 0 ? src.length : end));
      i = end < 0 ? src.length : end;
    } else if (src[i] === '"') {
      const bytes: number[] = [];
      i++;
      for (;;) {
        if (i >= src.length || src[i] === "\n") throw new Error("unterminated string");
        const c = src[i];
        if (c === '"') break;
        if (c === "\\") {
          const n = src[i + 1];
          const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4));
          if (oct) {
            bytes.push(parseInt(oct[0], 8));
            i += 1 + oct[0].length;
            continue;
          }
          const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "\\": 92, "?": 63, "'": 39 };
          if (!(n in simple)) throw new Error(`escape \\${n} in a string`);
          bytes.push(simple[n]);
          i += 2;
          continue;
        }
        bytes.push(...new TextEncoder().encode(c));
        i++;
      }
      strings.push(Uint8Array.from(bytes));
      code += '""';
      i++;
    } else {
      code += src[i];
      i++;
    }
  }
  return { code, comments, strings };
}

describe("golden output", () => {
  it(`${FIXTURE} -> ${EXPECTED}`, () => {
    const m = lowerFixture();
    // The input hash covers the generator's version too: keep it out of the golden text.
    const actual = emitKernelC(m).replaceAll(m.inputHash, "<input hash>");
    if (update) writeFileSync(EXPECTED, actual);
    expect(existsSync(EXPECTED), `missing ${EXPECTED}; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(actual).toBe(readFileSync(EXPECTED, "utf8"));
  });

  it("is deterministic", () => {
    expect(emitKernelC(lowerFixture())).toBe(emitKernelC(lowerFixture()));
  });

  it("comments every statement of the handler with its rule and line", () => {
    const m = lowerFixture();
    const c = emitKernelC(m);
    const body = c.slice(c.indexOf("int small_handler(struct faultc_vcpu *vcpu, u64 *exit_code)\n{"));
    const lines = body.split("\n").map((l) => l.trim());
    const statements = lines.filter((l) => /^(\*?[a-z_>.-]+ = |return |\(void\))/.test(l) && !l.startsWith("(void)exit_code") && !l.startsWith("(void)vcpu"));
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements) {
      const i = lines.indexOf(s);
      const before = lines.slice(0, i).reverse().find((l) => l.startsWith("/* "));
      expect(before, s).toMatch(/^\/\* (rule|handler) \w+, test\/fixtures\/codegen\/small\.fault:\d+ \*\/$/);
    }
  });

  it.skipIf(!haveGcc)("compiles freestanding with -Werror", () => {
    const r = compile(emitKernelC(lowerFixture()));
    rmSync(r.dir, { recursive: true, force: true });
    expect(r.output).toBe("");
    expect(r.ok).toBe(true);
  });
});

// ---------------------------------------------------------------- escaping

const PAYLOADS = [
  '*/ _Static_assert(0, "broke out of a comment"); /*',
  '"); _Static_assert(0, "broke out of a string"); //',
  "back\\slash\\",
  "line\u2028#error broke out of a line\u2029x\nnext\r\n#error broke out",
  "/* nested ?\?/ trigraph ??",
  "bidi \u202e reversed \u2066 isolate, astral \u{1f600}, lone \ud800, nul \u0000, del \u007f, c1 \u0085",
];

function handMade(): I.IrModule {
  const origin = (line: number, rule?: string): I.Origin => ({ file: `dsl/${PAYLOADS[0]}.fault`, line, column: 1, rule });
  const record: I.IrRecord = { name: "rec", fields: [{ name: "value", width: 64, offset: 0x40, size: 8 }] };
  return {
    file: PAYLOADS.join(" | "),
    name: 'evil */ "name',
    inputHash: PAYLOADS[1],
    sources: PAYLOADS,
    functions: [],
    predicates: [],
    bindings: [],
    handlers: [
      {
        name: "h",
        record,
        body: {
          stmts: [{ kind: "record", field: "value", value: { op: "sysreg", width: 64, reg: { base: "ESR_EL2", alternative: undefined } }, origin: origin(2, PAYLOADS[3]) }],
          end: {
            kind: "decide",
            exhaustive: false,
            origin: origin(3),
            rules: [
              { name: PAYLOADS[4], guard: { op: "cap", name: "ARM64_HAS_S1POE" }, body: { stmts: [], end: { kind: "retry", origin: origin(4, PAYLOADS[5]) } }, origin: origin(4, PAYLOADS[5]) },
              { name: PAYLOADS[0], guard: undefined, body: { stmts: [], end: { kind: "exit", code: 1n, name: "TRAP", origin: origin(5, PAYLOADS[0]) } }, origin: origin(5) },
            ],
          },
        },
        contract: undefined,
        capabilities: ["ARM64_HAS_S1POE"],
        sysregs: ["ESR_EL2"],
        origin: origin(1),
      },
    ],
    exitCodes: [{ name: "TRAP", value: 1n }],
    externals: [],
  };
}

describe("escaping", () => {
  it("keeps rule-file text inside comments and strings", () => {
    const m = handMade();
    const c = emitKernelC(m);
    const s = scan(c);
    expect(s.code).not.toMatch(/broke|error|_Static_assert\(0/);
    for (const comment of s.comments) {
      expect(comment).not.toContain("/*");
      expect(comment).not.toContain("??");
      for (const line of comment.split("\n")) expect(line).toMatch(/^[\x20-\x7e]*$/);
    }
    // Every payload shows up, escaped, in the comments.
    expect(s.comments.some((x) => x.includes("Source: *\\/ _Static_assert(0,"))).toBe(true);
    expect(s.comments.some((x) => x.includes("\\u202e"))).toBe(true);
    // The origin string holds exactly the file name and hash, byte for byte (UTF-8).
    const expected = new TextEncoder().encode(`${m.file} sha256:${m.inputHash}`);
    expect(s.strings.some((b) => Buffer.from(b).equals(Buffer.from(expected)))).toBe(true);
  });

  it.skipIf(!haveGcc)("compiles, and the origin string in the object holds the exact bytes", () => {
    const m = handMade();
    const r = compile(emitKernelC(m));
    try {
      expect(r.output).toBe("");
      expect(r.ok).toBe(true);
      const bin = path.join(r.dir, "rodata.bin");
      const o = spawnSync(OBJCOPY, ["-O", "binary", "--only-section=.rodata", r.obj, bin]);
      expect(o.status).toBe(0);
      const rodata = readFileSync(bin);
      const expected = Buffer.concat([Buffer.from(new TextEncoder().encode(`${m.file} sha256:${m.inputHash}`)), Buffer.from([0])]);
      expect(rodata.includes(expected)).toBe(true);
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  it("refuses names that are not identifiers instead of printing them", () => {
    const m = handMade();
    expect(() => emitKernelC({ ...m, externals: ['x = 1; } evil() { "'] })).toThrow(/not an identifier/);
    const h = m.handlers[0];
    expect(() => emitKernelC({ ...m, handlers: [{ ...h, name: "h(void); int x" }] })).toThrow(/not an identifier/);
    expect(() => emitKernelC({ ...m, exitCodes: [{ name: "A */ B", value: 1n }] })).toThrow(/not an identifier/);
  });

  it("escape helpers", () => {
    expect(cStringLiteral('a"b\\c?d\u00e9\n')).toBe('"a\\042b\\134c\\077d\\303\\251\\012"');
    expect(cComment("a */ b /* c ??/ d\u2028e")).toBe("a *\\/ b / * c ? ?/ d e");
  });
});

describe("lets nothing reads", () => {
  it("are not assigned, nor what only they read (gcc -Wunused-but-set-variable)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-c-unread-"));
    const file = path.join(dir, "unread.fault");
    writeFileSync(
      file,
      `source "lets nothing reads";
sysreg ESR_EL2 : 64;
exitcode E = 1;
record r { a : 64; }
handler h records r {
  let e = read ESR_EL2;
  let b6 = e[0] == 1;
  let b7 = b6;
  let v = e + 1;
  let w = v ^ e;
  record a = e;
  exit E;
}
`,
    );
    const ws = checkFiles([file]);
    expect(ws.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const checked = ws.files.get(path.normalize(file));
    if (checked === undefined) throw new Error("not loaded");
    const c = emitKernelC(lowerFile(checked, ws));
    rmSync(dir, { recursive: true, force: true });
    for (const id of ["b6", "b7", "v", "w"]) expect(c, id).toContain(`/* ${id} is not used */`);
    expect(c).not.toMatch(/\b(b6|b7|v|w) =/);
    if (haveGcc) {
      const r = compile(c);
      rmSync(r.dir, { recursive: true, force: true });
      expect(r.ok, r.output).toBe(true);
    }
  });
});
