// The provenance the build reads back from a generated file's header (src/codegen/provenance.ts)
// is what the header writer (src/codegen/header.ts) put there, for every backend's comment
// style; anything short of the whole header is not taken for a generated file.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { headerLines } from "../../src/codegen/header.ts";
import type { IrModule } from "../../src/codegen/ir/types.ts";
import { GENERATED_MARK, provenanceOf, readProvenance } from "../../src/codegen/provenance.ts";

const HASH = "ab".repeat(32);

function header(file: string, style: "//" | " *", before: string[] = []): string {
  const m = { file, inputHash: HASH, sources: ["a source: with a colon"] } as unknown as IrModule;
  return [...before, ...headerLines(m, "the asm-like variant").map((l) => `${style} ${l}`), "", "code"].join("\n");
}

describe("provenance of generated files", () => {
  it("every file in generated/ names its own rule file (dsl/arch for the arch facts) and the hash its header shows", () => {
    const files = readdirSync("generated").filter((f) => !f.startsWith("."));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const p = readProvenance(path.join("generated", f));
      // arch-facts.ts is made from the whole of dsl/arch; every other file from one rule file.
      const name = f.replace(/\.(c\.ts|asm\.ts|S|c)$/, "");
      expect(p?.ruleFile, f).toBe(f === "arch-facts.ts" ? "dsl/arch" : `dsl/${name}.fault`);
      expect(readFileSync(path.join("generated", f), "utf8")).toContain(`): ${p?.inputHash}`);
    }
  });

  it("reads back what headerLines writes, in // and * comments, after an #include or /*, with ': ' in the path", () => {
    for (const file of ["dsl/x.fault", "/tmp/a b/x.fault", "odd: dir/x.fault"]) {
      expect(provenanceOf(header(file, "//")), file).toEqual({ ruleFile: file, inputHash: HASH });
      expect(provenanceOf(header(file, "//", ['#include "faultc-asm.h"'])), file).toEqual({ ruleFile: file, inputHash: HASH });
      expect(provenanceOf(header(file, " *", ["/*"])), file).toEqual({ ruleFile: file, inputHash: HASH });
    }
  });

  it("is undefined for text that only quotes the mark, lacks the hash line, or has the header too far down", () => {
    const full = header("dsl/x.fault", "//");
    expect(provenanceOf(`// ${GENERATED_MARK}dsl/x.fault: the asm-like variant.\nexport const x = 1;\n`)).toBeUndefined();
    expect(provenanceOf(full.replace(/Input hash[^\n]*/, "Input hash: none"))).toBeUndefined();
    expect(provenanceOf(full.replace(HASH, HASH.slice(1)))).toBeUndefined();
    expect(provenanceOf(`# Notes\n\n${GENERATED_MARK}dsl/x.fault: the asm-like variant.\n`)).toBeUndefined();
    expect(provenanceOf(`\n\n\n${full}`)).toBeUndefined();
    expect(provenanceOf(full.replaceAll("// ", "# "))).toBeUndefined();
    expect(provenanceOf(full)).toBeDefined();
  });
});
