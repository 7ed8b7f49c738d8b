// The MMU model's walk throughput (src/runtime/mmu/bench.ts, benchWalks): AT S1E1R and guest
// accesses through both stages over a fixed guest layout. benchWalks times itself and returns a
// rate; this module warms it up and reports the median rate over several runs. Its yardstick,
// QEMU's time per AT set-up, is bench/oracle's (it needs QEMU; this does not).
//
// JSON line (bench "mmu-walks"): "20000 walks (half AT S1E1R, half guest accesses)" walks_per_s.
import { benchWalks } from "../src/runtime/mmu/bench.ts";
import { median, round, type Benchmark } from "./types.ts";

const WALKS_PER_RUN = 20_000;
const RUNS = 7;

export const mmuWalksBenchmark: Benchmark = {
  name: "mmu-walks",
  description: "MMU model: AT S1E1R and two-stage guest accesses per second (src/runtime/mmu/bench.ts benchWalks)",
  run: async () => {
    benchWalks(WALKS_PER_RUN / 4);
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) rates.push(benchWalks(WALKS_PER_RUN).walksPerSecond);
    return [{ bench: "mmu-walks", subject: `${WALKS_PER_RUN} walks (half AT S1E1R, half guest accesses)`, metric: "walks_per_s", value: round(median(rates)), runs: RUNS }];
  },
};
