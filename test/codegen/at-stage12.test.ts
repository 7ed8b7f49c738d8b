// AT S12E1R and S12E0W in a rule file (test/fixtures/at12/s12.fault), through every backend: the
// kernel-style C and the .S name the two-stage operations; the C-like variant (#c) and the
// asm-like one (#asm) run them on scenario machines with the scenario's per-operation answers and
// with the scenario's own tables; equiv tells S12E0W from S12E1W, and its counterexample replays
// the answers of both operations.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../../src/codegen/compile.ts";
import { emitKernelAsm } from "../../src/codegen/c/asm-file.ts";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { parseScenario } from "../../src/runtime/scenario/index.ts";
import { openSide } from "../../src/sides/open.ts";

const FILE = "test/fixtures/at12/s12.fault";
const OTHER = "test/fixtures/at12/s12-e1w.fault";

describe("AT S12* through the backends", () => {
  it("the IR names the operations and the kernel C and program text issue them", () => {
    const { module, program } = compileRuleFile(FILE);
    expect(JSON.stringify(module, (_k, v: unknown) => (typeof v === "bigint" ? v.toString(16) : v))).toContain('"base":"S12E1R"');
    const c = emitKernelC(module);
    expect(c).toContain('asm volatile("at s12e1r, %0" : : "r" (va));');
    expect(c).toContain('asm volatile("at s12e0w, %0" : : "r" (va));');
    const asm = emitKernelAsm(module);
    expect(asm).toMatch(/\n\s*at s12e1r, x\d+\n/);
    expect(asm).toMatch(/\n\s*at s12e0w, x\d+\n/);
    expect(program.text).toBe(asm.slice(asm.indexOf("\n") + 1));
  });

  it("#c and #asm record each operation's own answer from {\"par\":...}, and the tables' answers with {\"ok\":...}", async () => {
    for (const variant of ["c", "asm"]) {
      const side = (await openSide(`${FILE}#${variant}`)).concrete();
      const given = side.run(parseScenario({ esr: "0x92000045", far: "0x1234", at: { par: "0x80f", s12e1r: "0xff00000123456b80" } }), {});
      expect([given.fault.get("esr"), given.fault.get("far")], variant).toEqual([0xff00_0001_2345_6b80n, 0x80fn]);
      // FAR's page at IPA 0x80001000, which stage 2 does not map (level-1 Translation fault on the
      // output IPA: 0xa0b); EL0 has no access to the EL1 page at stage 1 (0x81f).
      const tables = side.run(parseScenario({ esr: "0x92000045", far: "0x1234", at: { ok: "0x80001000" } }), {});
      expect([tables.fault.get("esr"), tables.fault.get("far")], variant).toEqual([0xa0bn, 0x81fn]);
      expect(tables.sysregs.get("PAR_EL1"), variant).toBe(0x81fn);
    }
  });

  it("equiv proves #c and #asm equal, tells S12E0W from S12E1W, and the counterexample's answers replay the difference", () => {
    const cli = (...argv: string[]) => spawnSync(process.execPath, [path.resolve("bin/faultc.js"), ...argv], { encoding: "utf8", timeout: 300_000 });
    const same = cli("equiv", `${FILE}#c`, `${FILE}#asm`);
    expect(same.status, same.stdout + same.stderr).toBe(0);
    const differ = cli("equiv", `${FILE}#c`, `${OTHER}#c`);
    expect(differ.status, differ.stdout + differ.stderr).toBe(1);
    const replay = /echo '(\{.*\})' \| faultc run/.exec(differ.stdout);
    expect(replay, differ.stdout).not.toBeNull();
    const scenario = JSON.parse(replay![1]) as { at: Record<string, string> };
    expect(Object.keys(scenario.at).some((k) => k === "s12e1w" || k === "s12e0w"), replay![1]).toBe(true);
    const runs: string[] = [];
    for (const f of [FILE, OTHER]) {
      const r = spawnSync(process.execPath, [path.resolve("bin/faultc.js"), "run", `${f}#c`, "--jsonl"], { input: `${replay![1]}\n`, encoding: "utf8" });
      runs.push(JSON.parse(r.stdout).fault.far);
    }
    expect(runs[0]).not.toBe(runs[1]);
  }, 600_000);
});
