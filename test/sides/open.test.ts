// Sides by name: every kind parses to its name, opens to the same handler concretely and
// symbolically, and every bad name or bad input is a SideError of the right sort (usage for
// the name, input for what it points at), with the message faultc prints.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import { parseScenario } from "../../src/runtime/scenario/index.ts";
import { openAssemblySource, openSide, parseSideName, REFERENCES, SideError, type Side } from "../../src/sides/index.ts";
import { cModuleCacheDir } from "../../src/sides/rule-file.ts";

async function failure(spec: string, options = {}): Promise<SideError> {
  try {
    await openSide(spec, options);
  } catch (e) {
    if (e instanceof SideError) return e;
    throw e;
  }
  throw new Error(`${spec} opened`);
}

describe("side names", () => {
  it.each<[string, unknown]>([
    ["dsl/kvm-2016.fault#c", { kind: "rule-file", file: "dsl/kvm-2016.fault", variant: "c", handler: undefined }],
    ["dsl/kvm-2016.fault#asm:el1_sync", { kind: "rule-file", file: "dsl/kvm-2016.fault", variant: "asm", handler: "el1_sync" }],
    ["refs/kvm-2016-before.S", { kind: "assembly", file: "refs/kvm-2016-before.S" }],
    ["x.s", { kind: "assembly", file: "x.s" }],
    ["ref:kvm-2016-after", { kind: "reference", name: "kvm-2016-after" }],
    ["build/kvm.ko:handle_exit", { kind: "object", file: "build/kvm.ko", symbol: "handle_exit" }],
    ["hyp.o:__guest_enter", { kind: "object", file: "hyp.o", symbol: "__guest_enter" }],
    ["handler.c", undefined],
  ])("%s", (spec, name) => {
    expect(parseSideName(spec)).toEqual(name);
  });

  it.each(["dsl/kvm-2016.fault", "dsl/kvm-2016.fault#x", "dsl/kvm-2016.fault#c:", "dsl/kvm-2016.fault#c:1x"])("%s is a malformed rule-file name", (spec) => {
    expect(() => parseSideName(spec)).toThrow(SideError.usage(`'${spec}': a rule-file target is FILE.fault#c or FILE.fault#asm, optionally followed by :HANDLER`));
  });
});

