// `faultc build` as a whole, in temporary folders: what a first and a second build write, that
// changing one rule file rewrites only its outputs, that a failing build leaves every earlier
// output as it was, `--check` (missing, stale, orphaned; hand-written files never touched),
// determinism across output folders, and the committed generated/ being current. Then what a
// build removes: only orphans (an output whose own rule file is gone or no longer makes it) and
// dead processes' temporary files, never the outputs of rule files it was not given (one rule
// file of several, two builds into one --out, main --dsl DIR), and --out below a regular file.
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { bundledRuleFiles } from "../../src/cli/bundled.ts";
import { applyBuild, planBuild, runtimeImportFrom } from "../../src/codegen/build.ts";
import { GENERATED_MARK } from "../../src/codegen/provenance.ts";
import "../../src/codegen/backends.ts";

const SUFFIXES = [".c.ts", ".asm.ts", ".S", ".c"];
/** What a build of the bundled rule files writes besides their outputs: the facts of dsl/arch. */
const ARCH_FACTS = "arch-facts.ts";
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "faultc-build-"));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** Every file in `dir` (one level), with its bytes, inode and mtime. */
function snapshot(dir: string): Map<string, { text: string; ino: number; mtimeMs: number }> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => {
        const p = path.join(dir, f);
        const st = statSync(p);
        return [f, { text: readFileSync(p, "utf8"), ino: st.ino, mtimeMs: st.mtimeMs }];
      }),
  );
}

/** Sets every file's mtime an hour back, so that a rewrite cannot hide within the clock's resolution. */
function ageFiles(dir: string): void {
  const past = new Date(Date.now() - 3600_000);
  for (const f of readdirSync(dir)) utimesSync(path.join(dir, f), past, past);
}

/** A copy of dsl/ (with dsl/arch/) in a fresh folder; returns the copied rule files and the folder. */
function copyDsl(): { root: string; files: string[] } {
  const root = tempDir();
  cpSync("dsl", path.join(root, "dsl"), { recursive: true });
  return { root, files: bundledRuleFiles(path.join(root, "dsl")) };
}

function hashLine(text: string): string | undefined {
  return /Input hash[^\n]*: ([0-9a-f]{64})/.exec(text)?.[1];
}

const names = bundledRuleFiles().map((f) => path.basename(f, ".fault"));

