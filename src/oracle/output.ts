// Strict parsing of the harness's UART output. Every line must be one the harness prints; an
// exception report (EXC), an input error (ERROR), a missing DONE line or a non-zero exit status
// is an OracleRunError that quotes it.
import { OracleRunError, lastLines, type QemuRun } from "./qemu.ts";

const HEX = "0x[0-9a-f]{1,16}";
const PAR_LINE = new RegExp(`^PAR (\\d+) (\\d+) (${HEX}) (${HEX})$`);
const DONE_LINE = /^DONE (\d+)$/;

export interface AtProbeResult {
  readonly caseIndex: number;
  readonly probe: number;
  readonly read: bigint;
  readonly write: bigint;
}

function failureLine(line: string): string | undefined {
  if (line.startsWith("EXC ")) {
    const [, kind, esr, elr, far] = line.split(" ");
    return `the harness took an exception at EL2 (vector entry ${kind}): ESR_EL2 ${esr}, ELR_EL2 ${elr}, FAR_EL2 ${far}`;
  }
  if (line.startsWith("ERROR ")) return `the harness rejected its input: ${line.slice(6)}`;
  return undefined;
}

/** The harness's output lines, after checking the run ended with `DONE <expected>` and status 0. */
export function harnessLines(run: QemuRun, expectedCases: number): string[] {
  const lines = run.stdout.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const why = failureLine(line);
    if (why !== undefined) throw new OracleRunError(`${why}; output before it: ${lastLines(run.stdout.slice(0, run.stdout.indexOf(line)), 2)}`);
  }
  if (run.status !== 0) throw new OracleRunError(`QEMU exited with status ${run.status}; last output: ${lastLines(run.stdout)}; stderr: ${run.stderr.trim() || "(none)"}`);
  const done = DONE_LINE.exec(lines.at(-1) ?? "");
  if (done === null) throw new OracleRunError(`the harness output does not end with DONE; last output: ${lastLines(run.stdout)}`);
  if (Number(done[1]) !== expectedCases) throw new OracleRunError(`the harness ran ${done[1]} set-ups, expected ${expectedCases}`);
  return lines.slice(0, -1);
}

/** PAR lines, checked to come in order: every probe of every set-up exactly once. */
export function parseAtOutput(run: QemuRun, probesPerCase: readonly number[]): AtProbeResult[] {
  const lines = harnessLines(run, probesPerCase.length);
  const results: AtProbeResult[] = [];
  let caseIndex = 0;
  let probe = 0;
  for (const line of lines) {
    while (caseIndex < probesPerCase.length && probe === probesPerCase[caseIndex]) {
      caseIndex++;
      probe = 0;
    }
    const m = PAR_LINE.exec(line);
    if (m === null) throw new OracleRunError(`unexpected harness output line: ${JSON.stringify(line)}`);
    if (Number(m[1]) !== caseIndex || Number(m[2]) !== probe) {
      throw new OracleRunError(`harness output out of order: ${JSON.stringify(line)}, expected set-up ${caseIndex} probe ${probe}`);
    }
    results.push({ caseIndex, probe, read: BigInt(m[3]), write: BigInt(m[4]) });
    probe++;
  }
  const expected = probesPerCase.reduce((a, b) => a + b, 0);
  if (results.length !== expected) throw new OracleRunError(`the harness printed ${results.length} PAR lines, expected ${expected}`);
  return results;
}
