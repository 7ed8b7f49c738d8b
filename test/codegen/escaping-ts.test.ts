// Text from rule files never breaks out of the generated TypeScript (.c.ts and .asm.ts). Two
// lines of defence: the checker rejects unsafe strings (`unsafe-string`), and the emitters
// escape on their own, which is tested here on a hand-made IR with hostile text wherever the IR
// allows any string (sources, file names, rule, record, field, exit and external names), and
// with names that must be identifiers (handlers, functions, parameters, lets, capabilities in
// helper names) refused instead of printed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { emitAsmModule } from "../../src/codegen/asm/asm-module.ts";
import { assembleModule } from "../../src/codegen/asm/program.ts";
import { runtimeImportFrom } from "../../src/codegen/build.ts";
import { stringLiteral } from "../../src/codegen/escape.ts";
import { exportNameOf, mangle } from "../../src/codegen/names/mangle.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { emitCVariant, type CVariantOptions } from "../../src/codegen/ts/c-variant.ts";
import { FunctionTarget, type HandlerFunction } from "../../src/runtime/run/index.ts";
import { recordLayout } from "../../src/sides/rule-file.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { scenario } from "../../src/runtime/scenario/index.ts";

const FIXTURE = "test/fixtures/codegen/small.fault";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "faultc-escape-"));
  dirs.push(d);
  return d;
}

// ---------------------------------------------------------------- the checker

describe("the checker rejects strings that could break out of generated code", () => {
  const bad: [string, string][] = [
    ["a block comment terminator", "a */ b"],
    ["a backtick", "a ` b"],
    ["a template substitution", "a ${b} c"],
    ["U+2028", "a \u2028 b"],
    ["U+2029", "a \u2029 b"],
    ["NUL", "a \u0000 b"],
    ["a tab", "a \t b"],
    ["an escape character", "a \u001b[2J b"],
    ["DEL", "a \u007f b"],
  ];

  it.each(bad)("%s", (_, text) => {
    const dir = tempDir();
    const file = path.join(dir, "hostile.fault");
    writeFileSync(file, `source "${text}";\n`);
    const ws = checkFiles([file]);
    const codes = ws.diagnostics.map((d) => d.code);
    expect(codes).toContain("unsafe-string");
    const d = ws.diagnostics.find((x) => x.code === "unsafe-string");
    expect(d?.severity).toBe("error");
    expect(d?.range.start.line).toBe(1);
  });

  it("accepts the bundled kind of text, quotes and backslashes included", () => {
    const dir = tempDir();
    const file = path.join(dir, "fine.fault");
    writeFileSync(file, 'source "Linux v6.15 arch/arm64/kvm/hyp/include/hyp/fault.h: __get_fault_info() /* a comment opener, {braces}, \\"q\\" \\\\ $x {y}";\n');
    expect(checkFiles([file]).diagnostics.filter((d) => d.code === "unsafe-string")).toEqual([]);
  });
});

// ---------------------------------------------------------------- the emitters on their own

/** Each payload carries an identifier starting BROKE_OUT: if it ever is a code token, the payload escaped. */
const PAYLOADS = [
  "*/ BROKE_OUT_1(); /*",
  "\nBROKE_OUT_2(); //",
  '"; BROKE_OUT_3(); "',
  "'; BROKE_OUT_4(); '",
  "`; BROKE_OUT_5(); ` ${BROKE_OUT_6()}",
  "\u2028BROKE_OUT_7();\u2029BROKE_OUT_8();",
  "\r\nBROKE_OUT_9(); \u0085 \r BROKE_OUT_10();",
  "back\\slash at the end \\",
  "nul \u0000 del \u007f bell \u0007 lone \ud800 astral \u{1f600} bidi \u202e",
  "*/\n} export function BROKE_OUT_11() { /*",
];
const ALL = PAYLOADS.join(" | ");

function lowerFixture(): I.IrModule {
  const ws = checkFiles([FIXTURE]);
  expect(ws.diagnostics).toEqual([]);
  const f = ws.files.get(FIXTURE);
  if (f === undefined) throw new Error("fixture did not load");
  return lowerFile(f, ws);
}

/**
 * The fixture's IR with hostile text wherever the IR allows any string: sources, the file name,
 * every origin's file and rule, rule names, the record's and its fields' names, exit names,
 * the input hash, and (the C-like variant has them in strings only; the program branches to
 * them, so they stay symbols for the asm-like variant) externals and the handoff to one.
 */
