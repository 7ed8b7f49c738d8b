// The history's Linux 6.1 -> 6.12 table, computed again from the compiled objects: faultc diff of
// the two kernels' __get_fault_info (nvhe objects, through the rule files' bindings) must give the
// rows of the rule files' table that lie inside the binding's ECs (the memory-fault classes), with
// the same conditions, the same behaviour on each side and the same exactness. Needs the kernel
// trees (`npm run kernels`): skipped without them, failing under CI.
import { describe, expect, it } from "vitest";
import { diff } from "../../src/diff/diff.ts";
import type { DiffReport, DiffRow } from "../../src/diff/types.ts";
import { describeWithKernel } from "../support/kernels.ts";

/** The ECs both rule files bind __get_fault_info to: IABT_LOW, DABT_LOW, WATCHPT_LOW. */
const BOUND_ECS = [0x20, 0x24, 0x34];
/** Fixed absent in the nvhe object, so a rule-file row that needs it has no object counterpart. */
const VHE = "cap ARM64_HAS_VIRT_HOST_EXTN";

function key(r: DiffRow): string {
  const conds = r.class.conditions.filter((c) => c.feature !== "EC").map((c) => `${c.feature}=${c.values.join(",")}`);
  const side = (s: DiffRow["a"]) => `${s.outcome} ${JSON.stringify(s.values)}`;
  return `${conds.join("; ")} | A: ${side(r.a)} | B: ${side(r.b)} | ${r.exact ? "exact" : "partial"}`;
}

function boundRows(report: DiffReport): string[] {
  return report.rows
    .filter((r) => {
      const ec = r.class.conditions.find((c) => c.feature === "EC");
      const vhe = r.class.conditions.find((c) => c.feature === VHE);
      return ec !== undefined && ec.values.every((v) => BOUND_ECS.includes(v)) && !(vhe && vhe.values.every((v) => v === 1));
    })
    .map(key)
    .sort();
}

describeWithKernel("6.1", "the 6.1 -> 6.12 history from the objects (6.1 tree)", (t61) => {
  describeWithKernel("6.12", "the 6.1 -> 6.12 history from the objects", (t612) => {
    it("agrees with the rule files' table on the memory-fault classes", async () => {
      const fromRules = await diff("dsl/linux-6.1.fault#c", "dsl/linux-6.12.fault#c", { strict: false });
      const fromObjects = await diff(`${t61.objects.nvhe}:__get_fault_info`, `${t612.objects.nvhe}:__get_fault_info`, { strict: false });
      expect(fromRules.complete && fromObjects.complete).toBe(true);
      expect(fromObjects.verdict).toBe("different");
      const expected = boundRows(fromRules);
      expect(expected.length).toBeGreaterThan(0);
      expect(fromObjects.rows.map(key).sort()).toEqual(expected);
      // Every object row's witness replays on the objects themselves.
      for (const r of fromObjects.rows) expect(r.witness.replayed, `row ${r.id}`).toBe(true);
    }, 600_000);
  });
});

describe("objects-history", () => {
  it("binds the same ECs as the rule files", async () => {
    const { readFileSync } = await import("node:fs");
    for (const f of ["dsl/linux-6.1.fault", "dsl/linux-6.12.fault"]) {
      expect(readFileSync(f, "utf8"), f).toMatch(/binding __get_fault_info for fixup_guest_exit \{[^}]*when ESR_EL2\.EC in \{IABT_LOW, DABT_LOW, WATCHPT_LOW\};/);
    }
  });
});
