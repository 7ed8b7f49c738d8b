// The name mangler (src/codegen/names/mangle.ts): injective, never a name the generated code
// declares for itself, identity on every name the bundled rule files use (so that the committed
// outputs keep their names), and its reserved words checked against the targets themselves:
// TypeScript's reserved words from the compiler, the model assembler's register names, and the
// macros and typedefs the cross compiler defines with the shipped headers.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { emitKernelAsm } from "../../src/codegen/c/asm-file.ts";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { exportNameOf, mangle, mangleMember, whyEscaped } from "../../src/codegen/names/mangle.ts";
import { emitCVariant } from "../../src/codegen/ts/c-variant.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { registerNamed } from "../../src/runtime/asm/operands.ts";

const GCC = "aarch64-linux-gnu-gcc";
const haveGcc = spawnSync("sh", ["-c", `command -v ${GCC}`]).status === 0;
if (!haveGcc && !process.env.CI) console.warn(`mangle tests against the cross compiler's macros skipped: ${GCC} not found`);

const files = [
  ...readdirSync("dsl")
    .filter((f) => f.endsWith(".fault"))
    .sort()
    .map((f) => `dsl/${f}`),
  "test/fixtures/codegen/small.fault",
];

function lower(file: string): I.IrModule {
  const ws = checkFiles([file]);
  expect(ws.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const f = ws.files.get(file);
  if (f === undefined) throw new Error(`${file} did not load`);
  return lowerFile(f, ws);
}

/** Every name a module takes from its rule file, by whether it is a record or field (a member) or not. */
function ruleFileNames(m: I.IrModule): { code: Set<string>; members: Set<string> } {
  const code = new Set<string>([...m.externals, ...m.exitCodes.map((e) => e.name)]);
  const members = new Set<string>();
  for (const f of m.functions) [f.name, ...f.params.map((p) => p.id)].forEach((n) => code.add(n));
  for (const p of m.predicates) [p.name, ...p.params.map((x) => x.id)].forEach((n) => code.add(n));
  const block = (b: I.Block): void => {
    for (const s of b.stmts) if (s.kind !== "record") code.add(s.id);
    if (b.end.kind === "decide") b.end.rules.forEach((r) => block(r.body));
  };
  for (const h of m.handlers) {
    code.add(h.name);
    members.add(h.record.name);
    h.record.fields.forEach((f) => members.add(f.name));
    block(h.body);
  }
  return { code, members };
}

/**
 * The AT helpers' own parameter and locals (C and TypeScript). Their bodies name no rule-file
 * name, so a rule-file function of one of these names is harmless beside them (the property test,
 * names-property.test.ts, compiles such files with -Wshadow too); they are left as the kernel's
 * __translate_far_to_hpfar spells them.
 */
const AT_HELPER_LOCALS = new Set(["va", "par", "tmp", "saved"]);

/** Whether some rule-file name is printed as `spelled` (the image of mangle). */
function inImage(spelled: string): boolean {
  if (whyEscaped(spelled) === undefined) return true;
  const m = /^dsl_([A-Za-z0-9_]+)_$/.exec(spelled);
  return m !== null && whyEscaped(m[1]) !== undefined;
}

/** Code without its comments and string literals (generated text keeps both simple: no nesting, no escaped quotes but \\"). */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ").replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);

describe("mangle", () => {
  it("is injective, and its escaped names are never plain", () => {
    fc.assert(
      fc.property(identifier, identifier, (a, b) => {
        if (a !== b) expect(mangle(a)).not.toBe(mangle(b));
        if (a !== b) expect(mangleMember(a)).not.toBe(mangleMember(b));
        expect(inImage(mangle(a))).toBe(true);
      }),
      { seed: 9, numRuns: 20000 },
    );
    // The near-collisions of issue 9, and names that look like escapes.
    const near = ["h", "h_", "h__", "_h", "dsl_h_", "dsl_h", "dsl_h__", "int", "int_", "x0", "X0", "x0_"];
    expect(new Set(near.map(mangle)).size).toBe(near.length);
    expect(near.map(mangle)).toEqual(["dsl_h_", "dsl_h__", "dsl_h___", "dsl__h_", "dsl_dsl_h__", "dsl_h", "dsl_dsl_h___", "dsl_int_", "dsl_int__", "dsl_x0_", "dsl_X0_", "dsl_x0__"]);
  });

  it("keeps every name of the bundled rule files as it is (the committed outputs keep their names)", () => {
    for (const file of files) {
      const { code, members } = ruleFileNames(lower(file));
      for (const n of code) expect(mangle(n), `${file}: ${n}: ${whyEscaped(n)}`).toBe(n);
      for (const n of members) expect(mangleMember(n), `${file}: ${n}`).toBe(n);
    }
  });

  it("a record may be called x_record (the layout exports' family is TypeScript's only), a function may not", () => {
    expect(mangleMember("small_record")).toBe("small_record");
    expect(mangle("small_record")).toBe("dsl_small_record_");
    expect(exportNameOf("int")).toBe("dsl_int_");
  });

  it("no rule-file name becomes a name the generated code declares for itself", async () => {
    // Every identifier declared in every generated file of the bundled rule files (and the
    // golden fixture) is either a rule-file name, mangled, or outside mangle's image.
    for (const file of files) {
      const m = lower(file);
      const { code, members } = ruleFileNames(m);
      const ours = new Set([...[...code].map(mangle), ...[...members].map(mangleMember)]);
      const declared = new Set<string>();
      const c = codeOnly(emitKernelC(m));
      for (const re of [/#define\s+(\w+)/g, /\b(?:u64|bool|int|u8|u32)\s+\*?(\w+)/g, /\b(?:struct|enum)\s+(\w+)/g, /^\t(\w+)(?: = \w+)?,$/gm]) {
        for (const x of c.matchAll(re)) declared.add(x[1]);
      }
      const t = codeOnly(await emitCVariant(m, { runtimeImport: "../src/runtime" }));
      for (const re of [/\bfunction\s+(\w+)/g, /\b(?:const|let)\s+(\w+)/g, /import (?:type )?\{([^}]*)\}/g, /[(,]\s*(\w+): [A-Z]/g, /<(\w+), (\w+)>\(/g]) {
        for (const x of t.matchAll(re)) for (const g of x.slice(1)) for (const n of g.split(",")) if (n.trim() !== "") declared.add(n.trim());
      }
      const s = codeOnly(emitKernelAsm(m));
      for (const x of s.matchAll(/^([A-Za-z_.]\w*):/gm)) declared.add(x[1]);
      for (const x of s.matchAll(/^\tb (\w+)$/gm)) declared.add(x[1]);
      expect(declared.size).toBeGreaterThan(20);
      for (const n of declared) {
        if (ours.has(n) || n.startsWith(".") || AT_HELPER_LOCALS.has(n)) continue;
        expect(inImage(n), `${file}: '${n}' is declared by the generated code and is a rule-file name's spelling`).toBe(false);
      }
    }
  });

  it("escapes every reserved word of TypeScript (the compiler's own list)", () => {
    for (let k = ts.SyntaxKind.FirstKeyword; k <= ts.SyntaxKind.LastKeyword; k++) {
      const word = ts.tokenToString(k);
      if (word === undefined) continue;
      const reserved = (k >= ts.SyntaxKind.FirstReservedWord && k <= ts.SyntaxKind.LastReservedWord) || (k >= ts.SyntaxKind.FirstFutureReservedWord && k <= ts.SyntaxKind.LastFutureReservedWord);
      if (reserved) expect(whyEscaped(word), word).toBeDefined();
    }
    for (const w of ["await", "eval", "arguments", "undefined", "globalThis"]) expect(whyEscaped(w), w).toBeDefined();
  });

  it("escapes every register name the model's assembler reads (any case)", () => {
    const candidates = ["sp", "wsp", "xzr", "wzr", "lr", "fp", "ip0", "ip1", "ip2", "pc", "x31", "w31"];
    for (let i = 0; i <= 31; i++) candidates.push(`x${i}`, `w${i}`);
    let registers = 0;
    for (const c of candidates) {
      for (const n of [c, c.toUpperCase(), c[0].toUpperCase() + c.slice(1)]) {
        if (registerNamed(n) === undefined) continue;
        registers++;
        expect(whyEscaped(n), n).toBeDefined();
      }
    }
    expect(registers).toBeGreaterThan(60);
  });

  describe.skipIf(!haveGcc)("against the cross compiler", () => {
    const names = (args: string[], input: string): string[] => {
      const r = spawnSync(GCC, args, { input, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return r.stdout.split("\n").filter((l) => l !== "");
    };

    it("escapes every macro that the headers and GCC define for the .c and the .S (gnu11 and c11)", () => {
      const found = new Set<string>();
      for (const std of ["-std=gnu11", "-std=c11"]) {
        for (const l of names([std, "-ffreestanding", "-dM", "-E", "-Iinclude", "-include", "faultc-hyp.h", "-x", "c", "-"], "")) found.add(l.split(/\s+/)[1].replace(/\(.*/, ""));
      }
      for (const l of names(["-dM", "-E", "-Iinclude", "-include", "faultc-asm.h", "-x", "assembler-with-cpp", "-"], "")) found.add(l.split(/\s+/)[1].replace(/\(.*/, ""));
      expect(found.size).toBeGreaterThan(100);
      for (const n of found) expect(whyEscaped(n), n).toBeDefined();
    });

    it("escapes every typedef, function and enumerator the .c sees from faultc-hyp.h", () => {
      const text = names(["-ffreestanding", "-E", "-P", "-Iinclude", "-x", "c", "-"], '#include "faultc-hyp.h"\n').join("\n");
      const declared = new Set<string>();
      for (const x of text.matchAll(/typedef[^;]*?\b(\w+)\s*;/g)) declared.add(x[1]);
      for (const x of text.matchAll(/\b(\w+)\s*\([^()]*\)\s*(?:__attribute__\s*\(\([^)]*\)\))?\s*[;{]/g)) declared.add(x[1]);
      for (const x of text.matchAll(/enum\s+\w+\s*\{([^}]*)\}/g)) for (const e of x[1].split(",")) if (e.trim() !== "") declared.add(e.trim().split(/\s|=/)[0]);
      expect(declared.size).toBeGreaterThan(20);
      for (const n of declared) expect(whyEscaped(n), n).toBeDefined();
    });
  });

  if (!haveGcc && process.env.CI) {
    it("has the cross compiler (CI)", () => {
      throw new Error(`${GCC} not found; CI must install gcc-aarch64-linux-gnu`);
    });
  }
});