function hostile(external = EXTERNAL): I.IrModule {
  const m = structuredClone(lowerFixture());
  let k = 0;
  const next = (): string => PAYLOADS[k++ % PAYLOADS.length];
  const origin = (o: I.Origin): void => {
    o.file = `${next()}.fault`;
    if (o.rule !== undefined) o.rule = next();
  };
  const ruleNames = new Map<string, string>();
  const block = (b: I.Block): void => {
    for (const s of b.stmts) {
      origin(s.origin);
      if (s.kind === "record") s.field = fieldName(s.field);
    }
    const t = b.end;
    origin(t.origin);
    if (t.kind === "exit") t.name = `EXIT ${next()}`;
    if (t.kind === "handoff") t.target = external;
    if (t.kind === "decide") {
      for (const r of t.rules) {
        const name = `${r.name} ${next()}`;
        ruleNames.set(r.name, name);
        r.name = name;
        origin(r.origin);
        block(r.body);
      }
    }
  };
  m.file = ALL;
  m.inputHash = `${PAYLOADS[1]}${PAYLOADS[0]}`;
  m.sources = [...PAYLOADS];
  for (const f of m.functions) origin(f.origin);
  for (const p of m.predicates) origin(p.origin);
  for (const h of m.handlers) {
    origin(h.origin);
    h.record.name = `record ${ALL}`;
    for (const f of h.record.fields) f.name = fieldName(f.name);
    block(h.body);
  }
  m.exitCodes = m.exitCodes.map((e) => ({ ...e, name: `${e.name} ${next()}` }));
  m.externals = [external];
  return m;
}

const EXTERNAL = `other ${PAYLOADS[2]}${PAYLOADS[4]}`;
function fieldName(name: string): string {
  return `${name} ${PAYLOADS[PAYLOADS.length - 1]}${PAYLOADS[1]}`;
}

interface Lexed {
  syntaxErrors: string[];
  /** Every identifier token outside comments and string literals. */
  identifiers: string[];
  /** Every comment token's text. */
  comments: string[];
}

/** Parses and scans TypeScript: its syntax errors, the identifiers in code, and the comments. */
function lex(text: string): Lexed {
  const out = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  const syntaxErrors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  const sf = ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const identifiers: string[] = [];
  const comments = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) identifiers.push(n.text);
    for (const r of [...(ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []), ...(ts.getTrailingCommentRanges(text, n.getEnd()) ?? [])]) {
      comments.add(text.slice(r.pos, r.end));
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return { syntaxErrors, identifiers, comments: [...comments] };
}

function expectContained(text: string): Lexed {
  const l = lex(text);
  expect(l.syntaxErrors).toEqual([]);
  expect(l.identifiers.filter((x) => x.startsWith("BROKE_OUT"))).toEqual([]);
  // Comments hold printable text only: no line terminator of any kind inside a // comment.
  for (const c of l.comments) {
    if (c.startsWith("//")) expect(c, c).toMatch(/^[^\r\n\u2028\u2029\u0085]*$/);
    else expect(c.slice(2, -2), c).not.toContain("*/");
    expect(c, c).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
  }
  return l;
}

async function importTs<T>(text: string, dir: string, name: string): Promise<T> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return (await import(pathToFileURL(file).href)) as T;
}

describe("the TypeScript emitters escape rule-file text on their own", () => {
  it("the C-like variant (.c.ts): parses, keeps the text in comments and strings, and runs with the exact strings", async () => {
    const m = hostile();
    const dir = tempDir();
    const opts: CVariantOptions = { runtimeImport: runtimeImportFrom(dir) };
    const text = await emitCVariant(m, opts);
    const l = expectContained(text);
    // The text did reach the output (escaped), so the test is not vacuous.
    expect(l.comments.some((c) => c.includes("BROKE_OUT_1"))).toBe(true);
    expect(l.comments.some((c) => c.includes("BROKE_OUT_7"))).toBe(true);

    const mod = await importTs<Record<string, unknown>>(text, dir, "hostile.c.ts");
    expect(mod.origin).toEqual({ file: m.file, inputHash: m.inputHash });
    const h = m.handlers[0];
    expect(mod.small_handler_record).toEqual(h.record.fields.map((f) => ({ name: f.name, width: f.width, offset: f.offset, size: f.size })));
    // The handler returns the hostile handoff target byte for byte, and traces the hostile rule name.
    const fn = mod.small_handler as HandlerFunction;
    const target = new FunctionTarget("hostile", recordLayout(h), { file: "hostile", line: 1 }, fn);
    const r = target.run(scenario({ esr: 0x1en << 26n, caps: [] }), { trace: true });
    expect(r.outcome).toBe(EXTERNAL);
    const firstRule = h.body.end.kind === "decide" ? h.body.end.rules[0].name : "";
    expect(r.trace.map((t) => t.text)).toContain(`rule ${firstRule} (line 33)`);
  });

  it("the asm-like variant (.asm.ts): parses, keeps the text in comments and strings, and holds the exact program", async () => {
    const m = hostile("small_other_handler");
    const program = assembleModule(m);
    const text = await emitAsmModule(m, program);
    expectContained(text);
    const mod = await importTs<{ origin: unknown; handlers: unknown; externals: unknown; text: string }>(text, tempDir(), "hostile.asm.ts");
    expect(mod.origin).toEqual({ file: m.file, inputHash: m.inputHash });
    expect(mod.text).toBe(program.text);
    expect(mod.externals).toEqual([...program.externals.keys()]);
    expect(mod.handlers).toEqual(m.handlers.map((h) => ({ name: h.name, entry: exportNameOf(h.name), record: h.record.fields.map((f) => ({ name: f.name, width: f.width, offset: f.offset, size: f.size })) })));
    // Inside the program, rule-file text is in `//` comments that end at their line.
    for (const line of program.text.split("\n")) {
      const code = line.replace(/\/\/.*$/, "");
      expect(code, line).not.toContain("BROKE_OUT");
      expect(line, line).not.toMatch(/[\r\u2028\u2029\u0085\u0000]/);
    }
  });

  it("the unmodified fixture is contained too (the checks are not tuned to hostile text)", async () => {
    const m = lowerFixture();
    expectContained(await emitCVariant(m, { runtimeImport: "../src/runtime" }));
    expectContained(await emitAsmModule(m, assembleModule(m)));
  });
});

