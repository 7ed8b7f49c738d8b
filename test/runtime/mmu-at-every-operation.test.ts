// atOperationAnswers (mmu/at-every-operation.ts) shares one stage-1 walk per direction among AT
// operations on one VA: each answer must be what the operation alone answers (atOperationAnswer),
// PAR or External abort, on every set-up the QEMU oracles generate (stage 1 alone, both stages,
// walk faults, address-size faults) and with stage 1 off.
import { describe, expect, it } from "vitest";
import { generateAtCases } from "../../src/oracle/at-cases.ts";
import { generateAt12Cases } from "../../src/oracle/at12-cases.ts";
import { generateTrapCases } from "../../src/oracle/trap-cases.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { atOperationAnswers } from "../../src/runtime/mmu/at-every-operation.ts";
import { atOperationAnswer } from "../../src/runtime/mmu/at-operation.ts";
import { SCTLR, translationContextOf, type TranslationRegisters } from "../../src/runtime/mmu/registers.ts";
import { buildTrapTables } from "../../src/runtime/scenario/trap.ts";
import { SCENARIO_MEMORY_MAP } from "../../src/runtime/scenario/machine-memory.ts";
import { AT_KINDS, atTraits } from "../../src/runtime/semantics/at-operations.ts";

const STAGE1 = AT_KINDS.filter((k) => atTraits(k).stages === 1).map((k) => atTraits(k));
const ALL = AT_KINDS.map((k) => atTraits(k));

function expectEachAlone(regs: TranslationRegisters, memory: PhysicalMemory, va: bigint, ops: typeof ALL): number {
  const ctx = translationContextOf(regs, memory);
  const together = atOperationAnswers(ctx, va, ops);
  expect(together).toEqual(ops.map((op) => atOperationAnswer(ctx, va, op)));
  return together.filter((a) => typeof a !== "bigint").length;
}

describe("every AT operation on one VA at once (at-every-operation.ts)", () => {
  it("answers as each operation alone on the AT oracle's stage-1 set-ups", () => {
    for (const c of generateAtCases(1, 60)) for (const va of c.probes) expectEachAlone(c.registers, c.memory, va, STAGE1);
  });

  it("answers as each operation alone on the two-stage set-ups (both stages, walk faults)", () => {
    for (const c of generateAt12Cases(1, 60)) for (const va of c.probes) expectEachAlone(c.registers, c.memory, va, ALL);
  });

  it("answers as each operation alone on the trap oracle's tables, External aborts on the walk included", () => {
    let aborts = 0;
    for (const seed of [1, 2, 3]) {
      for (const c of generateTrapCases(seed, 36)) {
        const memory = new PhysicalMemory(SCENARIO_MEMORY_MAP);
        const regs = buildTrapTables(c.input, memory).registers();
        for (const va of [c.input.va, c.input.va + 0x1000n]) aborts += expectEachAlone(regs, memory, va, ALL);
      }
    }
    expect(aborts).toBeGreaterThan(0);
  });

  it("answers as each operation alone with stage 1 off", () => {
    const c = generateAt12Cases(2, 1)[0];
    const regs = { ...c.registers, SCTLR_EL1: c.registers.SCTLR_EL1 & ~(1n << BigInt(SCTLR.M)) };
    for (const va of [...c.probes, 1n << 50n]) expectEachAlone(regs, c.memory, va, ALL);
  });

  it("refuses a two-stage operation without a permission check, as atOperationAnswer does", () => {
    const c = generateAt12Cases(1, 1)[0];
    const ctx = translationContextOf(c.registers, c.memory);
    expect(() => atOperationAnswers(ctx, c.probes[0], [{ stages: 12, el: 1, access: "any" }])).toThrow(RangeError);
  });
});
