// The benchmark's generated rule file is what it claims to be: at least 1 MB, deterministic,
// and clean under the checker (so that `npm run bench` times a successful check, not an error path).
import { describe, expect, it } from "vitest";
import { generateRuleFile, GENERATED_PATH } from "../../bench/generate-rules.ts";
import { WorkspaceLoader } from "../../src/parser/workspace.ts";

describe("bench/generate-rules.ts", () => {
  const text = generateRuleFile();

  it("is at least 1,000,000 bytes of ASCII, and the same on every call", () => {
    const bytes = new TextEncoder().encode(text);
    expect(bytes.length).toBeGreaterThanOrEqual(1_000_000);
    expect(bytes.length).toBe(text.length);
    expect(generateRuleFile()).toBe(text);
  });

  it("checks with zero errors, with its imports, and declares many handlers", () => {
    const ws = new WorkspaceLoader().loadText(GENERATED_PATH, text);
    expect(ws.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.range.start.line}: ${d.message}`)).toEqual([]);
    const checked = ws.files.get(GENERATED_PATH);
    expect(checked).toBeDefined();
    expect(checked?.imports.map((p) => p.replace(/\\/g, "/").replace(/.*\/dsl\//, "dsl/"))).toEqual(["dsl/arch/aarch64.fault", "dsl/arch/linux-kvm.fault"]);
    const kinds = new Map<string, number>();
    for (const d of checked?.ast.decls ?? []) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    for (const k of ["const", "pred", "fn", "handler", "contract", "recordDecl", "external"]) expect(kinds.get(k) ?? 0, k).toBeGreaterThan(100);
  });

  it("is really checked: one wrong name in a small generated file is an error", () => {
    const small = generateRuleFile({ targetBytes: 10_000 });
    expect(new WorkspaceLoader().loadText(GENERATED_PATH, small).diagnostics).toEqual([]);
    const broken = small.replace("exit ARM_EXCEPTION_TRAP;", "exit ARM_EXCEPTION_TRAPS;");
    const codes = new WorkspaceLoader().loadText(GENERATED_PATH, broken).diagnostics.map((d) => d.code);
    expect(codes).toContain("undefined-name");
  });
});
