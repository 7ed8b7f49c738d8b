// The kernel-style C means what the IR means: the generated C of every bundled rule file and of
// the golden fixture is compiled for the host against a test stand-in for faultc-hyp.h (system
// registers in an array, capabilities in a mask, AT as a fixed function of the operation and the
// address), run on thousands of seeded inputs, and compared with a direct evaluation of the IR
// written here: outcome, exit code, every recorded field and PAR_EL1 afterwards (c-host.ts).
// The only inline assembly in the generated C, the AT instruction, is rewritten to a call.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import { moduleCapabilities } from "../../src/codegen/names/capabilities.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { esr, HOST_CC, hostRegisters, prng, runOnHost, SHIM, type HostInput } from "./c-host.ts";

const files = [
  ...readdirSync("dsl")
    .filter((f) => f.endsWith(".fault"))
    .sort()
    .map((f) => `dsl/${f}`),
  "test/fixtures/codegen/small.fault",
];

describe.skipIf(HOST_CC === undefined)("the generated C agrees with the IR (host compiler)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-c-sem-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "faultc-hyp.h"), SHIM);

  it.each(files)("%s", (file) => {
    const ws = checkFiles([file]);
    expect(ws.diagnostics).toEqual([]);
    const checked = ws.files.get(file);
    if (checked === undefined) throw new Error("not loaded");
    const m = lowerFile(checked, ws);
    for (const h of m.handlers) {
      const regs = hostRegisters(h);
      const base = `${m.name}-${h.name}`.replace(/[^\w-]/g, "_");
      const r = prng(0x5eed + file.length);
      const inputs: HostInput[] = [];
      for (let i = 0; i < 3000; i++) {
        const caps = new Set(moduleCapabilities(m).filter(() => r() & 1n));
        const values = new Map(regs.map((x) => [x, /^ESR_/.test(x) ? esr(r) : x === "VTTBR_EL2" && r() % 2n === 0n ? 0n : r()]));
        inputs.push({ caps, regs: values });
      }
      const { actual, expected, outcomes } = runOnHost(dir, base, m, emitKernelC(m), h, inputs);
      expect(actual.length).toBe(inputs.length);
      actual.forEach((line, i) => expect(line, `${file} input ${i}: ${[...inputs[i].regs].map(([k, v]) => `${k}=${v.toString(16)}`).join(" ")}`).toBe(expected[i]));
      const seen = new Set(outcomes.map((o) => (o.kind === "handoff" ? `handoff ${o.target}` : o.kind)));
      // The inputs reach every outcome the handler has.
      const reachable = new Set<string>();
      const walk = (b: I.Block) => {
        if (b.end.kind === "decide") b.end.rules.forEach((x) => walk(x.body));
        else reachable.add(b.end.kind === "handoff" ? `handoff ${b.end.target}` : b.end.kind);
      };
      walk(h.body);
      expect([...seen].sort()).toEqual([...reachable].sort());
    }
  });
});
