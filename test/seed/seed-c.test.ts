// The seed's own C, extracted from the review and compiled (scripts/seed-c.ts): the extraction takes
// the patch's added lines and nothing of the reviewer's text, and the object is what faultc's
// object layer reads like a kernel's: __populate_fault_info out of line, its alternatives named
// from the stand-in tree's cpucaps.h, every capability combination decoded.
import { mkdtempSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { buildSeedC, extractSwitchHunk, SEED_FILE } from "../../scripts/seed-c.ts";
import { openObjectFunction } from "../../src/object/function.ts";
import { describeWithCross } from "../object/cross-toolchain.ts";
import { describeWithSeed } from "./seed-file.ts";

describeWithSeed(() =>
  describeWithCross("the seed's switch.c hunk, compiled", () => {
  const seed = readFileSync(SEED_FILE, "utf8");

  it("is the patch's added lines of the hunk, in order, without the review's own text", () => {
    const { text, lines } = extractSwitchHunk(seed);
    expect(text).toContain("static bool __hyp_text __populate_fault_info(struct kvm_vcpu *vcpu)");
    expect(text).toContain("hpfar = ((tmp >> 12) & ((1UL << 36) - 1)) << 4;");
    // The reviewer's suggested rewrite and remarks are not quoted as patch lines.
    expect(text).not.toContain("__translate_far_to_ipa");
    expect(text).not.toContain("really hard to read");
    // __guest_run's `goto again` is the caller, in the next hunk.
    expect(text).not.toContain("again:");
    for (const n of lines) expect(seed.split("\n")[n - 1].startsWith("> +")).toBe(true);
    expect(text.split("\n").filter((l) => l.trim() === "}").length).toBe(2);
  });

  it("compiles with -Werror and loads as an object function with both alternatives named", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-seed-c-"));
    const obj = buildSeedC(dir);
    const fn = openObjectFunction(obj, "__populate_fault_info");
    expect(fn.capabilities).toEqual(["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220"]);
    for (const caps of fn.combinations()) {
      const p = fn.load(caps);
      expect(p.instructions.length).toBe(fn.size / 4);
      const texts = p.instructions.map((i) => i.text).join("\n");
      expect(texts).toContain(caps.includes("ARM64_HAS_VIRT_HOST_EXTN") ? "mrs x2, esr_el1" : "mrs x2, esr_el2");
      expect(texts).toContain("at s1e1r");
    }
  });
}),
);
