// What the exploration finds wrong with a side is the side's error, located, not an "unknown":
// an UNDEFINED system-register access on a path some input takes (never on one no input takes),
// for a function over HypApi as for assembly (test/cli/equiv.test.ts has the assembly cases).
import { describe, expect, it } from "vitest";
import { prove } from "../../src/equiv/prove.ts";
import { ExplorationError } from "../../src/equiv/symbolic/exploration-error.ts";
import type { HypApi, Outcome } from "../../src/runtime/hyp/api.ts";
import { KVM_2016_RECORD_LAYOUT } from "../../src/runtime/run/layout.ts";
import { openSide, type Side } from "../../src/sides/index.ts";

/** A side that is only a function (its concrete view is not needed by the proof). */
function functionSide(label: string, fn: <V, B>(h: HypApi<V, B>) => Outcome): Side {
  return {
    label,
    kind: "reference",
    name: { kind: "reference", name: label },
    layout: KVM_2016_RECORD_LAYOUT,
    capabilities: [],
    concrete: () => {
      throw new Error("not run concretely");
    },
    symbolic: { kind: "function", fn, origin: { file: "handler.ts", line: 3 } },
  };
}

const trap: Outcome = { kind: "exit", code: 1n, name: "ARM_EXCEPTION_TRAP" };

describe("an UNDEFINED access in a function side", () => {
  it("on a path an input takes: an ExplorationError at the rule's line, with the capabilities", async () => {
    const side = functionSide("undef", (h) => {
      const d = h.d;
      if (h.branch(d.eq(d.extract(h.mrs("ESR_EL2"), 31, 26), d.const(0x24n, 6)), "dabt")) {
        h.enterRule("dabt", 7);
        h.storeVcpu(0x48, 8, h.mrs("FAR_EL12"));
      }
      return trap;
    });
    const e = await prove(await openSide("refs/kvm-2016-before.S"), side, { strict: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExplorationError);
    expect((e as Error).message).toBe("handler.ts:7: error: FAR_EL12 is UNDEFINED at EL2 when HCR_EL2.E2H == 0 (capabilities: none)");
  });

  it("on a path no input takes: no error (the way is dropped as infeasible)", async () => {
    const side = functionSide("guarded", (h) => {
      const d = h.d;
      // ESR_EL2 < 0 holds for no input.
      if (h.branch(d.ult(h.mrs("ESR_EL2"), d.const(0n, 64)), "never")) h.storeVcpu(0x48, 8, h.mrs("FAR_EL12"));
      return trap;
    });
    const p = await prove(side, side, { strict: true });
    expect(p.verdict).toBe("equivalent");
    expect(p.combos.map((c) => c.pathsA.length)).toEqual([1, 1]);
  });
});
