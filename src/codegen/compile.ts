// One rule file, compiled in memory: checked, lowered to the IR, and the asm-like variant's
// program text assembled from it. Pure text in, IR and text out; running either variant is the
// job of src/sides (rule-file.ts).
import * as path from "node:path";
import { hasErrors, renderDiagnostic } from "../parser/diagnostics.ts";
import { checkFiles } from "../parser/workspace.ts";
import { assembleModule, type AsmProgram } from "./asm/program.ts";
import { orTooComplex } from "./diagnostics.ts";
import { lowerFile } from "./ir/lower.ts";
import type { IrModule } from "./ir/types.ts";

/** The rule file has errors: the message holds them, rendered. */
export class RuleFileError extends Error {}

export interface CompiledRuleFile {
  module: IrModule;
  program: AsmProgram;
}

export function compileRuleFile(file: string): CompiledRuleFile {
  const ws = checkFiles([file]);
  if (hasErrors(ws.diagnostics)) throw new RuleFileError(ws.diagnostics.map((d) => renderDiagnostic(d, ws.sources)).join("\n"));
  const checked = ws.files.get(path.normalize(file));
  if (checked === undefined) throw new RuleFileError(`${file}: error: not checked`);
  const module = lowerFile(checked, ws);
  const selected = orTooComplex(() => assembleModule(module), ws.sources);
  if ("diagnostic" in selected) throw new RuleFileError(renderDiagnostic(selected.diagnostic, ws.sources));
  return { module, program: selected.value };
}
