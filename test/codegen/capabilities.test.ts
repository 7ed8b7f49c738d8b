// Capability numbers and spellings in the kernel-style files (src/codegen/names/capabilities.ts):
// the closed list keeps its numbers, every other capability gets one from its name alone, in
// 0x100..0x7fff, distinct within a rule file even when two names hash alike; the .c and .S
// define exactly the numbers they use; the .S program text quotes a name that is not ARM64_*, and
// the model's assembler reads the quoted name as the capability. (Building such files with the
// cross toolchain and running them on the model: names-property.test.ts.)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assembleModule } from "../../src/codegen/asm/program.ts";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { asmCapability, capabilityNumbers, cCapability, CPUCAP_LIMIT, FIRST_HASHED, moduleCapabilities, preferredNumber } from "../../src/codegen/names/capabilities.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-caps-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A rule file testing each of `caps` (in a predicate, a register alternative and a rule guard). */
function moduleWith(caps: string[], name = "caps"): I.IrModule {
  const file = path.join(dir, `${name}.fault`);
  writeFileSync(
    file,
    `source "capability numbers test";
sysreg ESR_EL2 : 64;
sysreg ESR_EL1 : 64;
${caps.map((c) => `capability ${c};`).join("\n")}
exitcode E = 1;
record r { f : 64; }
pred p(v: 64) = ${caps[0]} && v[0] == 1;
handler h records r {
  let v = read ESR_EL2 or ESR_EL1 when ${caps[caps.length - 1]};
  record f = v;
  rules {
${caps.map((c, i) => `    rule u${i} when ${c} { exit E; }`).join("\n")}
    rule w when p(v) { exit E; }
    rule z otherwise { retry; }
  }
}
`,
  );
  const ws = checkFiles([file]);
  expect(ws.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const checked = ws.files.get(path.normalize(file));
  if (checked === undefined) throw new Error("not loaded");
  return lowerFile(checked, ws);
}

/** Two names (c0, c1, ...) whose hashed numbers are the same. */
function collidingNames(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `c${i}`;
    const n = preferredNumber(name);
    const other = seen.get(n);
    if (other !== undefined) return [other, name];
    seen.set(n, name);
  }
}

describe("capability numbers", () => {
  it("keep the numbers the headers gave the four capabilities they had (the QEMU harness patches by them)", () => {
    const m = moduleWith(["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220", "ARM64_HAS_S1POE", "ARM64_KVM_HVHE"]);
    expect([...capabilityNumbers(m)]).toEqual([
      ["ARM64_HAS_S1POE", 2],
      ["ARM64_HAS_VIRT_HOST_EXTN", 0],
      ["ARM64_KVM_HVHE", 3],
      ["ARM64_WORKAROUND_834220", 1],
    ]);
  });

  it("give any other capability a number from its name alone, in 0x100..0x7fff", () => {
    const names = ["MY_CAP", "x0", "int", "__LINE__", "linux", "ARM64_OWN", "ARM_SSBD", "A"];
    const a = capabilityNumbers(moduleWith(names, "a"));
    const b = capabilityNumbers(moduleWith([...names].reverse().slice(0, 4), "b"));
    for (const [cap, n] of a) {
      expect(n, cap).toBeGreaterThanOrEqual(FIRST_HASHED);
      expect(n, cap).toBeLessThan(CPUCAP_LIMIT);
      expect(n, cap).toBe(preferredNumber(cap));
      if (b.has(cap)) expect(b.get(cap), cap).toBe(n);
    }
    expect(new Set(a.values()).size).toBe(names.length);
    // The hash is FNV-1a 32 of the UTF-8 bytes: 0x100 + 0xe40c292c % 0x7f00 for "a".
    expect(preferredNumber("a")).toBe(0x100 + (0xe40c292c % 0x7f00));
  });

  it("stay distinct when two names hash alike: the later name takes the next free number", () => {
    const [first, second] = collidingNames();
    const n = preferredNumber(first);
    const numbers = capabilityNumbers(moduleWith([second, first], "collide"));
    expect(numbers.get(first)).toBe(n);
    expect(numbers.get(second)).toBe(n + 1 === CPUCAP_LIMIT ? FIRST_HASHED : n + 1);
  });

  it("cover the capabilities predicates test even when no handler reaches them", () => {
    const m = moduleWith(["ARM64_HAS_S1POE", "MY_CAP"]);
    const unreached: I.IrModule = { ...m, handlers: [], predicates: m.predicates };
    expect(moduleCapabilities(unreached)).toEqual(["ARM64_HAS_S1POE"]);
    expect(emitKernelC(unreached)).toContain("#define ARM64_HAS_S1POE\t0x2\n");
  });
});

describe("capability spellings", () => {
  it("print ARM64_* as it is and any other name out of cpp's and the compiler's reach", () => {
    expect([cCapability("ARM64_HAS_S1POE"), asmCapability("ARM64_HAS_S1POE")]).toEqual(["ARM64_HAS_S1POE", "ARM64_HAS_S1POE"]);
    expect([cCapability("MY_CAP"), asmCapability("MY_CAP")]).toEqual(["FAULTC_CAP_MY_CAP", '"MY_CAP"']);
    expect([cCapability("x0"), asmCapability("x0")]).toEqual(["FAULTC_CAP_dsl_x0_", '"x0"']);
    expect([cCapability("__LINE__"), asmCapability("__LINE__")]).toEqual(["FAULTC_CAP_dsl___LINE___", '"__LINE__"']);
    expect(() => cCapability("a b")).toThrow(/not an identifier/);
  });

  it("define in the .c exactly the numbers it tests, each only #ifndef", () => {
    const m = moduleWith(["ARM64_HAS_S1POE", "x0", "int"]);
    const c = emitKernelC(m);
    const numbers = capabilityNumbers(m);
    for (const [cap, n] of numbers) {
      const name = cCapability(cap);
      expect(c).toContain(`#ifndef ${name}\n#define ${name}\t0x${n.toString(16)}`);
      expect(c).toContain(`cpus_have_final_cap(${name})`);
    }
    expect([...c.matchAll(/^#define (\w+)\t0x[0-9a-f]+\b/gm)].map((x) => x[1]).filter((x) => !x.startsWith("FAULTC_EXIT_CODE_")).sort()).toEqual([...numbers.keys()].map(cCapability).sort());
  });

  it("in the program text are read by the model's assembler as the rule file's names, quoted or not", () => {
    const m = moduleWith(["ARM64_HAS_S1POE", "x0", "__LINE__"]);
    const program = assembleModule(m);
    expect(program.text).toContain('alternative_if_not "x0"\n');
    expect(program.text).toContain('alternative_if_not "__LINE__"\n');
    expect(program.text).toContain("alternative_if_not ARM64_HAS_S1POE\n");
    const parsed = parseProgram(program.text, { file: "caps.S", externals: program.externals });
    const tested = new Set<string>();
    const walk = (items: typeof parsed.items) => {
      for (const it of items) if (it.kind === "alternative") (tested.add(it.capability), walk(it.whenPresent), walk(it.whenAbsent));
    };
    walk(parsed.items);
    expect([...tested].sort()).toEqual(["ARM64_HAS_S1POE", "__LINE__", "x0"]);
    // Patched by name: x0 present swaps in its alternative's side (`nop` where the branch was).
    const text = (caps: string[]) => loadProgram(parsed, caps).instructions.map((i) => i.text);
    expect(text(["x0"])).not.toEqual(text([]));
    expect(text(["x0"]).filter((t) => t === "nop").length).toBe(text([]).filter((t) => t === "nop").length + 1);
  });
});
