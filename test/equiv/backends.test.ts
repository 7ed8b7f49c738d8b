// The solver back ends agree: every bundled rule file's asm-vs-c proof and a few differences
// (with their minimal counterexamples) give the same report on z3-solver (WebAssembly), native
// z3 and native cvc5, all but the solver-call count. Native solvers missing: FAIL under CI
// (which installs them), skip elsewhere, saying so. A native solver asked for by name and absent,
// and one that dies, are errors that say so; "auto" without one falls back to the embedded z3.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { equivalence } from "../../src/equiv/equiv.ts";
import { renderJson } from "../../src/equiv/report.ts";
import { onPath, openSession, SolverChoiceError, startSolver, type SolverChoice } from "../../src/equiv/smt/backend.ts";
import { NativeSession } from "../../src/equiv/smt/native.ts";
import { SolverFailure } from "../../src/equiv/smt/process.ts";
import { bitVecConstant } from "../../src/equiv/smt/symbols.ts";
import { termContext, type BoolTerm } from "../../src/equiv/term/term.ts";

const execFileAsync = promisify(execFile);

const CASES: { a: string; b: string; strict: boolean }[] = [
  ...["kvm-2016", "kvm-2016-el1-sync", "linux-6.1", "linux-6.12", "linux-6.15", "xen"].map((f) => ({ a: `dsl/${f}.fault#asm`, b: `dsl/${f}.fault#c`, strict: true })),
  { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016.fault#c", strict: false },
  { a: "refs/kvm-2016-before.S", b: "dsl/kvm-2016.fault#c", strict: true },
  { a: "dsl/linux-6.1.fault#c", b: "dsl/linux-6.12.fault#c", strict: false },
  { a: "dsl/kvm-2016.fault#c", b: "dsl/linux-6.15.fault#c", strict: false },
];

async function report(c: (typeof CASES)[number], solver: SolverChoice): Promise<object> {
  const r = await equivalence(c.a, c.b, { strict: c.strict, sweep: false, fills: 1, solver });
  const { solver_calls: _, ...rest } = renderJson(r) as { solver_calls: number };
  return rest;
}

/**
 * z3-solver's report of each case, made once (the slowest back end, compared with each native
 * one), by `faultc equiv --solver wasm --json` in a process of its own: a worker thread of the
 * WebAssembly build that dies can leave its process waiting for ever, and that must fail this
 * test after a time, not stall the suite.
 */
const embedded = new Map<(typeof CASES)[number], Promise<object>>();
const embeddedReport = (c: (typeof CASES)[number]): Promise<object> => {
  let r = embedded.get(c);
  if (r === undefined) embedded.set(c, (r = embeddedRun(c)));
  return r;
};

async function embeddedRun(c: (typeof CASES)[number]): Promise<object> {
  const args = ["bin/faultc.js", "equiv", c.a, c.b, "--solver", "wasm", "--no-sweep", "--fills", "1", "--json", ...(c.strict ? ["--strict"] : [])];
  const r = await execFileAsync(process.execPath, args, { timeout: 100_000, maxBuffer: 64 << 20 }).catch((e: { code?: number; signal?: string; stdout?: string; stderr?: string }) => {
    // A difference exits 1 with its report on stdout; anything else is the run failing.
    if (e.code === 1 && e.stdout) return { stdout: e.stdout };
    throw new Error(`faultc equiv --solver wasm ${c.a} ${c.b} did not report (${e.signal ? `killed: ${e.signal}` : `exit ${e.code}`}): ${(e.stderr ?? "").slice(-500)}`);
  });
  const { solver_calls: _, ...rest } = JSON.parse(r.stdout) as { solver_calls: number };
  return rest;
}

const natives = (["z3", "cvc5"] as const).map((name) => ({ name, path: onPath(name) }));
const missing = natives.filter((n) => n.path === undefined).map((n) => n.name);

describe("solver back ends", () => {
  if (missing.length > 0 && process.env.CI) {
    it(`has ${missing.join(" and ")} (CI)`, () => {
      throw new Error(`${missing.join(" and ")} not on PATH; CI must install them (apt-get install z3 cvc5)`);
    });
  }
  for (const n of natives) {
    if (n.path === undefined) {
      it.skip(`${n.name}: not on PATH, the comparison with it is skipped`, () => {});
      continue;
    }
    it.each(CASES)(`${n.name} gives the report z3-solver gives: %s`, async (c) => {
      expect(await report(c, n.name)).toEqual(await embeddedReport(c));
    });
  }

  it("a native solver asked for by name and absent is an error naming it; auto falls back to the embedded z3", async () => {
    const ctx = termContext();
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      await expect(openSession("cvc5", 1000)).rejects.toThrow(SolverChoiceError);
      await expect(openSession("z3", 1000)).rejects.toThrow(/no 'z3' on PATH/);
      const s = await openSession("auto", 1000);
      expect(s.backend).toBe("wasm");
      s.release();
    } finally {
      process.env.PATH = path;
    }
  });

  it.skipIf(natives[0].path === undefined)("a session started ahead is taken by the next openSession of its choice and time limit, once, and answers", async () => {
    const ctx = termContext();
    await startSolver("z3", 4321);
    await startSolver("z3", 4321); // one started session per choice and limit, not two
    const other = await openSession("z3", 1234); // another limit: a session of its own
    const taken = await openSession("z3", 4321);
    const next = await openSession("z3", 4321); // the started one was taken: a new one
    try {
      expect(new Set([other, taken, next]).size).toBe(3);
      expect(taken.description).toMatch(/^z3 /);
      const x = bitVecConstant(ctx, "faultc_test_started", 8);
      taken.assert(x.eq(ctx.BitVec.val(7, 8)) as BoolTerm);
      const r = await taken.checkWithModel([], []);
      expect(r.result).toBe("sat");
      expect(String(r.model!.eval(x))).toBe("#x07");
    } finally {
      for (const s of [other, taken, next]) s.release();
    }
  });

  it.skipIf(natives[0].path === undefined)("a session started ahead whose process has ended since is not taken: openSession starts another", async () => {
    // A "z3" that answers the handshake and ends.
    const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-fake-z3-"));
    writeFileSync(path.join(dir, "z3"), `#!/bin/sh\nwhile read line; do case "$line" in *echo*) echo sat; echo '(:version "0-ends")'; echo faultc-0; exit 0;; esac; done\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${saved}`;
    try {
      await startSolver("z3", 4322);
    } finally {
      process.env.PATH = saved;
    }
    await new Promise((r) => setTimeout(r, 300)); // its exit seen
    const s = await openSession("z3", 4322);
    try {
      expect(s.description).not.toMatch(/0-ends/);
      expect(await s.check([])).toBe("sat");
    } finally {
      s.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(natives[0].path === undefined)("a solver process that dies fails the next question with a SolverFailure, not a hang", async () => {
    const ctx = termContext();
    const s = await NativeSession.open("z3", "z3", 1000);
    const x = ctx.Bool.const("faultc_test_x");
    s.release();
    await expect(s.check([x])).rejects.toThrow(SolverFailure);
    // A program that is no solver: it answers nothing SMT-LIB and ends.
    await expect(NativeSession.open("z3", "true", 1000)).rejects.toThrow(/ended|closed/);
  });
});
