// Golden outputs of the other backends for the small rule file that uses every construct
// (test/fixtures/codegen/small.fault; the kernel C golden is in c-backend.test.ts): the C-like
// variant (.c.ts), the asm-like variant (.asm.ts) and the .S file. Regenerate after a
// deliberate change with UPDATE_GOLDEN=1, and read the diff. Beyond the byte comparison, the
// properties the golden files were read for are checked on their own, so that a regenerated
// golden file cannot quietly lose them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { emitAsmModule } from "../../src/codegen/asm/asm-module.ts";
import { assembleModule } from "../../src/codegen/asm/program.ts";
import { planBuild } from "../../src/codegen/build.ts";
import { emitKernelAsm } from "../../src/codegen/c/asm-file.ts";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { emitCVariant } from "../../src/codegen/ts/c-variant.ts";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import { asmVariantTarget, cVariantTarget } from "../../src/sides/rule-file.ts";
import { bundledRuleFiles } from "../../src/cli/bundled.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import "../../src/codegen/backends.ts";
import { agreementScenarios, resultKey } from "./scenarios.ts";

const FIXTURE = "test/fixtures/codegen/small.fault";
const DIR = "test/fixtures/codegen";
const update = process.env.UPDATE_GOLDEN === "1";
/** The runtime as seen from the fixture folder, as `npm run gen` would write it there. */
const RUNTIME_IMPORT = "../../../src/runtime";
const GCC = "aarch64-linux-gnu-gcc";
const haveGcc = spawnSync("sh", ["-c", `command -v ${GCC}`]).status === 0;

function lowerFixture(): I.IrModule {
  const ws = checkFiles([FIXTURE]);
  expect(ws.diagnostics).toEqual([]);
  const f = ws.files.get(FIXTURE);
  if (f === undefined) throw new Error("fixture did not load");
  return lowerFile(f, ws);
}

async function outputs(m: I.IrModule): Promise<Record<".c.ts" | ".asm.ts" | ".S", string>> {
  return {
    ".c.ts": await emitCVariant(m, { runtimeImport: RUNTIME_IMPORT }),
    ".asm.ts": await emitAsmModule(m, assembleModule(m)),
    ".S": emitKernelAsm(m),
  };
}

/** The input hash covers the generator's version too: keep it out of the golden text. */
function masked(text: string, m: I.IrModule): string {
  expect(text).toContain(m.inputHash);
  return text.replaceAll(m.inputHash, "<input hash>");
}

describe("golden outputs of small.fault", () => {
  it.each([".c.ts", ".asm.ts", ".S"] as const)("%s", async (suffix) => {
    const m = lowerFixture();
    const actual = masked((await outputs(m))[suffix], m);
    const expected = `${DIR}/small${suffix}.expected`;
    if (update) writeFileSync(expected, actual);
    expect(existsSync(expected), `missing ${expected}; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(actual).toBe(readFileSync(expected, "utf8"));
  });

  it("the program text embedded in .asm.ts is the .S file without its #include line", async () => {
    const m = lowerFixture();
    const o = await outputs(m);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(tsToJs(o[".asm.ts"]))}`)) as { text: string };
    expect(`#include "faultc-asm.h"\n${mod.text}`).toBe(o[".S"]);
  });
});

describe("the fixture's asm-like variant runs", () => {
  it.skipIf(!haveGcc)(".S assembles with GNU as (exit code 0x123456789 is movz/movk, not one mov)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-golden-"));
    try {
      writeFileSync(path.join(dir, "small.S"), emitKernelAsm(lowerFixture()));
      const r = spawnSync(GCC, ["-c", "-x", "assembler-with-cpp", "-Wa,--fatal-warnings", `-I${path.resolve("include")}`, "small.S", "-o", "small.o"], { cwd: dir, encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on the model's interpreter, agreeing with the C-like variant and reaching every outcome", async () => {
    const compiled = compileRuleFile(FIXTURE);
    const asm = asmVariantTarget(compiled);
    const c = await cVariantTarget(compiled);
    const seen = new Set<string>();
    // S1E1A (ARM64_HAS_S1POE) is not modelled by the MMU yet. One scenario in five is plenty here
    // (the full agreement runs are variants.test.ts's, on the bundled files).
    const scenarios = agreementScenarios(["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220"], 3).filter((_, i) => i % 5 === 0);
    for (const s of scenarios) {
      const a = asm.run(s);
      expect(resultKey(a)).toBe(resultKey(c.run(s)));
      seen.add(`${a.outcome}${a.exitCode === undefined ? "" : `:0x${a.exitCode.toString(16)}`}`);
    }
    expect([...seen].sort()).toEqual(["exit:0x1", "exit:0x123456789", "retry", "small_other_handler"]);
  });
});

