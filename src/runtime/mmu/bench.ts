// Walk throughput for `npm run bench`: AT S1E1R and guest data accesses through two stages over a
// guest-like layout (48-bit VA, 40-bit IPA, pages and blocks, some holes), on a fixed address
// sequence so that every run does the same work.

import { PhysicalMemory } from "../memory.ts";
import { addressTranslateS1E1 } from "./at.ts";
import { TranslationTableBuilder } from "./builder.ts";
import { translateGuestAccess } from "./guest-access.ts";

export interface WalkBenchResult {
  readonly walksPerSecond: number;
}

const PAGE_COUNT = 256n;
const PAGE_VA_BASE = 0x1000_0000n;
const BLOCK_VA_BASE = 0x4000_0000n;

function guestLayout(): { memory: PhysicalMemory; sysreg: (name: string) => bigint } {
  const memory = new PhysicalMemory();
  const builder = new TranslationTableBuilder({
    memory,
    tablePool: { base: 0x7000_0000n, size: 0x100_0000n },
    stage2: { ipaBits: 40 },
  });
  // 256 pages (every fourth page left as a hole) and eight 2M blocks, all backed at stage 2.
  for (let i = 0n; i < PAGE_COUNT; i++) {
    if (i % 4n !== 3n) builder.mapStage1(PAGE_VA_BASE + i * 0x1000n, 0x5000_0000n + i * 0x1000n, 0x1000n);
  }
  builder.mapStage1(BLOCK_VA_BASE, BLOCK_VA_BASE, 0x100_0000n, { level: 2 });
  builder.mapStage2(0x5000_0000n, 0x9000_0000n, 0x20_0000n, { level: 2 });
  builder.mapStage2(BLOCK_VA_BASE, 0xa000_0000n, 0x100_0000n);
  return { memory, sysreg: builder.sysreg() };
}

/** The i-th address of the fixed sequence: pages (some holes) and block offsets, interleaved. */
function benchAddress(i: number, state: { seed: number }): bigint {
  state.seed = (Math.imul(state.seed, 1103515245) + 12345) >>> 0;
  const r = BigInt(state.seed >>> 8);
  return i % 2 === 0 ? PAGE_VA_BASE + (r % PAGE_COUNT) * 0x1000n + (r & 0xff8n) : BLOCK_VA_BASE + (r % 0x100_0000n);
}

/** Runs `n` translations (half AT S1E1R, half guest loads/stores) and reports their rate. */
export function benchWalks(n: number): WalkBenchResult {
  const { memory, sysreg } = guestLayout();
  const state = { seed: 1 };
  let sink = 0n; // keeps the results observable so no walk is optimised away
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const va = benchAddress(i, state);
    if (i % 2 === 0) {
      sink ^= addressTranslateS1E1({ va, access: "read", sysreg, memory });
    } else {
      const outcome = translateGuestAccess({ va, access: i % 3 === 0 ? "write" : "read", kind: "data", sysreg, memory });
      if (outcome.outcome === "success") sink ^= outcome.pa;
    }
  }
  const elapsedSeconds = (performance.now() - start) / 1000;
  if (sink === -1n) throw new Error("unreachable: sink is never negative");
  return { walksPerSecond: elapsedSeconds > 0 ? n / elapsedSeconds : Number.POSITIVE_INFINITY };
}
