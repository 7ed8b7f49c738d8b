// The IR executor (src/codegen/ir/exec.ts) against the C-like variant generated from the same IR:
// the same outcome, record, system registers and PAR preservation on every scenario of a sweep
// over every bundled rule file's handlers, so that the decision path `faultc explain` shows is
// the path the generated code takes.
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import { runResultToJson } from "../../src/runtime/run/json.ts";
import { scenario, type Scenario } from "../../src/runtime/scenario/index.ts";
import { bundledRuleFiles } from "../../src/cli/bundled.ts";
import { cVariantTarget, recordLayout } from "../../src/sides/rule-file.ts";
import { rulePath } from "../../src/explain/rule-path.ts";

/** ECs every bundled handler distinguishes, with fault status codes of each kind and level. */
const ECS = [0x00, 0x01, 0x03, 0x07, 0x12, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x20, 0x21, 0x24, 0x25, 0x27, 0x2f, 0x34, 0x3c];
const FSCS = [0x04, 0x05, 0x07, 0x09, 0x0b, 0x0d, 0x0f, 0x10, 0x21];

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const ec of ECS) {
    for (const fsc of FSCS) {
      for (const s1ptw of [0n, 1n]) {
        const esr = (BigInt(ec) << 26n) | (1n << 25n) | (s1ptw << 7n) | BigInt(fsc);
        out.push(scenario({ esr, far: 0x12345678n, hpfar: 0x1230n }));
        out.push(scenario({ esr, far: 0x4000n, at: "fault", caps: ["ARM64_WORKAROUND_834220", "ARM64_HAS_VIRT_HOST_EXTN"] }));
      }
    }
  }
  return out;
}

describe("the IR executor", () => {
  for (const file of bundledRuleFiles()) {
    it(`runs ${file} as its generated C-like variant does`, async () => {
      const m = compileRuleFile(file).module;
      for (const h of m.handlers) {
        const target = await cVariantTarget({ module: m, program: undefined as never }, h.name);
        for (const s of scenarios()) {
          const viaIr = rulePath(m, h, s, recordLayout(h), () => undefined).run;
          const viaC = target.run(s);
          expect({ ...runResultToJson(viaIr), steps: 0 }).toEqual({ ...runResultToJson(viaC), steps: 0 });
        }
      }
    });
  }
});