describe("faultc build", () => {
  it("writes the four files of each rule file, then nothing when nothing changed", async () => {
    const out = path.join(tempDir(), "gen");
    const first = await run(["build", "--out", out]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const expected = [...names.flatMap((n) => SUFFIXES.map((s) => `${n}${s}`)), ARCH_FACTS].sort();
    expect([...snapshot(out).keys()]).toEqual(expected);
    for (const f of expected) expect(first.stdout).toContain(`wrote ${path.join(out, f)}\n`);
    expect(first.stdout).toContain(`${expected.length} written, 0 unchanged, 0 removed`);

    ageFiles(out);
    const before = snapshot(out);
    const second = await run(["build", "--out", out]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`0 written, ${expected.length} unchanged, 0 removed\n`);
    expect(snapshot(out)).toEqual(before);
  });

  it("rewrites only the outputs of the rule file that changed, with a new input hash", async () => {
    const { root, files } = copyDsl();
    const out = path.join(root, "gen");
    expect((await run(["build", "--out", out, ...files])).code).toBe(0);
    ageFiles(out);
    const before = snapshot(out);

    const edited = files.find((f) => f.endsWith("xen.fault"));
    if (edited === undefined) throw new Error("no xen.fault");
    // Edit a comment in place, so that no line moves.
    const original = readFileSync(edited, "utf8");
    const comment = /^\/\/.*$/m.exec(original)?.[0];
    if (comment === undefined) throw new Error(`${edited} has no line comment`);
    writeFileSync(edited, original.replace(comment, `${comment} (edited)`));
    const r = await run(["build", "--out", out, ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`4 written, ${before.size - 4} unchanged, 0 removed`);

    const after = snapshot(out);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [f, b] of before) {
      const a = after.get(f);
      if (a === undefined) throw new Error(`${f} vanished`);
      if (f.startsWith("xen.")) {
        expect(a.mtimeMs, f).not.toBe(b.mtimeMs);
        expect(hashLine(a.text), f).toMatch(/^[0-9a-f]{64}$/);
        expect(hashLine(a.text), f).not.toBe(hashLine(b.text));
        // Only the hash changed: a comment is not code, and no line moved.
        expect(a.text.replaceAll(hashLine(a.text) ?? "", "H"), f).toBe(b.text.replaceAll(hashLine(b.text) ?? "", "H"));
      } else {
        expect(a, f).toEqual(b);
      }
    }
  });

  it("a rule file with an error: exit 1, the diagnostic, and every earlier output byte-identical", async () => {
    const { root, files } = copyDsl();
    const out = path.join(root, "gen");
    expect((await run(["build", "--out", out, ...files])).code).toBe(0);
    ageFiles(out);
    const before = snapshot(out);

    // Every file changes (an imported file), and one of them has an error.
    const arch = path.join(root, "dsl", "arch", "aarch64.fault");
    writeFileSync(arch, `// changed\n${readFileSync(arch, "utf8")}`);
    const bad = files.find((f) => f.endsWith("kvm-2016.fault"));
    if (bad === undefined) throw new Error("no kvm-2016.fault");
    const text = readFileSync(bad, "utf8");
    writeFileSync(bad, `${text}\nhandler broken records nowhere { exit; }\n`);
    const line = text.split("\n").length + 1;

    const r = await run(["build", "--out", out, ...files]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line}:\\d+: error: `));
    expect(r.stderr).toContain("nothing was written");
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(out).filter((f) => f.startsWith(".faultc-tmp-"))).toEqual([]);
  });

  it("--check: exit 0 when current; names missing, stale and orphaned files; leaves other files alone", async () => {
    const out = path.join(tempDir(), "gen");
    expect((await run(["build", "--out", out])).code).toBe(0);
    const ok = await run(["build", "--check", "--out", out]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain("is up to date");

    const missing = path.join(out, "xen.S");
    const stale = path.join(out, "kvm-2016.c.ts");
    const orphan = path.join(out, "gone.asm.ts");
    const notes = path.join(out, "notes.md");
    const handwritten = path.join(out, "helper.c.ts");
    rmSync(missing);
    writeFileSync(stale, `${readFileSync(stale, "utf8")}// edited by hand\n`);
    // A generated file of a rule file that is gone (dsl/ is there, dsl/gone.fault is not).
    writeFileSync(orphan, readFileSync(path.join(out, "xen.asm.ts"), "utf8").replaceAll("dsl/xen.fault", "dsl/gone.fault"));
    // Files that quote the mark but do not start with the whole header, or lack an output suffix.
    writeFileSync(notes, readFileSync(path.join(out, "xen.c"), "utf8").replaceAll("dsl/xen.fault", "dsl/gone.fault"));
    writeFileSync(handwritten, `// ${GENERATED_MARK}dsl/gone.fault: the C-like variant.\nexport const x = 1;\n`);
    ageFiles(out);
    const untouched = snapshot(out);

    const r = await run(["build", "--check", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const problems = r.stderr.split("\n").filter((l) => /^(missing|stale|orphaned): /.test(l));
    expect(problems).toEqual([`missing: ${missing}`, `stale: ${stale}`, `orphaned: ${orphan}`]);
    expect(r.stderr).not.toContain("notes.md");
    expect(r.stderr).not.toContain("helper.c.ts");
    // --check writes nothing.
    expect(snapshot(out)).toEqual(untouched);

    // A build repairs all three and leaves the files without the header alone.
    const b = await run(["build", "--out", out]);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(`wrote ${missing}\n`);
    expect(b.stdout).toContain(`wrote ${stale}\n`);
    expect(b.stdout).toContain(`removed ${orphan}\n`);
    expect(b.stdout).toContain("2 written, 23 unchanged, 1 removed");
    expect(existsSync(orphan)).toBe(false);
    const after = snapshot(out);
    expect(after.get("notes.md")).toEqual(untouched.get("notes.md"));
    expect(after.get("helper.c.ts")).toEqual(untouched.get("helper.c.ts"));
    expect((await run(["build", "--check", "--out", out])).code).toBe(0);
  });

  it("is deterministic: two output folders get the same bytes apart from the runtime import path", async () => {
    const a = path.join(tempDir(), "gen");
    const b = path.join(tempDir(), "deeper", "folder", "gen");
    mkdirSync(b, { recursive: true });
    expect((await run(["build", "--out", a])).code).toBe(0);
    expect((await run(["build", "--out", b])).code).toBe(0);
    const ra = runtimeImportFrom(a);
    const rb = runtimeImportFrom(b);
    expect(ra).not.toBe(rb);
    const sa = snapshot(a);
    const sb = snapshot(b);
    expect([...sb.keys()]).toEqual([...sa.keys()]);
    for (const [f, x] of sa) {
      const y = sb.get(f)?.text ?? "";
      if (f.endsWith(".c.ts")) {
        expect(x.text).toContain(`from "${ra}/hyp/api.ts"`);
        expect(y).toContain(`from "${rb}/hyp/api.ts"`);
        expect(y.replaceAll(`"${rb}/`, '"RUNTIME/'), f).toBe(x.text.replaceAll(`"${ra}/`, '"RUNTIME/'));
      } else {
        expect(y, f).toBe(x.text);
      }
    }
    // And generated/ (what `npm run gen` writes) holds exactly these files.
    const committed = snapshot("generated");
    const rg = runtimeImportFrom("generated");
    expect([...committed.keys()].filter((f) => SUFFIXES.some((s) => f.endsWith(s)) || f === ARCH_FACTS)).toEqual([...sa.keys()]);
    for (const [f, x] of sa) {
      const g = committed.get(f)?.text ?? "";
      expect(g.replaceAll(`"${rg}/`, '"RUNTIME/'), `generated/${f}`).toBe(x.text.replaceAll(`"${ra}/`, '"RUNTIME/'));
    }
  });

  it("generated/ is current (build --check on it passes)", async () => {
    const r = await run(["build", "--check"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("the same plan from the files in another order: the same outputs; applying it again writes nothing", async () => {
    const out = path.join(tempDir(), "gen");
    const files = bundledRuleFiles();
    const p1 = await planBuild(files, out);
    const p2 = await planBuild([...files].reverse(), out);
    expect(p1.outputs.map((o) => path.basename(o.path))).toEqual(names.flatMap((n) => SUFFIXES.map((s) => `${n}${s}`)));
    const byPath = (p: typeof p1) => new Map(p.outputs.map((o) => [o.path, o.content]));
    expect(byPath(p2)).toEqual(byPath(p1));
    const r = await applyBuild(p1, out);
    expect(r.written.length).toBe(p1.outputs.length);
    expect(await applyBuild(p2, out)).toEqual({ written: [], unchanged: p2.outputs.map((o) => o.path), removed: [] });
  });

  it("two rule files with the same base name: usage error, exit 2, nothing written", async () => {
    const { root } = copyDsl();
    const other = path.join(root, "other");
    mkdirSync(other);
    cpSync(path.join(root, "dsl", "arch"), path.join(other, "arch"), { recursive: true });
    cpSync(path.join(root, "dsl", "xen.fault"), path.join(other, "xen.fault"));
    const out = path.join(root, "gen");
    const r = await run(["build", "--out", out, path.join(root, "dsl", "xen.fault"), path.join(other, "xen.fault")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("would both generate xen.*");
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });
});

/** The snapshot of `dir` restricted to the files whose names start with one of `prefixes`. */
function only(snap: ReturnType<typeof snapshot>, prefixes: string[]): ReturnType<typeof snapshot> {
  return new Map([...snap].filter(([f]) => prefixes.some((p) => f.startsWith(p))));
}

function ruleFile(files: string[], name: string): string {
  const f = files.find((x) => path.basename(x) === `${name}.fault`);
  if (f === undefined) throw new Error(`no ${name}.fault`);
  return f;
}

const others = (name: string) => names.filter((n) => n !== name).map((n) => `${n}.`);

describe("faultc build removes orphans only, never another rule file's outputs", () => {
  it("--out: building one rule file of several leaves the other rule files' outputs as they were", async () => {
    const { root, files } = copyDsl();
    const out = path.join(root, "gen");
    expect((await run(["build", "--out", out, ...files])).code).toBe(0);
    ageFiles(out);
    const before = snapshot(out);

    const r = await run(["build", "--out", out, ruleFile(files, "xen")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("0 written, 4 unchanged, 0 removed\n");
    expect(snapshot(out)).toEqual(before);
    // And --check with that one rule file is content with the folder.
    expect((await run(["build", "--check", "--out", out, ruleFile(files, "xen")])).code).toBe(0);
  });

  it("--out shared by two builds of different rule files: each keeps the other's files", async () => {
    const { root, files } = copyDsl();
    const out = path.join(root, "shared");
    expect((await run(["build", "--out", out, ruleFile(files, "xen")])).stdout).toContain("4 written, 0 unchanged, 0 removed");
    ageFiles(out);
    const xen = snapshot(out);
    const second = await run(["build", "--out", out, ruleFile(files, "kvm-2016")]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("4 written, 0 unchanged, 0 removed");
    const after = snapshot(out);
    expect(after.size).toBe(8);
    expect(only(after, ["xen."])).toEqual(xen);
    expect((await run(["build", "--out", out, ruleFile(files, "xen")])).stdout).toBe("0 written, 4 unchanged, 0 removed\n");
  });

  it("a deleted rule file's outputs are orphans: --check names them, the next build removes them and only them", async () => {
    const { root, files } = copyDsl();
    const out = path.join(root, "gen");
    expect((await run(["build", "--out", out, ...files])).code).toBe(0);
    ageFiles(out);
    const before = snapshot(out);
    rmSync(ruleFile(files, "xen"));
    const rest = files.filter((f) => !f.endsWith("xen.fault"));

    const check = await run(["build", "--check", "--out", out, ...rest]);
    expect(check.code).toBe(1);
    const xenFiles = SUFFIXES.map((s) => path.join(out, `xen${s}`)).sort();
    expect(check.stderr.split("\n").filter((l) => l.startsWith("orphaned: "))).toEqual(xenFiles.map((f) => `orphaned: ${f}`));

    // Building a single other rule file removes them too: they belong to no rule file.
    const r = await run(["build", "--out", out, ruleFile(files, "kvm-2016")]);
    expect(r.code).toBe(0);
    for (const f of xenFiles) expect(r.stdout).toContain(`removed ${f}\n`);
    expect(r.stdout).toContain("0 written, 4 unchanged, 4 removed");
    expect(snapshot(out)).toEqual(only(before, others("xen")));
    expect((await run(["build", "--check", "--out", out, ...rest])).code).toBe(0);
  });

  it("a file whose rule file yields other names is an orphan; one whose rule file's folder is missing is left alone", async () => {
    const { root, files } = copyDsl();
    const out = path.join(root, "gen");
    expect((await run(["build", "--out", out, ruleFile(files, "xen")])).code).toBe(0);
    // A copy under another name: dsl/xen.fault exists but makes xen.S, not renamed.S.
    const renamed = path.join(out, "renamed.S");
    cpSync(path.join(out, "xen.S"), renamed);
    // Built from another working folder, maybe: its rule file's folder is not there from here.
    const elsewhere = path.join(out, "elsewhere.S");
    writeFileSync(elsewhere, readFileSync(path.join(out, "xen.S"), "utf8").replaceAll(ruleFile(files, "xen"), "no-such-folder/elsewhere.fault"));
    ageFiles(out);
    const kept = snapshot(out).get("elsewhere.S");

    const check = await run(["build", "--check", "--out", out, ruleFile(files, "xen")]);
    expect(check.code).toBe(1);
    expect(check.stderr.split("\n").filter((l) => /^\w+: /.test(l))).toEqual([`orphaned: ${renamed}`]);
    const r = await run(["build", "--out", out, ruleFile(files, "xen")]);
    expect(r.stdout).toBe(`removed ${renamed}\n0 written, 4 unchanged, 1 removed\n`);
    expect(snapshot(out).get("elsewhere.S")).toEqual(kept);
  });

  it("leftover temporary files: --check names each; a build removes a dead process's and leaves a running one's", async () => {
    const out = path.join(tempDir(), "gen");
    expect((await run(["build", "--out", out])).code).toBe(0);
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    if (deadPid === undefined) throw new Error("no child process");
    const dead = path.join(out, `.faultc-tmp-${deadPid}-0-xen.S`);
    const running = path.join(out, `.faultc-tmp-${process.pid}-7-xen.c`);
    writeFileSync(dead, readFileSync(path.join(out, "xen.S"), "utf8").slice(0, 100));
    writeFileSync(running, readFileSync(path.join(out, "xen.c"), "utf8").slice(0, 100));

    const check = await run(["build", "--check", "--out", out]);
    expect(check.code).toBe(1);
    expect(check.stderr.split("\n").filter((l) => /^\w+: /.test(l)).sort()).toEqual(
      [`leftover: ${dead} (a temporary file of an interrupted write)`, `leftover: ${running} (a temporary file of process ${process.pid}, still running)`].sort(),
    );
    const r = await run(["build", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`removed ${dead}\n0 written, 25 unchanged, 1 removed\n`);
    expect(existsSync(running)).toBe(true);
  });

  it("--out below a regular file: exit 1 naming the file, no stack, nothing written; railroad --out likewise", async () => {
    const root = tempDir();
    const file = path.join(root, "plain");
    writeFileSync(file, "a regular file\n");
    for (const out of [path.join(file, "gen"), file]) {
      for (const check of [[], ["--check"]]) {
        const r = await run(["build", ...check, "--out", out, "dsl/xen.fault"]);
        expect(r.code, out).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(`faultc build: cannot write into '${out}': '${file}' is a file, not a folder\n`);
      }
    }
    const html = path.join(file, "deeper", "grammar.html");
    const rr = await run(["railroad", "--out", html]);
    expect(rr.code).toBe(1);
    expect(rr.stderr).toBe(`faultc railroad: cannot write '${html}': '${file}' is a file, not a folder\n`);
    const dir = await run(["railroad", "--out", root]);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toBe(`faultc railroad: cannot write '${root}': it is a folder\n`);
    expect(readdirSync(root)).toEqual(["plain"]);
    expect(readFileSync(file, "utf8")).toBe("a regular file\n");
  });
});

describe("writeFileAtomic replaces regular files only", () => {
  it("a device, a FIFO or a symbolic link at the target is an OutputError and is left as it was", async () => {
    const { writeFileAtomic, OutputError } = await import("../../src/io/atomic-write.ts");
    const root = tempDir();
    const target = path.join(root, "real");
    writeFileSync(target, "kept\n");
    const link = path.join(root, "link");
    symlinkSync(target, link);
    await expect(writeFileAtomic(link, "new")).rejects.toThrow(new OutputError(`cannot write '${link}': it is a symbolic link, not a regular file`));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("kept\n");
    // /dev/null is a character device on every Linux machine; nothing is written to it.
    await expect(writeFileAtomic("/dev/null", "new")).rejects.toThrow("cannot write '/dev/null': it is a device, not a regular file");
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
    expect(readdirSync(root).sort()).toEqual(["link", "real"]);
  });
});

describe("faultc build and main in a working folder of their own (the CLI spawned there, default generated/)", () => {
  it("building one rule file, main --dsl DIR --no-equiv, then deleting a rule file: only that file's outputs go", () => {
    const root = tempDir();
    cpSync("dsl", path.join(root, "dsl"), { recursive: true });
    const cli = (...argv: string[]) => {
      const r = spawnSync(process.execPath, [path.resolve("bin/faultc.js"), ...argv], { cwd: root, encoding: "utf8" });
      expect(r.stderr, argv.join(" ")).toBe("");
      expect(r.status, argv.join(" ")).toBe(0);
      return r.stdout;
    };
    const gen = path.join(root, "generated");
    expect(cli("build")).toContain("25 written, 0 unchanged, 0 removed");
    ageFiles(gen);
    const before = snapshot(gen);
    expect(cli("build", "dsl/xen.fault")).toBe("0 written, 4 unchanged, 0 removed\n");
    expect(snapshot(gen)).toEqual(before);

    // Another folder of rule files: main adds its outputs and keeps dsl/'s.
    cpSync(path.join(root, "dsl", "arch"), path.join(root, "more", "arch"), { recursive: true });
    cpSync(path.join(root, "dsl", "xen.fault"), path.join(root, "more", "extra.fault"));
    expect(cli("main", "--dsl", "more", "--no-equiv")).toContain("generated/: 4 written, 0 unchanged, 0 removed\n");
    expect(only(snapshot(gen), [...names.map((n) => `${n}.`), ARCH_FACTS])).toEqual(before);

    rmSync(path.join(root, "dsl", "xen.fault"));
    const removed = cli("build");
    expect(removed).toContain("0 written, 21 unchanged, 4 removed\n");
    for (const s of SUFFIXES) expect(removed).toContain(`removed ${path.join("generated", `xen${s}`)}\n`);
    expect([...snapshot(gen).keys()]).toEqual([...[...names.filter((n) => n !== "xen"), "extra"].flatMap((n) => SUFFIXES.map((s) => `${n}${s}`)), ARCH_FACTS].sort());
    expect(cli("build", "--check")).toContain("is up to date");
  }, 120_000);
});
