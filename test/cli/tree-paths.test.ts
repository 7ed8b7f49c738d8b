// No file in the tree names an absolute path of a development machine (a home folder, a checkout
// or a shared folder somewhere): such a path means nothing on anyone else's machine, and tells
// them about ours. Paths under /tmp, /usr, /dev and /proc are the system's and may appear.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const MACHINE_PATH = /(?<![\w.~-])\/(?:work|home|Users|root|mnt|srv|opt)\/[\w.-]+|\b[A-Z]:\\Users\\/;

describe("the tree", () => {
  it("names no absolute path of a development machine", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter((f) => f !== "");
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, "utf8");
      } catch {
        continue; // listed but gone from the working tree (a deletion not yet committed)
      }
      if (text.includes("\0")) continue; // binary
      text.split("\n").forEach((line, i) => {
        const m = MACHINE_PATH.exec(line);
        if (m) found.push(`${f}:${i + 1}: ${m[0]}`);
      });
    }
    expect(found).toEqual([]);
  });

  it("the pattern finds such paths", () => {
    // Made up here from parts, so that this file names no such path itself.
    const machinePaths = ["work", "home", "Users", "root"].map((top) => `from /${top}/someone/FACTS.md`);
    for (const p of [...machinePaths, `C:${"\\"}Users${"\\"}someone`]) expect(p).toMatch(MACHINE_PATH);
    for (const p of ["/tmp/s.jsonl", "/usr/bin/gcc", "arch/arm64/kvm/hyp", `https://example.org/${"home"}/x`, "shared/FACTS.md"]) expect(p).not.toMatch(MACHINE_PATH);
  });
});
