// faultc explain on sides other than a rule file's C-like variant: the compiled Linux 6.12
// __get_fault_info (when `npm run kernels` has built it; skipped otherwise, failing under CI), and
// no 64-bit ESR and no kernel-log text makes the explanation fail (property tests).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import { explain } from "../../src/explain/explain.ts";
import { explanationToJson } from "../../src/explain/json.ts";
import { inputFromText } from "../../src/explain/input.ts";
import { LogError } from "../../src/explain/kernel-log.ts";
import { explanationText } from "../../src/explain/report.ts";
import { rulePath } from "../../src/explain/rule-path.ts";
import { decodeKnownRegister } from "../../src/explain/decoders.ts";
import { scenario } from "../../src/runtime/scenario/index.ts";
import { recordLayout } from "../../src/sides/rule-file.ts";
import { cli } from "../cli/harness.ts";
import { describeWithKernel } from "../support/kernels.ts";

describeWithKernel("6.12", "faultc explain on the compiled 6.12 __get_fault_info", (t) => {
  it("shows the instructions the object executed and its outcome, as the rule file's path ends", async () => {
    const object = `${t.objects.nvhe}:__get_fault_info`;
    for (const [esr, midr, ends] of [["0x93c58005", "0x411fd073", "exit"], ["0x93c58005", "0x410fd070", "exit"], ["0x9200004f", "0x411fd073", "exit"]] as const) {
      const r = await cli(["explain", "--json", "--esr", esr, "--midr", midr, "--far", "0x1234000", "--rules", object]);
      expect(r.stderr).toBe("");
      const j = JSON.parse(r.stdout);
      expect(j.side).toEqual({ label: object, kind: "object" });
      expect(j.instructions.length).toBeGreaterThan(5);
      expect(j.instructions.at(-1).insn).toBe("ret");
      expect(j.result.outcome).toBe(ends);
      // The object's record is the rule file's for the same fault.
      const viaRules = JSON.parse((await cli(["explain", "--json", "--esr", esr, "--midr", midr, "--far", "0x1234000"])).stdout);
      expect(j.result.fault).toEqual({ far_el2: viaRules.result.fault.far_el2, hpfar_el2: viaRules.result.fault.hpfar_el2 });
    }
  }, 120_000);
});

describe("explanations never fail", () => {
  const m = compileRuleFile("dsl/linux-6.12.fault").module;
  const h = m.handlers[0];
  // FAR in either 48-bit VA range: a FAR outside both is a scenario stage 1 cannot map (a ScenarioError, tested in explain.test.ts).
  const canonicalVa = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 48n) - 1n })).map(([high, va]) => (high ? va | 0xffff000000000000n : va));
  it("for any 64-bit ESR, any MIDR and any VA through dsl/linux-6.12.fault", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), canonicalVa, fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (esr, far, midr) => {
        const s = scenario({ esr, far, midr });
        const path = rulePath(m, h, s, recordLayout(h), decodeKnownRegister);
        const e = explain(s, { file: "<p>", sources: new Map(), claims: [] }, { label: m.file, kind: "rule-file", handler: h.name, steps: path.steps, run: path.run });
        expect(JSON.parse(JSON.stringify(explanationToJson(e))).ESR_EL2.value).toBe(`0x${esr.toString(16)}`);
        expect(explanationText(e)).toContain("outcome: ");
      }),
      { numRuns: 300 },
    );
  });

  it("for any text: a log's values, or a located LogError", () => {
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom("Mem abort info:", "  ESR = 0x", "  EC = 0x25: DABT", "ESR_EL2=", "FAR:", "kvm [1]: Unsupported FSC: EC=", "Internal error: Oops: "),
      fc.tuple(fc.constantFrom("ESR_EL2=0x", "  ESR = 0x", "FAR_EL2=", "  FSC = 0x", "esr: 0x", "HPFAR:"), fc.bigInt({ min: 0n, max: 1n << 70n })).map(([p, v]) => `${p}${v.toString(16)}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        try {
          const input = inputFromText(lines.join("\n"), "<p>");
          for (const v of Object.values(input.base)) expect(typeof v === "bigint" && v < 1n << 64n).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(LogError);
          expect((e as Error).message).toMatch(/^<p>:\d+:\d+: error: /);
        }
      }),
      { numRuns: 500 },
    );
  });
});
