// Alternatives patched at load time for a capability set, macros, constants and expressions, and a
// program parsed once and run many times.
import { describe, expect, it } from "vitest";
import { AsmError } from "../../src/runtime/asm/errors.ts";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";
import { Machine } from "../../src/runtime/machine/machine.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import { ARM64_HAS_VIRT_HOST_EXTN } from "../../src/runtime/machine/cpu-features.ts";

// The one line of hyp-entry.S the seed's patch kept in assembly, as the seed prints it after the patch.
const ESR_READ = `
el1_sync:
	save_x0_to_x3
alternative_if_not ARM64_HAS_VIRT_HOST_EXTN
	mrs	x1, esr_el2
alternative_else
	mrs	x1, esr_el1
alternative_endif
	lsr	x2, x1, #ESR_ELx_EC_SHIFT
	eret
`;

describe("alternatives", () => {
  const parsed = parseProgram(ESR_READ, { file: "esr.S" });

  it("the default side without the capability, the replacement with it", () => {
    expect(loadProgram(parsed, []).instructions[2].insn).toEqual({ op: "mrs", rt: { kind: "x", index: 1 }, sysreg: "ESR_EL2" });
    expect(loadProgram(parsed, [ARM64_HAS_VIRT_HOST_EXTN]).instructions[2].insn).toEqual({ op: "mrs", rt: { kind: "x", index: 1 }, sysreg: "ESR_EL1" });
  });

  it("both sides read the syndrome: ESR_EL2 directly, or ESR_EL1 redirected to ESR_EL2 under VHE", () => {
    for (const caps of [[], [ARM64_HAS_VIRT_HOST_EXTN]]) {
      const m = new Machine({ capabilities: caps, sysregs: { ESR_EL2: 0x9200004fn, ESR_EL1: 0x5a000000n }, sp: 0x1000n });
      runProgram(loadProgram(parsed, m.capabilities), m, { entry: "el1_sync" });
      expect(m.getX(1)).toBe(0x9200004fn);
      expect(m.getX(2)).toBe(0x24n); // ESR_ELx_EC_DABT_LOW
    }
  });

  it("alternative_if takes the first side when the capability is present", () => {
    const p = parseProgram("alternative_if CAP\n\tmov x0, #1\nalternative_else\n\tmov x0, #2\nalternative_endif\n\teret\n");
    const x0 = (caps: string[]) => {
      const m = new Machine();
      runProgram(loadProgram(p, caps), m);
      return m.getX(0);
    };
    expect(x0(["CAP"])).toBe(1n);
    expect(x0([])).toBe(2n);
  });

  it("alternative_else_nop_endif pads with nops; macro expansions count by instruction", () => {
    const p = parseProgram("alternative_if CAP\n\tsave_x0_to_x3\nalternative_else_nop_endif\n\teret\n");
    expect(loadProgram(p, []).instructions.map((i) => i.insn.op)).toEqual(["nop", "nop", "eret"]);
    expect(loadProgram(p, ["CAP"]).instructions.map((i) => i.insn.op)).toEqual(["ldstp", "ldstp", "eret"]);
  });

  it("sides of different lengths are an error located at alternative_endif", () => {
    const source = "\tnop\nalternative_if_not CAP\n\tnop\n\tnop\nalternative_else\n\tnop\n  alternative_endif\n";
    let error: unknown;
    try {
      parseProgram(source, { file: "alt.S" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AsmError);
    expect((error as AsmError).message).toBe("alt.S:7:3: error: alternative sides differ in length: 2 instructions before alternative_else, 1 after");
  });

  it("unbalanced and nested blocks are errors", () => {
    const msg = (src: string) => {
      try {
        parseProgram(src, { file: "alt.S" });
      } catch (e) {
        return (e as AsmError).message;
      }
      return "";
    };
    expect(msg("alternative_else\n")).toBe("alt.S:1:1: error: alternative_else without alternative_if or alternative_if_not");
    expect(msg("alternative_if_not A\nalternative_if B\n")).toBe("alt.S:2:1: error: alternative_if inside another alternative block");
    expect(msg("\nalternative_if_not A\n\tnop\n")).toBe("alt.S:2:1: error: alternative block without alternative_endif");
    expect(msg("alternative_if_not\n")).toBe("alt.S:1:1: error: alternative_if_not expects one capability name");
  });
});

describe("macros, constants and expressions", () => {
  it("save_x0_to_x3 / restore_x0_to_x3 push and pop as the 2016 kernel did", () => {
    const p = loadProgram(parseProgram("\tsave_x0_to_x3\n\tmov x0, #0\n\tmov x1, #0\n\tmov x2, #0\n\tmov x3, #0\n\trestore_x0_to_x3\n\teret\n"));
    const m = new Machine({ x: { 0: 10n, 1: 11n, 2: 12n, 3: 13n }, sp: 0x2000n });
    // after save: [sp-16]=x0 [sp-8]=x1 (first push), [sp-32]=x2 [sp-24]=x3 (second push)
    const snapshot = m.clone();
    runProgram(p, m);
    expect([0, 1, 2, 3].map((i) => m.getX(i))).toEqual([10n, 11n, 12n, 13n]);
    expect(m.getSP()).toBe(0x2000n);
    expect(m.memory.read(0x1ff0n, 8)).toBe(10n);
    expect(m.memory.read(0x1ff8n, 8)).toBe(11n);
    expect(m.memory.read(0x1fe0n, 8)).toBe(12n);
    expect(m.memory.read(0x1fe8n, 8)).toBe(13n);
    expect(snapshot.memory.read(0x1ff0n, 8)).toBe(0n); // the clone is independent
  });

  it("user macros with parameters, .equ, and GNU as expression precedence", () => {
    const src = [
      ".equ BASE, 0x40",
      ".macro put reg, off",
      "\tstr \\reg, [x0, #BASE + \\off]",
      ".endm",
      "\tput x1, 8",
      "\tmov x2, #(1 << 4)",
      "\tmov x3, #1 + 2 << 3", // gas: << binds tighter than +: 1 + 16
      "\tmov x4, #VCPU_HPFAR_EL2 + 8",
      "\tmov x5, #~0xf & 0xff",
      "\teret",
    ].join("\n");
    const m = new Machine({ x: { 0: 0x1000n, 1: 0xabcn } });
    runProgram(loadProgram(parseProgram(src)), m);
    expect(m.memory.read(0x1048n, 8)).toBe(0xabcn);
    expect(m.getX(2)).toBe(16n);
    expect(m.getX(3)).toBe(17n);
    expect(m.getX(4)).toBe(0x58n);
    expect(m.getX(5)).toBe(0xf0n);
  });

  it("comments of both kinds and ; separators keep columns", () => {
    const src = "/* a\n comment */ mov x0, #1 ; mov x1, #2 // trailing\n\tb 1f ; 1: eret";
    const m = new Machine();
    const p = loadProgram(parseProgram(src));
    expect(p.instructions.map((i) => i.loc.line + ":" + i.loc.column)).toEqual(["2:13", "2:26", "3:2", "3:12"]);
    runProgram(p, m);
    expect([m.getX(0), m.getX(1)]).toEqual([1n, 2n]);
  });
});
