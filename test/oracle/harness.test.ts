// The harness plumbing: strict parsing of its UART output (no QEMU needed), and, with QEMU, an
// empty run, an input the harness rejects, and a run killed at its time limit (never a hung test).
import { describe, expect, it } from "vitest";
import {
  buildHarness, disposeHarness, missingOracleTools, ORACLE_INSTALL, OracleRunError, parseAtOutput, runQemu, serialiseAtCases, type QemuRun,
} from "../../src/oracle/index.ts";

const run = (stdout: string, status = 0): QemuRun => ({ stdout, stderr: "", status, ms: 1 });

describe("parseAtOutput", () => {
  it("reads PAR lines in order, every probe of every set-up once", () => {
    const out = "PAR 0 0 0x80b 0x80b\nPAR 0 1 0xff00000040001b80 0x81f\nPAR 2 0 0x1 0x0\nDONE 3\n";
    expect(parseAtOutput(run(out), [2, 0, 1])).toEqual([
      { caseIndex: 0, probe: 0, read: 0x80bn, write: 0x80bn },
      { caseIndex: 0, probe: 1, read: 0xff00_0000_4000_1b80n, write: 0x81fn },
      { caseIndex: 2, probe: 0, read: 1n, write: 0n },
    ]);
  });

  it.each([
    ["an unknown line", "PAR 0 0 0x1 0x1\nhello\nDONE 1\n", /unexpected harness output line: "hello"/],
    ["upper-case hex", "PAR 0 0 0x1 0xAB\nDONE 1\n", /unexpected harness output line/],
    ["a missing probe", "PAR 0 0 0x1 0x1\nDONE 1\n", /printed 1 PAR lines, expected 2/],
    ["a probe out of order", "PAR 0 1 0x1 0x1\nPAR 0 0 0x1 0x1\nDONE 1\n", /out of order/],
    ["no DONE", "PAR 0 0 0x1 0x1\nPAR 0 1 0x1 0x1\n", /does not end with DONE/],
    ["a wrong DONE count", "PAR 0 0 0x1 0x1\nPAR 0 1 0x1 0x1\nDONE 2\n", /ran 2 set-ups, expected 1/],
    ["an exception report", "PAR 0 0 0x1 0x1\nEXC 4 0x96000154 0x40081c40 0xb14cbfd7c38\n", /exception at EL2 \(vector entry 4\): ESR_EL2 0x96000154/],
    ["an input error", "ERROR bad magic\n", /rejected its input: bad magic/],
  ])("rejects %s", (_, out, message) => {
    expect(() => parseAtOutput(run(out), [2])).toThrow(message);
  });

  it("rejects a non-zero exit status", () => {
    expect(() => parseAtOutput(run("DONE 0\n", 1), [])).toThrow(/exited with status 1/);
  });
});

const missing = missingOracleTools();
if (missing.length > 0 && process.env.CI) {
  describe("harness under QEMU", () => {
    it("has QEMU and the cross toolchain (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them: ${ORACLE_INSTALL}`);
    });
  });
}

describe.skipIf(missing.length > 0)("harness under QEMU", () => {
  it("boots at EL2 and exits through semihosting; rejects bad input; is killed at its time limit", () => {
    const empty = buildHarness(serialiseAtCases([]));
    const bad = buildHarness(new Uint8Array(16));
    try {
      const ok = runQemu(empty.elf);
      expect(ok.status).toBe(0);
      expect(parseAtOutput(ok, [])).toEqual([]);
      expect(ok.stdout).toBe("DONE 0\n");

      const rejected = runQemu(bad.elf);
      expect(rejected.status).toBe(2);
      expect(() => parseAtOutput(rejected, [])).toThrow(new OracleRunError("the harness rejected its input: bad magic; output before it: (none)"));

      expect(() => runQemu(empty.elf, 1)).toThrow(/did not finish within 1 ms and was killed/);
    } finally {
      disposeHarness(empty);
      disposeHarness(bad);
    }
  });
});
