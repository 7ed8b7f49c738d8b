// The faultc command as users meet it: exit codes, help for every subcommand, diagnostics on
// stderr, JSON on stdout, and no stack trace for any input.
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCommands } from "../../src/cli/main.ts";
import { readFailure } from "../../src/io/read-failure.ts";
import { cli as run } from "./harness.ts";

const commands = await loadCommands();

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

  it("check: a file that cannot be read is a located error that says why, exit 1", async () => {
    const r = await run(["check", "no/such/file.fault"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no/such/file.fault:1:1: error: cannot read 'no/such/file.fault' (no such file) [file-not-found]");
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-"));
    const folder = path.join(dir, "folder.fault");
    mkdirSync(folder);
    expect((await run(["check", folder])).stderr).toContain(`${folder}:1:1: error: cannot read '${folder}' (is a directory) [file-not-found]`);
    const under = path.join(dir, "notes.txt");
    writeFileSync(under, "");
    expect((await run(["check", path.join(under, "x.fault")])).stderr).toContain("(a part of the path is not a directory)");
  });

  // Root reads any file whatever its mode, so the case cannot be made there.
  it.skipIf(process.getuid?.() === 0)("check: a file without read permission says so", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-"));
    const locked = path.join(dir, "locked.fault");
    writeFileSync(locked, "");
    chmodSync(locked, 0o000);
    const r = await run(["check", locked]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read '${locked}' (permission denied) [file-not-found]`);
  });

  it("the reason a read failed, in the words every input error uses", () => {
    expect(["ENOENT", "EISDIR", "EACCES", "EPERM", "ENOTDIR", "EIO"].map((code) => readFailure(Object.assign(new Error(code), { code })))).toEqual([
      "no such file", "is a directory", "permission denied", "permission denied", "a part of the path is not a directory", "unreadable: EIO",
    ]);
  });

  it("check -: reads the rule file from standard input, named <stdin> in diagnostics", async () => {
    // Its imports are relative to the current folder.
    const text = readFileSync("test/fixtures/check/width-mismatch.fault", "utf8")
      .replace('import "support/', 'import "test/fixtures/check/support/')
      .replace('import "../../../dsl/', 'import "dsl/');
    const r = await run(["check", "-"], text);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("<stdin>:5:16: error: field esr has 64 bits but this value has 6; use zext, sext or trunc [width-mismatch]");
    const json = await run(["check", "--json", "-"], text);
    expect((JSON.parse(json.stdout) as { file: string }[]).map((d) => d.file)).toEqual(["<stdin>"]);
    expect(await run(["check", "-", "-"])).toMatchObject({ code: 2, stderr: expect.stringContaining("'-' (standard input) given twice") as unknown });
  });

  it("a directory as standard input is refused, not read as empty", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-"));
    const spawnWithDirStdin = (args: string[]) => {
      const fd = openSync(dir, "r");
      try {
        return spawnSync(process.execPath, ["bin/faultc.js", ...args], { stdio: [fd, "pipe", "pipe"], encoding: "utf8" });
      } finally {
        closeSync(fd);
      }
    };
    const check = spawnWithDirStdin(["check", "-"]);
    expect([check.status, check.stderr]).toEqual([1, "<stdin>:1:1: error: cannot read '<stdin>' (is a directory) [file-not-found]\n1 error, 0 warnings\n"]);
    const jsonl = spawnWithDirStdin(["run", "refs/kvm-2016-before.S", "--jsonl"]);
    expect([jsonl.status, jsonl.stdout, jsonl.stderr]).toEqual([1, "", "faultc run: cannot read standard input (is a directory)\n"]);
  });

  it("check: a UTF-8 byte order mark before a rule file is accepted", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-"));
    const file = path.join(dir, "bom.fault");
    const arch = path.relative(dir, path.resolve("dsl/arch"));
    writeFileSync(file, "\uFEFF" + readFileSync("dsl/kvm-2016.fault", "utf8").replaceAll('import "arch/', `import "${arch}/`));
    expect(await run(["check", file])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("--version prints the version package.json gives", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(await run(["--version"])).toEqual({ code: 0, stdout: `faultc ${pkg.version}\n`, stderr: "" });
    expect((await run(["--version", "x"])).code).toBe(2);
  });

  it("no command, or help on an unknown one: exit 2, on stderr", async () => {
    const none = await run([]);
    expect(none).toMatchObject({ code: 2, stdout: "" });
    expect(none.stderr).toMatch(/^faultc: no command given\nusage: faultc COMMAND/);
    const help = await run(["help", "frob"]);
    expect(help).toMatchObject({ code: 2, stdout: "" });
    expect(help.stderr).toContain("faultc help: unknown command 'frob'");
    expect((await run(["help", "run"])).stdout).toMatch(/^usage: faultc run/);
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

  it("main: a --dsl folder without rule files is a usage error, and nothing is built", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-"));
    const r = await run(["main", "--dsl", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no rule files (*.fault) directly under '${dir}'`);
    expect(r.stdout).toBe("");
  });

  it("the installed bin runs through node (npx faultc)", () => {
    const r = spawnSync(process.execPath, ["bin/faultc.js", "check", "test/fixtures/syntax/truncated.fault"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("truncated.fault:3:32: error: expected '}' but found end of file in a rules block [syntax-error]");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
