// docs/HISTORY.md is what `faultc diff --history` writes now: every table is computed again, in
// this one process, and compared with the committed file byte for byte. The figures (solver
// calls and time per pair) are printed, so a slow history is seen, never asserted.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HISTORY, historyCommand, historyMarkdown } from "../../src/diff/history.ts";

describe("docs/HISTORY.md", () => {
  it("is current: the tables computed now equal the committed file (faultc diff --history writes it)", async () => {
    const t0 = performance.now();
    const { text, figures } = await historyMarkdown();
    process.stderr.write(`docs/HISTORY.md: ${figures.map((f) => `${f.title}: ${f.verdict}, ${f.solverCalls} solver calls, ${(f.ms / 1000).toFixed(1)} s`).join("; ")}; ${((performance.now() - t0) / 1000).toFixed(1)} s in all\n`);
    // Every table is a decided answer: an undecided one (the solver gave up) is not history.
    expect(figures.filter((f) => f.verdict === "unknown").map((f) => f.title)).toEqual([]);
    const committed = readFileSync("docs/HISTORY.md", "utf8");
    expect(text === committed, "docs/HISTORY.md is stale: run `node bin/faultc.js diff --history`").toBe(true);
  }, 3_600_000);

  it("prints each table's command line, with the field and outcome mappings it uses", () => {
    const xen = HISTORY.find((p) => p.a.startsWith("dsl/xen.fault"));
    expect(xen).toBeDefined();
    expect(historyCommand(xen!)).toBe(
      "faultc diff --markdown --map gva=far_el2 --map-outcome retry=retry --map-outcome 'handoff stage2_abort_handler=exit ARM_EXCEPTION_TRAP' --map-outcome 'handoff do_trap_guest_serror=exit ARM_EXCEPTION_TRAP' --map-outcome 'handoff do_trap_guest_sync_other=exit ARM_EXCEPTION_TRAP' dsl/xen.fault#c dsl/linux-6.15.fault#c",
    );
    const committed = readFileSync("docs/HISTORY.md", "utf8");
    for (const p of HISTORY) expect(committed).toContain(`Computed by \`${historyCommand(p)}\`.`);
  });
});
