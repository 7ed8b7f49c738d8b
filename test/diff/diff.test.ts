// faultc diff on small rule files written here: the rows (class, what each side does, exact),
// completeness, witnesses replayed with `faultc run`, the outcome mapping, exit codes, errors and
// determinism.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { DiffReport } from "../../src/diff/types.ts";
import { cli } from "../cli/harness.ts";

const dir = mkdtempSync(path.join(tmpdir(), "faultc-diff-"));
const arch = (f: string) => path.relative(dir, path.resolve("dsl/arch", f)).split(path.sep).join("/");

/** A rule file with one handler `h` recording the syndrome, whose rules are `rules`. */
function ruleFile(name: string, rules: string, extra = ""): string {
  const file = path.join(dir, `${name}.fault`);
  writeFileSync(
    file,
    `import "${arch("aarch64.fault")}";\nimport "${arch("linux-kvm-6.fault")}";\n${extra}\nrecord r {\n  esr : 64;\n}\n\nhandler h records r {\n  let esr = read ESR_EL2;\n  record esr = esr;\n  rules {\n${rules}\n  }\n}\n`,
  );
  return file;
}

const base = ruleFile("base", `    rule other otherwise {\n      exit ARM_EXCEPTION_TRAP;\n    }`);
const accessRetry = ruleFile(
  "access-retry",
  `    rule access when esr.EC in {DABT_LOW, IABT_LOW} && esr.FSC in {ACCESS[0], ACCESS[1], ACCESS[2], ACCESS[3]} {\n      retry;\n    }\n    rule other otherwise {\n      exit ARM_EXCEPTION_TRAP;\n    }`,
);
const handoffFile = ruleFile(
  "access-handoff",
  `    rule access when esr.EC in {DABT_LOW, IABT_LOW} && esr.FSC in {ACCESS[0], ACCESS[1], ACCESS[2], ACCESS[3]} {\n      handoff elsewhere;\n    }\n    rule other otherwise {\n      exit ARM_EXCEPTION_TRAP;\n    }`,
  "external elsewhere;",
);

async function diffJson(...args: string[]): Promise<{ code: number; report: DiffReport; stderr: string }> {
  const r = await cli(["diff", "--json", ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as DiffReport, stderr: r.stderr };
}

describe("faultc diff", () => {
  it("one exact row for the one class that differs, complete, its witness replaying", async () => {
    const { code, report } = await diffJson(`${base}#c`, `${accessRetry}#c`);
    expect(code).toBe(1);
    expect(report.verdict).toBe("different");
    expect(report.complete).toBe(true);
    expect(report.rows.map((r) => [r.class.text, r.a.outcome, r.b.outcome, r.differs, r.exact])).toEqual([["EC in {DABT_LOW, IABT_LOW}, FSC ACCESS L0-L3", "exit 0x2", "retry", ["outcome"], true]]);
    const row = report.rows[0];
    expect(row.witness.replayed).toBe(true);
    // The witness replays with faultc run to the stated outcomes.
    for (const [side, outcome] of [[`${base}#c`, "exit"], [`${accessRetry}#c`, "retry"]]) {
      const run = await cli(["run", side, "--jsonl"], JSON.stringify(row.witness.scenario) + "\n");
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout.trim().split("\n")[0]).outcome).toBe(outcome);
    }
    expect(row.b.rules).toEqual(["access"]);
  }, 300_000);

  it("nothing differs: exit 0, no rows, complete", async () => {
    const { code, report } = await diffJson(`${base}#c`, `${base}#asm`);
    expect([code, report.verdict, report.rows.length, report.complete]).toEqual([0, "same", 0, true]);
  }, 300_000);

  it("an outcome mapping makes two vocabularies comparable, and the report prints it", async () => {
    const unmapped = await diffJson(`${accessRetry}#c`, `${handoffFile}#c`);
    expect(unmapped.code).toBe(1);
    expect(unmapped.report.rows.map((r) => [r.a.outcome, r.b.outcome])).toEqual([["retry", "handoff elsewhere"]]);
    const mapped = await diffJson(`${accessRetry}#c`, `${handoffFile}#c`, "--map-outcome", "retry=elsewhere");
    expect([mapped.code, mapped.report.verdict]).toEqual([0, "same"]);
    expect(mapped.report.mapping).toEqual([{ a: "retry", b: "handoff elsewhere", from: "--map-outcome" }]);
    const file = path.join(dir, "mapping.txt");
    writeFileSync(file, "# retry is the handoff\nretry = handoff elsewhere\n");
    const fromFile = await cli(["diff", `${accessRetry}#c`, `${handoffFile}#c`, "--mapping", file]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain(`retry = handoff elsewhere    (${file}:2)`);
  }, 300_000);

  it("bad mappings are located errors, bad options usage errors, never exit 70", async () => {
    const file = path.join(dir, "bad-mapping.txt");
    writeFileSync(file, "retry = handoff elsewhere\n  retry\n");
    const noEq = await cli(["diff", `${accessRetry}#c`, `${handoffFile}#c`, "--mapping", file]);
    expect([noEq.code, noEq.stderr]).toEqual([1, `${file}:2:3: error: expected A_OUTCOME = B_OUTCOME (one '=' between an outcome of side A and one of side B)\n`]);
    writeFileSync(file, "retry = handoff nowhere\n");
    const unknownTarget = await cli(["diff", `${accessRetry}#c`, `${handoffFile}#c`, "--mapping", file]);
    expect(unknownTarget.code).toBe(1);
    expect(unknownTarget.stderr).toMatch(new RegExp(`^${file.replace(/[.]/g, "\\.")}:1:9: error: side B: no external handler 'nowhere'`));
    const missing = await cli(["diff", `${accessRetry}#c`, `${handoffFile}#c`, "--mapping", path.join(dir, "none.txt")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read the mapping file");
    expect((await cli(["diff", `${accessRetry}#c`, `${handoffFile}#c`, "--map-outcome", "retry"])).code).toBe(2);
    expect((await cli(["diff", `${accessRetry}#c`])).code).toBe(2);
    expect((await cli(["diff", "--json", "--markdown", `${base}#c`, `${base}#c`])).code).toBe(2);
    const noFile = await cli(["diff", `${dir}/absent.fault#c`, `${base}#c`]);
    expect(noFile.code).toBe(1);
  }, 300_000);

  it("the same input gives the same bytes, in every format", async () => {
    for (const fmt of [[], ["--markdown"], ["--json"]]) {
      const [x, y] = [await cli(["diff", ...fmt, `${base}#c`, `${accessRetry}#c`]), await cli(["diff", ...fmt, `${base}#c`, `${accessRetry}#c`])];
      expect(x.code).toBe(1);
      expect(x.stdout).toBe(y.stdout);
    }
  }, 600_000);
});
