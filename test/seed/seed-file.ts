// The seed's review is an input outside the checkout (../shared/seed/, or $FAULTC_SEED_FILE). Where
// it cannot be read, the tests built on it are skipped with the reason, under CI too: it is the
// workplace's file, not something .ci/run can install.
import { describe, it } from "vitest";
import { SEED_FILE, seedAvailable } from "../../scripts/seed-c.ts";

export function describeWithSeed(body: () => void): void {
  if (seedAvailable()) {
    body();
    return;
  }
  console.warn(`tests of the seed's own C skipped: ${SEED_FILE} is not readable (set FAULTC_SEED_FILE)`);
  describe.skip(`the seed's own C (${SEED_FILE} not readable)`, () => {
    it("needs the seed", () => {});
  });
}
