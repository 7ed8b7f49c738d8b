// dsl/linux-6.1.fault and dsl/linux-6.12.fault cite the Debian tree line by line
// (`// hyp/fault.h:64-66`, `:70` for another range of the file last named on that line). Against
// the tree `npm run kernels` unpacked: every cited file exists, every range lies inside it and is
// not blank, and every statement of logic (const, pred, fn, let, rule, handler) carries a
// citation in its comment (the lines right above it, or for a rule and a handler the first lines
// inside). A tree of another Debian version fails the first test: its line numbers differ.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { describeWithKernel, KERNEL_VERSIONS, kernelStamp } from "../support/kernels.ts";

/** The short prefixes the rule files' headers define. */
const PREFIXES: Record<string, string> = {
  hyp: "arch/arm64/kvm/hyp/include/hyp/",
  nvhe: "arch/arm64/kvm/hyp/nvhe/",
  vhe: "arch/arm64/kvm/hyp/vhe/",
  asm: "arch/arm64/include/asm/",
  arm64: "arch/arm64/",
};

interface Citation {
  line: number;
  file: string;
  from: number;
  to: number;
}

/** The citations in one comment's text: a file-qualified range, then bare ranges of the same file. */
function citationsIn(comment: string, line: number): Citation[] {
  const out: Citation[] = [];
  let file: string | undefined;
  const re = /\b(hyp|nvhe|vhe|asm|arm64)\/([\w.-]+):(\d+)(?:-(\d+))?|(?<=[\s(,]):(\d+)(?:-(\d+))?/g;
  for (const m of comment.matchAll(re)) {
    if (m[1] !== undefined) {
      file = PREFIXES[m[1]] + m[2];
      out.push({ line, file, from: Number(m[3]), to: Number(m[4] ?? m[3]) });
    } else if (file !== undefined) {
      out.push({ line, file, from: Number(m[5]), to: Number(m[6] ?? m[5]) });
    }
  }
  return out;
}

function comment(text: string): string | undefined {
  const i = text.indexOf("//");
  return i < 0 ? undefined : text.slice(i + 2);
}

const STATEMENT = /^\s*(const|pred|fn|let|rule|handler)\b/;

for (const version of KERNEL_VERSIONS) {
  const file = `dsl/linux-${version}.fault`;
  const lines = readFileSync(file, "utf8").split("\n");
  const citations = lines.flatMap((l, i) => {
    const c = comment(l);
    return c === undefined ? [] : citationsIn(c, i + 1);
  });

  describeWithKernel(version, `${file} citations`, (t) => {
    it("name the Debian version of the tree", () => {
      const [, debVersion] = (kernelStamp(t).get("package") ?? "").split(" ");
      const sources = lines.filter((l) => l.startsWith("source "));
      expect(sources.length).toBeGreaterThan(0);
      for (const s of sources) expect(s, `${file}: tree is ${debVersion}`).toContain(`"Debian linux-source-${version} ${debVersion} `);
    });

    it("point at lines that exist and are not blank", () => {
      expect(citations.length).toBeGreaterThan(40);
      expect(new Set(citations.map((c) => c.file))).toContain("arch/arm64/kvm/hyp/include/hyp/fault.h");
      const cache = new Map<string, string[]>();
      for (const c of citations) {
        const where = `${file}:${c.line}: ${c.file}:${c.from}-${c.to}`;
        const full = path.join(t.dir, c.file);
        expect(existsSync(full), where).toBe(true);
        let text = cache.get(full);
        if (text === undefined) cache.set(full, (text = readFileSync(full, "utf8").split("\n")));
        expect(c.from, where).toBeGreaterThanOrEqual(1);
        expect(c.to, where).toBeGreaterThanOrEqual(c.from);
        expect(c.to, where).toBeLessThanOrEqual(text.length);
        expect(c.to - c.from, where).toBeLessThan(60);
        expect(text.slice(c.from - 1, c.to).some((l) => l.trim() !== ""), where).toBe(true);
      }
    });

    it("cover every statement of logic", () => {
      const cited = (n: number) => citations.some((c) => c.line === n);
      const uncited: string[] = [];
      lines.forEach((l, i) => {
        if (!STATEMENT.test(l)) return;
        const attached: number[] = [];
        for (let j = i - 1; j >= 0 && /^\s*\/\//.test(lines[j]); j--) attached.push(j + 1);
        if (/^\s*(rule|handler)\b/.test(l)) for (let j = i + 1; j < lines.length && /^\s*\/\//.test(lines[j]); j++) attached.push(j + 1);
        if (!attached.some(cited)) uncited.push(`${file}:${i + 1}: ${l.trim()}`);
      });
      expect(uncited).toEqual([]);
    });
  });
}
