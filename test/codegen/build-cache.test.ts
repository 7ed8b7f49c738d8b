// The build cache (src/codegen/build-cache.ts): a file on disk is taken as the output, without
// emitting, only when the record says it is what was emitted for the same key; a file edited by
// hand, other inputs, a file not written yet or a damaged record all emit again. And through the build:
// a build with nothing changed writes nothing and emits nothing, and restores an edited file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BuildCache, fingerprintOf } from "../../src/codegen/build-cache.ts";
import { applyBuild, planBuild } from "../../src/codegen/build.ts";
import "../../src/codegen/backends.ts";

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
    await BuildCache.open(dir).content(out, "inputs", () => text);
    writeFileSync(out, text);
    await BuildCache.open(dir).save();
    const cacheDir = path.join(tmpdir(), "faultc-build-cache");
    const record = readdirSync(cacheDir)
      .map((f) => path.join(cacheDir, f))
      .find((f) => readFileSync(f, "utf8").includes(out));
    expect(record).toBeDefined();
    // A fresh module (as a new process has) reads the record again.
    vi.resetModules();
    const fresh = async () => (await import("../../src/codegen/build-cache.ts")).BuildCache.open(dir);
    let emits = 0;
    expect(await (await fresh()).content(out, "inputs", () => (emits++, text))).toBe(text);
    expect(emits).toBe(0);
    writeFileSync(record!, "{ not json");
    vi.resetModules();
    expect(await (await fresh()).content(out, "inputs", () => (emits++, text))).toBe(text);
    expect(emits).toBe(1);
  });
});
