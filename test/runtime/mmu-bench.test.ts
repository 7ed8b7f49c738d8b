// The bench entry point runs real walks and reports a positive rate.

import { describe, expect, it } from "vitest";
import { benchWalks } from "../../src/runtime/mmu/bench.ts";

describe("benchWalks", () => {
  it("reports a positive walk rate", () => {
    const { walksPerSecond } = benchWalks(200);
    expect(walksPerSecond).toBeGreaterThan(0);
  });
});
