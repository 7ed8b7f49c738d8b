// A bad solver choice is never exit 70: equiv and diff check it with their options (src/cli/solver-flag.ts),
// as a usage error (exit 2), whether --solver or FAULTC_SOLVER names it; what stops the proof
// afterwards goes through one mapping (src/cli/proof-errors.ts; diff once let the solver's errors
// through as internal errors).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["bin/faultc.js", ...args], { encoding: "utf8", env: { ...process.env, FAULTC_SOLVER: "", ...env }, timeout: 120_000 });
const SIDES = ["test/fixtures/diff/access-retry.fault#c", "test/fixtures/diff/exit.fault#c"];

describe("an unknown solver", () => {
  for (const command of ["equiv", "diff"] as const) {
    it(`named in FAULTC_SOLVER is faultc ${command}'s exit 2, said why`, () => {
      const r = run([command, ...SIDES], { FAULTC_SOLVER: "cvc9" });
      expect(r.stderr.split("\n")[0]).toBe(`faultc ${command}: FAULTC_SOLVER: unknown solver 'cvc9' (one of auto, wasm, z3, cvc5)`);
      expect(r.status).toBe(2);
    }, 120_000);
    it(`named by --solver is faultc ${command}'s exit 2, said why`, () => {
      const r = run([command, "--solver", "yices", ...SIDES]);
      expect(r.stderr.split("\n")[0]).toBe(`faultc ${command}: --solver: unknown solver 'yices' (one of auto, wasm, z3, cvc5)`);
      expect(r.status).toBe(2);
    }, 120_000);
  }
});

describe("faultc diff --solver", () => {
  it("gives the same table with the embedded solver as by default", () => {
    const a = run(["diff", ...SIDES, "--json"]);
    const b = run(["diff", "--solver", "wasm", ...SIDES, "--json"]);
    expect(a.status).toBe(1);
    expect(b.status).toBe(a.status);
    expect(b.stdout).toBe(a.stdout);
  }, 240_000);
});
