// `faultc main` (`npm start`): the main job over the bundled rule files and references. It
// checks every rule file, brings generated/ up to date, and prints the equivalence report: one
// row per pair with its verdict, time, and the first difference where there is one.
import type * as A from "../../parser/ast.ts";
import { applyBuild, BuildInputError, planBuild } from "../../codegen/build.ts";
import { OutputError } from "../../io/atomic-write.ts";
import "../../codegen/backends.ts";
import { equivalence } from "../../equiv/equiv.ts";
import { verdictWord } from "../../equiv/report.ts";
import { decodeEsr } from "../../equiv/decode.ts";
import { hasErrors, renderDiagnostic } from "../../parser/diagnostics.ts";
import { checkFiles } from "../../parser/workspace.ts";
import { parseArgs, UsageError } from "../args.ts";
import { bundledRuleFiles } from "../bundled.ts";
import type { Command, Output } from "../command.ts";

function countRules(body: A.Stmt[]): number {
  let n = 0;
  for (const s of body) {
    if (s.kind === "rules") for (const r of s.rules) n += 1 + countRules(r.body);
  }
  return n;
}

function table(rows: string[][], out: Output): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) out.stdout(r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd() + "\n");
}

/** The pairs the report compares: the seed's versions, the references, every rule file's variants. */
export function reportPairs(files: string[]): { a: string; b: string; strict: boolean }[] {
  const pairs = [
    { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016.fault#c", strict: false },
    { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016.fault#c", strict: true },
    { a: "ref:kvm-2016-after", b: "dsl/kvm-2016.fault#c", strict: true },
    { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016-el1-sync.fault#c", strict: true },
  ];
  for (const f of files) pairs.push({ a: `${f}#asm`, b: `${f}#c`, strict: true });
  return pairs;
}

export const mainCommand: Command = {
  name: "main",
  summary: "the main job (npm start): check, build and the equivalence report over the bundled rule files",
  usage: `usage: faultc main [--dsl DIR] [--no-equiv]

1. Checks every rule file directly under DIR (default dsl/) and lists its handlers.
2. Brings generated/ up to date with them (faultc build).
3. Prints the equivalence report: the seed's before assembly against dsl/kvm-2016.fault under its
   contract and --strict, the hand-transcribed references, and every rule file's asm-like against
   its C-like variant: verdict, time, and the first difference (obligation and input).
Exit status 1 if a rule file has errors, a verdict is unknown, or a sweep disagrees with a proof.`,
  async run(argv, out) {
    const args = parseArgs(argv, { dsl: { value: true }, "no-equiv": {}, help: {}, h: {} });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const dir = (args.flags.get("dsl") as string | undefined) ?? "dsl";
    let files: string[];
    try {
      files = bundledRuleFiles(dir);
    } catch {
      throw new UsageError(`cannot read the rule file directory '${dir}'`);
    }
    if (files.length === 0) throw new UsageError(`no rule files (*.fault) directly under '${dir}'`);

    out.stdout("== check\n");
    const ws = checkFiles(files);
    for (const d of ws.diagnostics) out.stderr(renderDiagnostic(d, ws.sources) + "\n");
    const rows: string[][] = [["rule file", "handler", "rules", "check"]];
    for (const f of files) {
      const checked = ws.files.get(f);
      const errors = ws.diagnostics.filter((d) => d.file === f && d.severity === "error").length;
      if (checked === undefined) {
        rows.push([f, "-", "-", `${errors || "import"} error${errors === 1 ? "" : "s"}`]);
        continue;
      }
      for (const d of checked.ast.decls) if (d.kind === "handler") rows.push([f, d.name.text, String(countRules(d.body)), "ok"]);
    }
    table(rows, out);
    if (hasErrors(ws.diagnostics)) return 1;

    out.stdout("\n== build\n");
    let built;
    try {
      // arch-facts.ts is the bundled dsl/arch's, whatever folder of rule files main is given.
      built = await applyBuild(await planBuild(files, "generated", dir === "dsl" ? { archFacts: "dsl/arch" } : {}), "generated");
    } catch (e) {
      if (e instanceof BuildInputError) throw new UsageError(e.message);
      if (!(e instanceof OutputError)) throw e;
      out.stderr(`faultc main: ${e.message}\n`);
      return 1;
    }
    out.stdout(`generated/: ${built.written.length} written, ${built.unchanged.length} unchanged, ${built.removed.length} removed\n`);
    if (args.flags.has("no-equiv")) return 0;

    out.stdout("\n== equivalence\n");
    const report: string[][] = [["pair", "verdict", "time", "first difference"]];
    let bad = 0;
    for (const p of reportPairs(files)) {
      const r = await equivalence(p.a, p.b, { strict: p.strict, sweep: true, fills: 1 });
      const word = verdictWord(r);
      let diff = "";
      if (r.proof.verdict === "different" && r.counterexample) {
        const esr = r.counterexample.scenario.esr;
        diff = `${r.proof.failure.obligation.id}. ${r.proof.failure.what}; ESR_EL2=0x${esr.toString(16)} ${decodeEsr(esr)}`;
      } else if (r.proof.verdict === "unknown") diff = r.proof.reason;
      if (word === "unknown" || (r.sweep?.disagreements.length ?? 0) > 0) bad++;
      if (r.sweep && r.sweep.disagreements.length > 0) diff = `SWEEP DISAGREES WITH THE PROOF: ${r.sweep.disagreements[0]}`;
      report.push([`${p.a} ~ ${p.b}${p.strict ? " --strict" : ""}`, word, `${r.seconds.toFixed(1)} s`, diff]);
    }
    table(report, out);
    return bad > 0 ? 1 : 0;
  },
};