describe("opening sides", () => {
  const permission = parseScenario({ esr: "0x9200004f", far: "0x1234", at: { ok: "0x80001000" } });

  it.each([
    ["dsl/kvm-2016.fault#c", "function", "dsl/kvm-2016.fault#c:el1_sync"],
    ["dsl/kvm-2016.fault#asm", "machine-code", "dsl/kvm-2016.fault#asm:el1_sync"],
    ["refs/kvm-2016-before.S", "machine-code", "refs/kvm-2016-before.S"],
    ["ref:kvm-2016-before", "machine-code", "ref:kvm-2016-before"],
    ["ref:kvm-2016-after", "function", "ref:kvm-2016-after"],
  ])("%s: its label, views and record; it runs", async (spec, view, targetLabel) => {
    const side: Side = await openSide(spec);
    expect(side.label).toBe(spec);
    expect(side.symbolic.kind).toBe(view);
    expect(Object.keys(side.layout)).toEqual(["esr_el2", "far_el2", "hpfar_el2"]);
    expect(side.capabilities).toContain("ARM64_WORKAROUND_834220");
    const target = side.concrete();
    expect(target.label).toBe(targetLabel);
    const r = target.run(permission);
    expect([r.outcome, r.exitCode, r.fault.get("hpfar_el2")]).toEqual(["exit", 1n, 0x800010n]);
  });

  it("a rule file's side carries its module and contract; the machine-code view is the program the target runs", async () => {
    const side = await openSide("dsl/kvm-2016.fault#asm");
    expect(side.module?.file).toBe("dsl/kvm-2016.fault");
    expect(side.contract?.text).toContain("assume ESR_EL2[63:32] == 0;");
    if (side.symbolic.kind !== "machine-code") throw new Error("not machine code");
    const loaded = side.symbolic.load(["ARM64_HAS_VIRT_HOST_EXTN"]);
    expect(loaded.labels.get(side.symbolic.entry)).toBeDefined();
    expect(side.symbolic.load(["ARM64_HAS_VIRT_HOST_EXTN"])).toBe(loaded);
    expect((await openSide("refs/kvm-2016-before.S")).contract).toBeUndefined();
  });

  it("--entry chooses an assembly file's label, and only an assembly file's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-sides-"));
    const file = path.join(dir, "start.S");
    writeFileSync(file, "start:\n\teret\n");
    expect((await openSide(file, { entry: "start" })).concrete().run(permission).outcome).toBe("retry");
    expect(await failure(file)).toEqual(SideError.input(`${file}: error: no label 'el1_sync' (the entry point) in the program`));
    expect(await failure("dsl/kvm-2016.fault#c", { entry: "x" })).toEqual(SideError.usage("--entry is for assembly targets; name a rule file's handler as dsl/kvm-2016.fault#c:HANDLER"));
    expect(await failure("ref:kvm-2016-before", { entry: "x" })).toEqual(SideError.usage("--entry is for assembly files; ref:kvm-2016-before has its own entry"));
  });

  it("bad names are usage errors; bad inputs are input errors, located", async () => {
    const cases: [string, SideError][] = [
      ["handler.c", SideError.usage("'handler.c' is not a target: expected an assembly file (.S or .s), a rule file's variant (FILE.fault#c or FILE.fault#asm, optionally :HANDLER), a reference (ref:NAME) or a function in an object file (PATH.o:SYMBOL or PATH.ko:SYMBOL)")],
      ["ref:nope", SideError.usage("unknown reference 'ref:nope' (faultc refs lists them)")],
      ["dsl/kvm-2016.fault#c:nope", SideError.usage("dsl/kvm-2016.fault has no handler 'nope' (it has el1_sync)")],
      ["hyp.o:handler", SideError.input("hyp.o: error: cannot read 'hyp.o' (no such file)")],
      ["missing.S", SideError.input("missing.S:1:1: error: cannot read 'missing.S' (no such file)")],
    ];
    for (const [spec, error] of cases) {
      const e = await failure(spec);
      expect([e.message, e.usage], spec).toEqual([error.message, error.usage]);
    }
    const diag = await failure("test/fixtures/check/width-mismatch.fault#c");
    expect(diag.usage).toBe(false);
    expect(diag.message).toContain("width-mismatch.fault:5:16: error:");
  });

  it("assembly text from no file (faultc run -) is a side like a file's, named as given", () => {
    const side = openAssemblySource("start:\n\teret\n", "<stdin>", { entry: "start" });
    expect([side.label, side.kind, side.symbolic.kind, side.concrete().run(permission).outcome]).toEqual(["<stdin>", "assembly", "machine-code", "retry"]);
    expect(() => openAssemblySource("el1_sync:\n\tfrob x0\n", "<stdin>")).toThrow(SideError.input("<stdin>:2:2: error: unknown mnemonic 'frob'"));
  });

  it("a fresh C-like module is cached in a folder of this checkout's runtime, and runs from there", async () => {
    const compiled = compileRuleFile("test/fixtures/equiv/kvm-2016-renamed.fault");
    const runtime = fileURLToPath(new URL("../../src/runtime", import.meta.url));
    const dir = cModuleCacheDir(compiled.module);
    expect(path.basename(dir)).toBe(`${compiled.module.inputHash.slice(0, 16)}-${createHash("sha256").update(runtime).digest("hex").slice(0, 8)}`);
    const side = await openSide("test/fixtures/equiv/kvm-2016-renamed.fault#c");
    expect(side.concrete().run(permission).fault.get("ipa")).toBe(0x800010n);
    expect(existsSync(path.join(dir, "kvm-2016-renamed.c.ts"))).toBe(true);
  });

  it("every bundled reference opens", async () => {
    for (const r of REFERENCES) expect((await openSide(`ref:${r.name}`)).concrete().label).toBe(`ref:${r.name}`);
  });
});
