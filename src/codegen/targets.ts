// The rule-file target kind for `faultc run` (and `faultc equiv`): `FILE.fault#c`,
// `FILE.fault#asm`, optionally `:HANDLER`. Registered by the CLI ahead of the runtime's
// placeholder, so that the runtime never depends on code generation.
import { HandlerRunError, type HandlerTarget } from "../runtime/run/types.ts";
import { TargetNameError, type TargetKind } from "../runtime/run/targets.ts";
import { asmVariantTarget, compileRuleFile, cVariantTarget, parseRuleTarget, RuleFileError } from "./variants.ts";

export const ruleFileTargetKind: TargetKind = {
  name: "rule file variant",
  matches: (t) => /\.fault(#.*)?$/.test(t),
  async open(t, options = {}): Promise<HandlerTarget> {
    const spec = parseRuleTarget(t);
    if (spec === undefined) throw new TargetNameError(`'${t}': a rule-file target is FILE.fault#c or FILE.fault#asm, optionally followed by :HANDLER`);
    if (options.entry !== undefined) throw new TargetNameError(`--entry is for assembly targets; name a rule file's handler as ${spec.file}#${spec.variant}:HANDLER`);
    try {
      const compiled = compileRuleFile(spec.file);
      return spec.variant === "asm" ? asmVariantTarget(compiled, spec.handler) : await cVariantTarget(compiled, spec.handler);
    } catch (e) {
      if (e instanceof RuleFileError) throw new HandlerRunError(e.message);
      throw e;
    }
  },
};
