// The compiled faultc (scripts/compile.mjs into dist/, run by bin/faultc.js while bin/compiled.js
// finds it current): built in a copy of the checkout, so that the developer's own dist/ is left
// alone, it runs instead of the sources exactly while every source it was built from is
// unchanged, and its commands give what the sources give: the generated files byte for byte, a
// run of a C-like variant (which imports a generated TypeScript module through tsx), the paths
// found from the code's own location (dsl/, the runtime, package.json), and exit codes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const COPIED = ["bin", "dsl", "generated", "include", "qemu", "refs", "scripts", "src", "package.json", "package-lock.json", "tsconfig.json"];
const MARK = "[compiled]";

let root = "";

function node(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, FAULTC_FROM_SOURCE: "", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const faultc = (args: string[], env: Record<string, string> = {}) => node(["bin/faultc.js", ...args], env);

function staleness(): string | undefined {
  const r = node(["--input-type=module", "-e", 'const m = await import("./bin/compiled.js"); process.stdout.write(JSON.stringify(m.staleness("faultc") ?? null))']);
  return JSON.parse(r.stdout) ?? undefined;
}

/** A mark in the compiled overview only, to tell which code a run of the bin took. */
function markCompiled(): void {
  const entry = path.join(root, "dist", "faultc.js");
  const text = readFileSync(entry, "utf8");
  expect(text).toContain("usage: faultc COMMAND");
  writeFileSync(entry, text.replace("usage: faultc COMMAND", `usage: faultc COMMAND ${MARK}`));
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "faultc-compiled-"));
  for (const f of COPIED) cpSync(path.join(repo, f), path.join(root, f), { recursive: true });
  symlinkSync(path.join(repo, "node_modules"), path.join(root, "node_modules"));
  const r = node(["scripts/compile.mjs"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  markCompiled();
}, 120_000);

afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true });
});

