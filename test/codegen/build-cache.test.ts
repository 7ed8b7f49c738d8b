// The build cache (src/codegen/build-cache.ts): a file on disk is taken as the output, without
// emitting, only when the record says it is what was emitted for the same key; a file edited by
// hand, other inputs, a file not written yet or a damaged record all emit again. And through the build:
// a build with nothing changed writes nothing and emits nothing, and restores an edited file.
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BuildCache, fingerprintOf } from "../../src/codegen/build-cache.ts";
import { applyBuild, planBuild } from "../../src/codegen/build.ts";
import "../../src/codegen/backends.ts";
import { hasErrors } from "../../src/parser/diagnostics.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "faultc-build-cache-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("BuildCache", () => {
  it("emits once, then takes the unchanged file from disk; edits, other inputs and a missing file emit again", async () => {
    const dir = tempDir();
    const out = path.join(dir, "x.c.ts");
    const cache = BuildCache.open(dir);
    let emits = 0;
    const emit = () => {
      emits++;
      return "generated text\n";
    };
    expect(await cache.content(out, "inputs-1", emit)).toBe("generated text\n");
    expect(emits).toBe(1);
    // Not yet written: the record alone is not enough.
    expect(await cache.content(out, "inputs-1", emit)).toBe("generated text\n");
    expect(emits).toBe(2);
    writeFileSync(out, "generated text\n");
    expect(await cache.content(out, "inputs-1", emit)).toBe("generated text\n");
    expect(emits).toBe(2);
    writeFileSync(out, "edited by hand\n");
    expect(await cache.content(out, "inputs-1", emit)).toBe("generated text\n");
    expect(emits).toBe(3);
    writeFileSync(out, "generated text\n");
    expect(await cache.content(out, "inputs-2", emit)).toBe("generated text\n");
    expect(emits).toBe(4);
  });
});

describe("BuildCache: clean checks", () => {
  it("stand while every file the check read has its text; an edit, a deleted file, other roots or a new process's record", async () => {
    const dir = tempDir();
    const [a, b] = [path.join(dir, "a.fault"), path.join(dir, "b.fault")];
    writeFileSync(a, 'import "b.fault";\n');
    writeFileSync(b, "\uFEFFexitcode X = 1;\n");
    // The texts as the checker has them: b's byte order mark is not part of its text.
    const texts = new Map([
      [a, 'import "b.fault";\n'],
      [b, "exitcode X = 1;\n"],
    ]);
    // Modules of their own, so that the fingerprint (computed when first asked) is of this moment.
    const fresh = async () => {
      vi.resetModules();
      return (await import("../../src/codegen/build-cache.ts")).BuildCache.open(dir);
    };
    const cache = await fresh();
    expect(cache.cleanCheck([a])).toBeUndefined();
    cache.recordCleanCheck([a], texts);
    expect(cache.cleanCheck([a])).toEqual(texts);
    expect(cache.cleanCheck([b])).toBeUndefined();
    expect(cache.cleanCheck([a, b])).toBeUndefined();
    writeFileSync(b, "\uFEFFexitcode X = 2;\n");
    expect(cache.cleanCheck([a])).toBeUndefined();
    writeFileSync(b, "exitcode X = 1;\n");
    expect(cache.cleanCheck([a])).toEqual(texts);
    writeFileSync(b, Buffer.from([0xff, 0x0a]));
    expect(cache.cleanCheck([a])).toBeUndefined();
    rmSync(b);
    expect(cache.cleanCheck([a])).toBeUndefined();
    writeFileSync(b, "exitcode X = 1;\n");
    await cache.save();
    expect((await fresh()).cleanCheck([a])).toEqual(texts);
  });
});

describe("the generator's fingerprint", () => {
  it("from the sources: any file added, removed, resized or touched changes it; compiled: the stamp's text", () => {
    const src = tempDir();
    mkdirSync(path.join(src, "codegen"));
    writeFileSync(path.join(src, "codegen", "emit.ts"), "export const x = 1;\n");
    const fp = () => fingerprintOf({ sources: src });
    const first = fp();
    expect(fp()).toBe(first);
    const seen = new Set([first]);
    const changes = [
      () => writeFileSync(path.join(src, "codegen", "emit.ts"), "export const x = 12;\n"),
      () => utimesSync(path.join(src, "codegen", "emit.ts"), new Date(2_000_000_000_000), new Date(2_000_000_000_000)),
      () => writeFileSync(path.join(src, "codegen", "new.ts"), ""),
      () => rmSync(path.join(src, "codegen", "new.ts")),
    ];
    for (const change of changes) {
      const before = fp();
      change();
      expect(fp()).not.toBe(before);
      seen.add(fp());
    }
    // Back to the files of the start but the touched time: still not the first fingerprint.
    expect(seen.has(first)).toBe(true);
    expect(fp()).not.toBe(first);

    const stamp = JSON.stringify({ version: 1, entries: ["faultc"], inputs: { "src/codegen/emit.ts": [21, 1] } });
    const compiled = fingerprintOf({ stamp });
    expect(fingerprintOf({ stamp })).toBe(compiled);
    expect(fingerprintOf({ stamp: stamp.replace("[21,1]", "[21,2]") })).not.toBe(compiled);
    expect(compiled).not.toBe(fp());
  });
});