describe("names that become identifiers are refused by mangle(), never printed", () => {
  it("mangle()", () => {
    for (const bad of ["", "a b", "1x", "x-y", "x\n", "x;y", "é", "x\u2028", "a/*", "x`", "${x}", "x\u0000"]) {
      expect(() => mangle(bad), JSON.stringify(bad)).toThrow(/not an identifier/);
    }
  });

  const evil = "x(){} BROKE_OUT(); function y";
  const variants: [string, (m: I.IrModule) => void][] = [
    ["a handler name", (m) => void (m.handlers[0].name = evil)],
    ["a function name", (m) => void (m.functions[0].name = evil)],
    ["a predicate name", (m) => void (m.predicates[0].name = evil)],
    ["a parameter", (m) => void (m.functions[0].params[0].id = evil)],
    [
      "a let",
      (m) => {
        const s = m.handlers[0].body.stmts[0];
        if (s.kind !== "let") throw new Error("expected a let");
        s.id = evil;
      },
    ],
    [
      "a capability in an AT helper's name",
      (m) => {
        const walk = (b: I.Block): void => {
          for (const s of b.stmts) if (s.kind === "at" && s.op.alternative) s.op.alternative.capability = evil;
          if (b.end.kind === "decide") for (const r of b.end.rules) walk(r.body);
        };
        walk(m.handlers[0].body);
      },
    ],
  ];

  it.each(variants)("the C-like variant refuses %s that is not an identifier", async (_, spoil) => {
    const m = structuredClone(lowerFixture());
    spoil(m);
    await expect(emitCVariant(m, { runtimeImport: "../src/runtime" })).rejects.toThrow(/not an identifier/);
  });

  const asmVariants: [string, (m: I.IrModule) => void][] = [
    ["a handler name (a label)", (m) => void (m.handlers[0].name = evil)],
    [
      "a handoff target (a branch target)",
      (m) => {
        const d = m.handlers[0].body.end;
        if (d.kind !== "decide" || d.rules[0].body.end.kind !== "handoff") throw new Error("expected a handoff first");
        d.rules[0].body.end.target = `x\n\tb ${evil}`;
      },
    ],
    ...variants.filter(([what]) => what.startsWith("a capability")),
    [
      "a system register",
      (m) => {
        const s = m.handlers[0].body.stmts[0];
        if (s.kind !== "let" || s.value.op !== "sysreg" || s.value.reg.alternative === undefined) throw new Error("expected a sysreg alternative");
        s.value.reg.alternative.register = "esr_el1\n\tb elsewhere";
      },
    ],
  ];

  it.each(asmVariants)("the asm-like variant refuses %s that is not an identifier", (_, spoil) => {
    const m = structuredClone(lowerFixture());
    spoil(m);
    expect(() => assembleModule(m)).toThrow(/not an identifier/);
  });

  it("string literals escape everything that could end them or substitute", () => {
    for (const p of PAYLOADS) {
      const lit = stringLiteral(p);
      expect(lit).toMatch(/^"[\x20-\x7e]*"$/);
      expect(lit).not.toContain("${");
      expect(JSON.parse(lit.replaceAll("$\\{", "${"))).toBe(p);
    }
  });
});