describe("compiled faultc", () => {
  it("builds into dist/ one module per command and a stamp of its sources", () => {
    const files = readdirSync(path.join(root, "dist"));
    expect(files).toContain("faultc.js");
    expect(files).toContain("stamp.json");
    expect(files.some((f) => f.startsWith("check-"))).toBe(true);
    const stamp = JSON.parse(readFileSync(path.join(root, "dist", "stamp.json"), "utf8")) as { inputs: Record<string, unknown> };
    expect(Object.keys(stamp.inputs)).toContain("src/cli/main.ts");
    expect(Object.keys(stamp.inputs)).toContain("tsconfig.json");
    expect(Object.keys(stamp.inputs).some((f) => f.startsWith("node_modules/"))).toBe(false);
  });

  it("runs while current, and the sources through tsx once a source changed or on FAULTC_FROM_SOURCE=1", () => {
    expect(staleness()).toBeUndefined();
    expect(faultc(["--help"]).stdout).toContain(MARK);
    expect(faultc(["--help"], { FAULTC_FROM_SOURCE: "1" }).stdout).not.toContain(MARK);
    const source = path.join(root, "src", "cli", "bundled.ts");
    const later = new Date(Date.now() + 5000);
    utimesSync(source, later, later);
    try {
      expect(staleness()).toBe("src/cli/bundled.ts changed since the build");
      const r = faultc(["--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(MARK);
    } finally {
      // Built again: current again.
      expect(node(["scripts/compile.mjs"]).code).toBe(0);
    }
    expect(staleness()).toBeUndefined();
    markCompiled();
    expect(faultc(["--help"]).stdout).toContain(MARK);
  }, 120_000);

  it("is not used when a source it was built from is gone", () => {
    const stampFile = path.join(root, "dist", "stamp.json");
    const saved = readFileSync(stampFile, "utf8");
    try {
      const stamp = JSON.parse(saved) as { inputs: Record<string, [number, number]> };
      stamp.inputs["src/gone.ts"] = [1, 1];
      writeFileSync(stampFile, JSON.stringify(stamp));
      expect(staleness()).toBe("src/gone.ts is gone");
      writeFileSync(stampFile, "{");
      expect(staleness()).toBe("not built (npm run compile)");
    } finally {
      writeFileSync(stampFile, saved);
    }
  });

  it("generates the same files as the sources, byte for byte", () => {
    const compiled = path.join(root, "out-compiled");
    const source = path.join(root, "out-source");
    for (const file of ["dsl/kvm-2016.fault", "dsl/linux-6.15.fault"]) {
      expect(faultc(["build", "--out", compiled, file]).code).toBe(0);
      expect(faultc(["build", "--out", source, file], { FAULTC_FROM_SOURCE: "1" }).code).toBe(0);
    }
    const names = readdirSync(source).sort();
    expect(readdirSync(compiled).sort()).toEqual(names);
    expect(names.length).toBe(8);
    for (const f of names) expect(readFileSync(path.join(compiled, f), "utf8"), f).toBe(readFileSync(path.join(source, f), "utf8"));
  }, 240_000);

  it("shares the build cache with the sources while current: a build from the sources finds what the compiled one generated", () => {
    const out = path.join(root, "out-shared");
    expect(staleness()).toBeUndefined();
    expect(faultc(["build", "--out", out, "dsl/xen.fault"]).code).toBe(0);
    // The record of the output folder (src/codegen/build-cache.ts): rewritten by a build that generates anything.
    const record = path.join(tmpdir(), "faultc-build-cache", `${createHash("sha256").update(path.resolve(out)).digest("hex").slice(0, 32)}.json`);
    const recorded = readFileSync(record, "utf8");
    expect(recorded).toContain(path.join(out, "xen.c.ts"));
    // The sources in a process of their own, not through the bin (which would run dist/).
    const script = `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(["build", "--out", ${JSON.stringify(out)}, "dsl/xen.fault"]);`;
    const r = node(["--import", "tsx", "--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("0 written, 4 unchanged, 0 removed\n");
    expect(readFileSync(record, "utf8")).toBe(recorded);
  }, 120_000);

  it("runs a C-like variant, which imports a generated TypeScript module, as the sources do", () => {
    const args = ["run", "dsl/kvm-2016.fault#c", "--esr", "0x9200004f", "--far", "0x1234", "--at", "fault"];
    const compiled = faultc(args);
    expect(compiled.stderr).toBe("");
    expect(compiled.code).toBe(0);
    expect(compiled.stdout).toBe(faultc(args, { FAULTC_FROM_SOURCE: "1" }).stdout);
    expect(JSON.parse(compiled.stdout).outcome).toBeDefined();
  }, 120_000);

  it("imports a committed C-like variant compiled (dist/generated/NAME.c.js), not through tsx, while current", () => {
    const variant = path.join(root, "dist", "generated", "kvm-2016.c.js");
    const text = readFileSync(variant, "utf8");
    expect(text).toContain('inputHash: "');
    // A mark only the compiled variant prints: the run shows which module it imported.
    writeFileSync(variant, `process.stderr.write("[compiled variant]\\n");\n${text}`);
    try {
      const args = ["run", "dsl/kvm-2016.fault#c", "--esr", "0x9200004f", "--far", "0x1234", "--at", "fault"];
      const compiled = faultc(args);
      expect(compiled.stderr).toBe("[compiled variant]\n");
      expect(compiled.stdout).toBe(faultc(args, { FAULTC_FROM_SOURCE: "1" }).stdout);
    } finally {
      writeFileSync(variant, text);
    }
  }, 120_000);

  it("reports the version from package.json, bad input with exit 1 and bad usage with exit 2", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    expect(faultc(["--version"]).stdout).toBe(`faultc ${pkg.version}\n`);
    const bad = faultc(["check", "test-missing.fault"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^test-missing\.fault:1:1: error: /);
    expect(faultc(["check", "--frobnicate"]).code).toBe(2);
  });
});
