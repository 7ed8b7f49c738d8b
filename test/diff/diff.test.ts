// faultc diff on small rule files written here: the rows (class, what each side does, exact),
// completeness, witnesses replayed with `faultc run`, the outcome mapping, exit codes, errors and
// determinism.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { diff } from "../../src/diff/diff.ts";
import { renderDiffText } from "../../src/diff/render.ts";
import type { DiffReport } from "../../src/diff/types.ts";
import type { Minimiser } from "../../src/diff/witness.ts";
import { minimalModel } from "../../src/equiv/minimize.ts";
import type { BoolTerm } from "../../src/equiv/term/term.ts";
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

describe("faultc diff when the solver gives up minimising a witness", () => {
  it("the row keeps a witness that replays, marked not minimal, and the report is undecided (verdict unknown, which faultc diff exits 3 on), never an internal error", async () => {
    // A real solver giving up: the minimiser's queries carry a factoring problem over fresh
    // variables (the product of the two largest 32-bit primes), which no solver settles in 200 ms.
    const givesUp: Minimiser = (ctx, constraints, terms) => {
      const [x, y] = [ctx.BitVec.const("factor_x", 64), ctx.BitVec.const("factor_y", 64)];
      const small = (t: typeof x) => t.ule(ctx.BitVec.val(0xffffffffn, 64));
      const one = ctx.BitVec.val(1n, 64);
      const hard = ctx.And(x.mul(y).eq(ctx.BitVec.val(4294967291n * 4294967279n, 64)), small(x), small(y), x.ugt(one), y.ugt(one)) as BoolTerm;
      return minimalModel(ctx, [...constraints, hard], terms, 200);
    };
    const report = await diff(`${base}#c`, `${accessRetry}#c`, { strict: false, minimise: givesUp });
    expect(report.verdict).toBe("unknown");
    expect(report.reason).toBe("the solver gave up minimising the witness of row 1 (shown: a model of its class, not the smallest)");
    expect(report.rows.map((r) => [r.class.text, r.a.outcome, r.b.outcome, r.exact, r.witness.replayed])).toEqual([["EC in {DABT_LOW, IABT_LOW}, FSC ACCESS L0-L3", "exit 0x2", "retry", true, true]]);
    expect(report.rows[0].witness.undecided).toMatch(/^the solver could not minimise this witness \(.+\): it is a model of the class, not the smallest$/);
    // The witness replays with faultc run to the stated outcomes.
    const run = await cli(["run", `${accessRetry}#c`, "--jsonl"], JSON.stringify(report.rows[0].witness.scenario) + "\n");
    expect(JSON.parse(run.stdout.trim().split("\n")[0]).outcome).toBe("retry");
    expect(renderDiffText(report)).toContain("(witness not minimal)");
    expect(renderDiffText(report)).toContain("Unknown: the solver gave up minimising the witness of row 1");
  }, 300_000);
});
