// The faultc command as users meet it: exit codes, help for every subcommand, diagnostics on
// stderr, JSON on stdout, and no stack trace for any input.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { commands, main } from "../../src/cli/main.ts";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe("faultc", () => {
  it("prints an overview with every command and exits 0 for --help", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(c.name);
  });

  it.each(commands.map((c) => c.name))("%s --help prints its usage and exits 0", async (name) => {
    const r = await run([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: faultc ${name}`));
  });

  it("rejects an unknown command with exit 2", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it("check: clean file exits 0 and prints nothing", async () => {
    const r = await run(["check", "dsl/kvm-2016.fault"]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("check: errors exit 1 with GCC-style located diagnostics and a caret", async () => {
    const r = await run(["check", "test/fixtures/check/width-mismatch.fault"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("test/fixtures/check/width-mismatch.fault:5:16: error: field esr has 64 bits but this value has 6; use zext, sext or trunc [width-mismatch]");
    expect(r.stderr).toContain("\n                ^~~~~~\n");
    expect(r.stderr).toContain("1 error, 0 warnings");
  });

  it("check --json prints the diagnostics as JSON on stdout", async () => {
    const r = await run(["check", "--json", "test/fixtures/check/shift-out-of-range.fault"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { code: string; line: number; column: number; file: string }[];
    expect(json).toEqual([
      expect.objectContaining({ code: "shift-out-of-range", file: "test/fixtures/check/shift-out-of-range.fault", line: 3, column: 25, severity: "error" }),
    ]);
  });

  it("check: a missing file is a located error, exit 1", async () => {
    const r = await run(["check", "no/such/file.fault"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no/such/file.fault:1:1: error: cannot read 'no/such/file.fault' [file-not-found]");
  });

  it("check: usage errors exit 2", async () => {
    expect((await run(["check"])).code).toBe(2);
    expect((await run(["check", "--nope", "x.fault"])).code).toBe(2);
    expect((await run(["railroad", "--out"])).stderr).toContain("option '--out' needs a value");
  });

  it("check: binary garbage gives diagnostics, never a stack trace", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-"));
    const file = path.join(dir, "garbage.fault");
    writeFileSync(file, Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x0a, 0xc0, 0xaf, 0x7b]));
    const r = await run(["check", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:1:2: error: invalid UTF-8`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("main: the bundled rule files check clean and are tabulated", async () => {
    const r = await run(["main", "--no-equiv"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dsl\/kvm-2016\.fault\s+el1_sync\s+\d+\s+ok/);
    expect(r.stdout).toMatch(/dsl\/xen\.fault\s+do_trap_stage2_abort_guest/);
  });

  it("the installed bin runs through node (npx faultc)", () => {
    const r = spawnSync(process.execPath, ["bin/faultc.js", "check", "test/fixtures/syntax/truncated.fault"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("truncated.fault:3:32: error: expected '}' but found end of file in a rules block [syntax-error]");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
