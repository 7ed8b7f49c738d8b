// The model against QEMU on the same scenarios (src/oracle): for AT set-ups (AT S1E1R and AT S1E1W
// on every probed VA) and for guest traps (the trap builder's prediction plus both variants of
// dsl/kvm-2016.fault), the model's time per scenario beside QEMU's time per boot-and-run of the
// bare-metal harness with the same scenarios, for a batch of one scenario (boot-dominated) and for
// a batch of many (one boot), and their ratio (QEMU time / model time, per scenario). The harness
// build (cross gcc) is timed separately and not counted in either. Medians over repetitions.
// Without qemu-system-aarch64 or the cross compiler it prints a note on stderr and no figures.
import {
  buildHarness, compareTrap, disposeHarness, generateAtCases, generateTrapCases, handlerVariants, missingOracleTools, ORACLE_INSTALL,
  qemu72Par, runQemu, runTrapHarness, serialiseAtCases, type AtCase, type TrapCase,
} from "../src/oracle/index.ts";
import { median, round, type Benchmark, type Figure } from "./types.ts";

const SEED = 1;
const RUNS = 5;
const AT_BATCH = 100;
const TRAP_BATCH = 36;

function timeModelAt(cases: readonly AtCase[]): number {
  const t0 = performance.now();
  let sink = 0n;
  for (const c of cases) for (const va of c.probes) for (const access of ["read", "write"] as const) sink ^= qemu72Par(c.registers, c.memory, va, access).architectural;
  const ms = performance.now() - t0;
  if (sink === -1n) throw new Error("unreachable");
  return ms;
}

function atFigures(batch: number): Figure[] {
  const cases = generateAtCases(SEED, batch);
  const t0 = performance.now();
  const image = buildHarness(serialiseAtCases(cases));
  const buildMs = performance.now() - t0;
  try {
    runQemu(image.elf); // warm-up (page cache)
    timeModelAt(cases);
    const qemu: number[] = [];
    const model: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      qemu.push(runQemu(image.elf).ms);
      model.push(timeModelAt(cases));
    }
    const q = median(qemu);
    const m = median(model) / batch;
    const subject = `AT: ${batch} set-up${batch === 1 ? "" : "s"} per boot (seed ${SEED}, ${cases.reduce((n, c) => n + 2 * c.probes.length, 0)} ATs)`;
    return [
      { bench: "oracle", subject, metric: "harness_build_ms", value: round(buildMs), runs: 1 },
      { bench: "oracle", subject, metric: "qemu_ms_per_boot", value: round(q), runs: RUNS },
      { bench: "oracle", subject, metric: "qemu_ms_per_scenario", value: round(q / batch), runs: RUNS },
      { bench: "oracle", subject, metric: "model_ms_per_scenario", value: round(m), runs: RUNS },
      { bench: "oracle", subject, metric: "qemu_to_model_ratio", value: round(q / batch / m), runs: RUNS },
    ];
  } finally {
    disposeHarness(image);
  }
}

async function trapFigures(batch: number): Promise<Figure[]> {
  const cases: TrapCase[] = generateTrapCases(SEED, batch);
  const variants = await handlerVariants();
  const qemu: number[] = [];
  const model: number[] = [];
  let run = runTrapHarness(cases); // warm-up
  for (let i = 0; i < RUNS; i++) {
    run = runTrapHarness(cases);
    qemu.push(run.ms);
    const t0 = performance.now();
    cases.forEach((c, j) => compareTrap(c, run.traps[j], run.midr, variants));
    model.push(performance.now() - t0);
  }
  const q = median(qemu);
  const m = median(model) / batch;
  const subject = `traps through dsl/kvm-2016.fault (#asm and #c): ${batch} per boot (seed ${SEED})`;
  return [
    { bench: "oracle", subject, metric: "qemu_ms_per_boot", value: round(q), runs: RUNS },
    { bench: "oracle", subject, metric: "qemu_ms_per_scenario", value: round(q / batch), runs: RUNS },
    { bench: "oracle", subject, metric: "model_ms_per_scenario", value: round(m), runs: RUNS },
    { bench: "oracle", subject, metric: "qemu_to_model_ratio", value: round(q / batch / m), runs: RUNS },
  ];
}

export const oracleBenchmark: Benchmark = {
  name: "oracle",
  description: "model time per scenario vs QEMU boot-and-run time for the same scenarios (AT set-ups, guest traps), as a ratio",
  run: async () => {
    const missing = missingOracleTools();
    if (missing.length > 0) {
      process.stderr.write(`faultc-bench: oracle skipped: ${missing.join(", ")} not found; install with: ${ORACLE_INSTALL}\n`);
      return [];
    }
    return [...atFigures(1), ...atFigures(AT_BATCH), ...(await trapFigures(1)), ...(await trapFigures(TRAP_BATCH))];
  },
};
