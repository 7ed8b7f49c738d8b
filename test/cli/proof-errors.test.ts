// A bad solver choice is never exit 70: equiv checks it with its options (a usage error, exit 2);
// diff, which has no --solver, meets it in the proof and says so with exit 3 (src/cli/proof-errors.ts;
// diff once let the solver's errors through as internal errors).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const run = (args: string[]) =>
  spawnSync(process.execPath, ["bin/faultc.js", ...args], { encoding: "utf8", env: { ...process.env, FAULTC_SOLVER: "cvc9" }, timeout: 120_000 });

describe("an unknown solver named in FAULTC_SOLVER", () => {
  for (const [command, status] of [["equiv", 2], ["diff", 3]] as const) {
    it(`is faultc ${command}'s exit ${status}, said why`, () => {
      const r = run([command, "test/fixtures/diff/access-retry.fault#c", "test/fixtures/diff/exit.fault#c"]);
      expect(r.stderr.split("\n")[0]).toBe(`faultc ${command}: FAULTC_SOLVER: unknown solver 'cvc9' (one of auto, wasm, z3, cvc5)`);
      expect(r.status).toBe(status);
    }, 120_000);
  }
});
