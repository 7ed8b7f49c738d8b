// `faultc build [FILES] [--out DIR] [--check]`: generate code from rule files.
import { BuildInputError, applyBuild, compareWithDisk, planBuild } from "../../codegen/build.ts";
import { OutputError, outputFolderProblem } from "../../io/atomic-write.ts";
import { renderDiagnostic, hasErrors } from "../../parser/diagnostics.ts";
import { parseArgs, UsageError } from "../args.ts";
import { bundledRuleFiles } from "../bundled.ts";
import type { Command } from "../command.ts";
import "../../codegen/backends.ts";

export const buildCommand: Command = {
  name: "build",
  summary: "generate the code variants of rule files (npm run gen); --check: verify generated/ is current",
  usage: `usage: faultc build [--out DIR] [--check] [FILE...]

For each rule file (default: every dsl/*.fault), writes into DIR (default generated/):
  NAME.c.ts    the C-like variant (TypeScript over the machine model's HypApi)
  NAME.asm.ts  the asm-like variant (the program text the model's interpreter runs)
  NAME.S       the same program for GNU as, with include/faultc-asm.h
  NAME.c       the C variant in kernel style, with include/faultc-hyp.h
and, when no FILE is named, arch-facts.ts: the enums, layouts, variants and errata of
dsl/arch as a typed module (the decoders' and the model's tables).
Only files whose content changed are written, each atomically; if any rule file has errors,
nothing is written. A generated file in DIR is removed when the rule file its header names is
gone or no longer makes it (an orphan); the outputs of rule files not named here are left alone,
and so is every file faultc did not generate. An interrupted build leaves no temporary file.
--check writes nothing and exits 1 naming every missing, stale or orphaned file and any
leftover temporary file (.faultc-tmp-*).`,
  async run(argv, out) {
    const args = parseArgs(argv, { out: { value: true }, check: {}, help: {}, h: {} });
    const outDir = (args.flags.get("out") as string | undefined) ?? "generated";
    const files = args.positionals.length > 0 ? args.positionals : bundledRuleFiles();
    const blocked = outputFolderProblem(outDir);
    if (blocked !== undefined) {
      out.stderr(`faultc build: ${blocked}\n`);
      return 1;
    }
    let plan;
    try {
      // The bundled build also writes arch-facts.ts from dsl/arch (the tables the decoders and the model read).
      plan = await planBuild(files, outDir, args.positionals.length > 0 ? {} : { archFacts: "dsl/arch" });
    } catch (e) {
      if (e instanceof BuildInputError) throw new UsageError(e.message);
      throw e;
    }
    for (const d of plan.diagnostics) out.stderr(renderDiagnostic(d, plan.sources) + "\n");
    if (hasErrors(plan.diagnostics)) {
      out.stderr(`faultc build: errors in the rule files; nothing was written\n`);
      return 1;
    }
    if (args.flags.has("check")) {
      const s = compareWithDisk(plan, outDir);
      const problems = [
        ...s.missing.map((f) => `missing: ${f}`),
        ...s.changed.map((f) => `stale: ${f}`),
        ...s.orphaned.map((f) => `orphaned: ${f}`),
        ...s.leftovers.map((l) => `leftover: ${l.file} (a temporary file of ${l.running ? `process ${l.pid}, still running` : "an interrupted write"})`),
      ];
      for (const p of problems) out.stderr(`${p}\n`);
      if (problems.length > 0) {
        out.stderr(`faultc build --check: ${outDir}/ is not what the rule files produce; run 'npm run gen'\n`);
        return 1;
      }
      out.stdout(`${outDir}/ is up to date (${plan.outputs.length} files from ${plan.ruleFiles.length} rule files)\n`);
      return 0;
    }
    let r;
    try {
      r = await applyBuild(plan, outDir);
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      out.stderr(`faultc build: ${e.message}\n`);
      return 1;
    }
    for (const f of r.written) out.stdout(`wrote ${f}\n`);
    for (const f of r.removed) out.stdout(`removed ${f}\n`);
    out.stdout(`${r.written.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed\n`);
    return 0;
  },
};