function findRule(b: I.Block, name: string): I.IrRule {
  const visit = (x: I.Block): I.IrRule | undefined =>
    x.end.kind === "decide" ? x.end.rules.map((r) => (r.name === name ? r : visit(r.body))).find((r) => r !== undefined) : undefined;
  const r = visit(b);
  if (r === undefined) throw new Error(`no rule ${name}`);
  return r;
}

/** The asm module's TypeScript is plain data with `as const`: enough to strip for import(). */
function tsToJs(ts: string): string {
  return ts.replaceAll(" as const", "");
}

describe("the asm-like variant, as read in the golden file", () => {
  const program = (): string[] => assembleModule(lowerFixture()).text.split("\n");

  it("tests set membership with a cmp/ccmp chain and one conditional branch", () => {
    const lines = program().map((l) => l.trim());
    // esr.FSC in {PERM[1], PERM[2], PERM[3]} = {0x0d, 0x0e, 0x0f}
    const i = lines.findIndex((l) => /^cmp x\d+, #0xd$/.test(l));
    expect(i).toBeGreaterThan(0);
    const reg = /^cmp (x\d+),/.exec(lines[i])?.[1];
    expect(lines.slice(i + 1, i + 4)).toEqual([`ccmp ${reg}, #0xe, #4, ne`, `ccmp ${reg}, #0xf, #4, ne`, expect.stringMatching(/^b\.ne \.L\w+$/)]);
  });

  it("tests single bits with tbz/tbnz", () => {
    const lines = program().map((l) => l.trim());
    // esr.S1PTW == 0 (bit 7, jump into the rule when clear) and par.F == 1 (bit 0, skip the rule when clear).
    expect(lines.filter((l) => /^tbn?z /.test(l))).toEqual([expect.stringMatching(/^tbz x0, #7, \.L\w+$/), expect.stringMatching(/^tbz x\d+, #0, \.L\w+$/)]);
    // No bit test goes through ubfx + cmp.
    expect(lines.filter((l) => /^ubfx x\d+, x\d+, #\d+, #1$/.test(l))).toEqual([]);
    // The other polarity: `!(par.F == 1)` jumps past the rule when the bit is set.
    const m = structuredClone(lowerFixture());
    const failed = findRule(m.handlers[0].body, "failed");
    if (failed.guard === undefined) throw new Error("rule failed has no guard");
    failed.guard = { op: "not", a: failed.guard };
    const negated = assembleModule(m).text.split("\n").map((l) => l.trim());
    expect(negated.filter((l) => /^tbn?z /.test(l))).toEqual([expect.stringMatching(/^tbz x0, #7, /), expect.stringMatching(/^tbnz x\d+, #0, \.L\w+$/)]);
  });

  it("capability conditions are alternatives of equal length", () => {
    const lines = program();
    let blocks = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("alternative_if_not ")) continue;
      const els = lines.indexOf("alternative_else", i);
      const end = lines.indexOf("alternative_endif", i);
      expect(els).toBeGreaterThan(i);
      expect(end).toBeGreaterThan(els);
      const insns = (from: number, to: number) => lines.slice(from + 1, to).filter((l) => !l.trim().startsWith("//"));
      expect(insns(i, els).length, `alternative at line ${i + 1}`).toBe(insns(els, end).length);
      expect(insns(i, els).length).toBeGreaterThan(0);
      blocks++;
    }
    // ESR_EL2/ESR_EL1 on VHE, the erratum, AT S1E1R/S1E1A on S1POE.
    expect(blocks).toBe(3);
  });

  it("saves the guest's PAR_EL1 with stp before AT and restores it with ldp after", () => {
    const lines = program().map((l) => l.trim());
    const at = lines.findIndex((l) => /^at s1e1r, x\d+$/.test(l));
    expect(at).toBeGreaterThan(0);
    const before = lines.slice(at - 5, at);
    const save = before.findIndex((l) => /^mrs (x\d+), par_el1$/.test(l));
    const scratch = /^mrs (x\d+)/.exec(before[save])?.[1];
    expect(before[save + 1]).toBe(`stp ${scratch}, xzr, [sp, #-16]!`);
    const after = lines.slice(at, at + 10);
    const isb = after.indexOf("isb");
    expect(after[isb + 1]).toMatch(/^mrs x\d+, par_el1$/);
    expect(after.slice(isb + 2, isb + 4)).toEqual([`ldp ${scratch}, xzr, [sp], #16`, `msr par_el1, ${scratch}`]);
    // The AT without `preserving` has no save around it.
    const bare = lines.findIndex((l) => /^at s1e0w, x\d+$/.test(l));
    expect(bare).toBeGreaterThan(0);
    expect(lines.slice(bare - 3, bare + 4).filter((l) => /^(stp|ldp|msr)/.test(l))).toEqual([]);
  });

  it("comments every statement with its rule and line", () => {
    const lines = program();
    const body = lines.slice(lines.indexOf("small_handler:"));
    const comments = body.filter((l) => l.trim().startsWith("// ")).map((l) => l.trim());
    const stmt = comments.filter((c) => /^\/\/ (let|record|exit|retry|handoff|rule)[ :]/.test(c));
    // 4 lets, 5 records, 5 rules and 4 outcomes; each names the line it came from.
    expect(stmt.length).toBe(4 + 5 + 5 + 4);
    for (const c of stmt) expect(c).toMatch(/test\/fixtures\/codegen\/small\.fault:\d+( \(rule \w+\))?$/);
    const m = lowerFixture();
    const lineOf = (o: I.Origin) => `small.fault:${o.line}`;
    const walk = (b: I.Block): I.Origin[] => [
      ...b.stmts.map((s) => s.origin),
      ...(b.end.kind === "decide" ? b.end.rules.flatMap((r) => [r.origin, ...walk(r.body)]) : [b.end.origin]),
    ];
    const origins = walk(m.handlers[0].body);
    expect(origins.length).toBe(stmt.length);
    for (const o of origins) expect(stmt.some((c) => c.includes(`${lineOf(o)}${o.rule ? ` (rule ${o.rule})` : ""}`)), lineOf(o)).toBe(true);
    // Every statement inside a rule names the rule.
    for (const c of stmt.filter((x) => /^\/\/ (record|exit|retry|handoff) /.test(x) && !x.includes("record syndrome"))) expect(c).toMatch(/\(rule \w+\)$/);
  });
});

describe("headers", () => {
  const check = (text: string, file: string, what: string): void => {
    const lines = text.split("\n");
    // Only the .S file's #include may come before the header (the preprocessor needs nothing else).
    const start = lines[0].startsWith("#include ") ? 1 : 0;
    const head = lines.slice(start, start + 6).join("\n");
    expect(head, what).toMatch(/^(\/\/ |\/\*\n \* )Generated by faultc from /);
    expect(head, what).toContain(`Generated by faultc from ${file}: `);
    expect(head, what).toContain("Do not edit: change the rule file and run `npm run gen`.");
    expect(head, what).toMatch(/Input hash \(sha256 of the rule file, its imports and the generator\): [0-9a-f]{64}\n/);
  };

  it("every generated file of every bundled rule file starts with it", async () => {
    const plan = await planBuild(bundledRuleFiles(), "generated");
    expect(plan.outputs.length).toBe(24);
    for (const o of plan.outputs) {
      const m = plan.modules.find((x) => o.path.startsWith(`generated/${x.name}.`));
      if (m === undefined) throw new Error(`no module for ${o.path}`);
      check(o.content, m.file, o.path);
      expect(o.content, o.path).toContain(m.inputHash);
    }
  });

  it("and so do the fixture's outputs, the kernel C included", async () => {
    const m = lowerFixture();
    const o = await outputs(m);
    for (const [suffix, text] of Object.entries(o)) check(text, FIXTURE, suffix);
    check(emitKernelC(m), FIXTURE, ".c");
  });
});