describe("faultc build with the cache", () => {
  it("a second build writes and emits nothing; a generated file edited by hand is generated again", async () => {
    const out = tempDir();
    const files = ["dsl/kvm-2016.fault"];
    const first = await applyBuild(await planBuild(files, out), out);
    expect(first.written.length).toBe(4);
    const before = new Map(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f), "utf8")]));

    // Count the emitters the build calls through the cache.
    let emits = 0;
    const content = BuildCache.prototype.content;
    const spy = vi.spyOn(BuildCache.prototype, "content").mockImplementation(function (this: BuildCache, o, inputs, emit) {
      return content.call(this, o, inputs, () => (emits++, emit()));
    });
    const again = await planBuild(files, out);
    spy.mockRestore();
    expect(emits).toBe(0);
    expect(again.outputs.map((o) => o.content)).toEqual(again.outputs.map((o) => before.get(path.basename(o.path))));
    // Not lowered for the outputs, the IR module is lowered when asked for: the one a fresh build has.
    expect(again.ruleFiles).toEqual(files.map((f) => path.normalize(f)));
    expect(again.modules).toEqual((await planBuild(files, tempDir())).modules);
    expect((await applyBuild(again, out)).written).toEqual([]);

    const edited = path.join(out, "kvm-2016.c.ts");
    writeFileSync(edited, before.get("kvm-2016.c.ts")!.replace("export const origin", "export const edited"));
    const restored = await applyBuild(await planBuild(files, out), out);
    expect(restored.written).toEqual([edited]);
    expect(readFileSync(edited, "utf8")).toBe(before.get("kvm-2016.c.ts"));
  }, 120_000);

  it("a damaged record is no record: everything is emitted again", async () => {
    const dir = tempDir();
    const out = path.join(dir, "x.S");
    const text = "generated\n";
    // A fresh module (as a new process has) reads the record again. Each computes the generator's
    // fingerprint when first asked, so the record is written by one made just before as well.
    const fresh = async () => (await import("../../src/codegen/build-cache.ts")).BuildCache.open(dir);
    vi.resetModules();
    const writer = await fresh();
    await writer.content(out, "inputs", () => text);
    writeFileSync(out, text);
    await writer.save();
    const cacheDir = path.join(tmpdir(), "faultc-build-cache");
    const record = readdirSync(cacheDir)
      .map((f) => path.join(cacheDir, f))
      .find((f) => readFileSync(f, "utf8").includes(out));
    expect(record).toBeDefined();
    vi.resetModules();
    let emits = 0;
    expect(await (await fresh()).content(out, "inputs", () => (emits++, text))).toBe(text);
    expect(emits).toBe(0);
    writeFileSync(record!, "{ not json");
    vi.resetModules();
    expect(await (await fresh()).content(out, "inputs", () => (emits++, text))).toBe(text);
    expect(emits).toBe(1);
  });

  it("arch-facts.ts with nothing changed parses no dsl/arch file; an edit to any of them is seen, an error in one no rule file imports too", async () => {
    const arch = tempDir();
    for (const f of readdirSync("dsl/arch")) cpSync(path.join("dsl/arch", f), path.join(arch, f));
    const out = tempDir();
    const build = async () => planBuild([], out, { archFacts: arch });
    const first = await build();
    expect(first.diagnostics).toEqual([]);
    expect((await applyBuild(first, out)).written).toEqual([path.join(out, "arch-facts.ts")]);
    const again = await build();
    expect(again.sources.size).toBe(0);
    expect(again.outputs).toEqual([{ path: path.join(out, "arch-facts.ts"), content: first.outputs[0].content, onDisk: true }]);
    expect((await applyBuild(again, out)).written).toEqual([]);

    // A comment in the file the others import: a new input hash, so a new arch-facts.ts.
    appendFileSync(path.join(arch, "aarch64.fault"), "// one more line\n");
    const edited = await build();
    expect(edited.diagnostics).toEqual([]);
    expect(edited.sources.size).toBeGreaterThan(0);
    expect(edited.outputs[0].content).not.toBe(first.outputs[0].content);
    await applyBuild(edited, out);

    const sysregs = path.join(arch, "aarch64-sysregs.fault");
    const text = readFileSync(sysregs, "utf8");
    appendFileSync(sysregs, "this is not a declaration\n");
    const broken = await build();
    expect(hasErrors(broken.diagnostics)).toBe(true);
    expect(broken.diagnostics.map((d) => d.file)).toContain(path.normalize(sysregs));
    writeFileSync(sysregs, text);
    expect((await build()).sources.size).toBe(0);
  }, 120_000);
});
