// Functions of compiled objects as code the model runs: C written here, compiled by gcc, opened
// with openObjectFunction and run unchanged by the concrete interpreter (with ret as the exit and
// x0 as the result) and by the symbolic explorer; exception-table fixups listed with the reason
// the model never takes them; and the located error for an instruction the model lacks.
import { expect, it } from "vitest";
import { Checker } from "../../src/equiv/solver.ts";
import { SymbolicDomain } from "../../src/equiv/symbolic/domain.ts";
import { exploreProgram } from "../../src/equiv/symbolic/explore-asm.ts";
import { SymbolicInputs } from "../../src/equiv/symbolic/inputs.ts";
import { SymbolicState } from "../../src/equiv/symbolic/state.ts";
import { termContext } from "../../src/equiv/term/term.ts";
import { AT_NEVER_FAULTS, openObjectFunction, parseObjectReference } from "../../src/object/function.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import { Machine, type MachineConfig } from "../../src/runtime/machine/machine.ts";
import { compile, describeWithCross, scratchDir } from "./cross-toolchain.ts";

const SOURCE = `
typedef unsigned long u64;
struct fault_info { u64 esr, far, hpfar; };
#define rd(r) ({ u64 v; asm volatile("mrs %0, " #r : "=r"(v)); v; })
#define wr(r, v) asm volatile("msr " #r ", %0" :: "r"((u64)(v)))

/* An AT whose exception, should it take one, resumes at the fixup with -14 (the hyp table's shape). */
static inline int guarded_at(u64 va)
{
	int err = 0;
	asm volatile("1:	at s1e1r, %1\\n"
		     "	isb\\n"
		     "	b 9f\\n"
		     "2:	mov %w0, #-14\\n"
		     "9:\\n"
		     "	.pushsection __kvm_ex_table, \\"a\\"\\n"
		     "	.align 3\\n"
		     "	.long (1b - .), (2b - .)\\n"
		     "	.popsection\\n" : "+r"(err) : "r"(va));
	return err;
}

_Bool fault_ipa(u64 esr, struct fault_info *f)
{
	u64 far = rd(far_el2), hpfar;
	if (!(esr & (1UL << 7)) && (esr & 0x3c) == 0xc) {
		u64 saved = rd(par_el1), par;
		int err = guarded_at(far);
		par = err ? 1 : rd(par_el1);
		wr(par_el1, saved);
		if (par & 1)
			return 0;
		hpfar = (par & 0x000ffffffffff000UL) >> 8;
	} else {
		hpfar = rd(hpfar_el2);
	}
	f->far = far;
	f->hpfar = hpfar;
	return 1;
}

int fault_level(u64 esr) { return (esr & 3) == 3 ? 7 : (int)((esr & 3) + ((esr >> 7) & 1)); }

u64 scale(u64 a, u64 b) { return a * b + 1; }

extern u64 elsewhere(u64);
u64 tail(u64 a) { return elsewhere(a + 16); }
`;

const RECORD = 0x8000n;
const RETURN_TO = 0xffff800010abc000n;

describeWithCross("object functions on the model", () => {
  const dir = scratchDir("function");
  const obj = compile(dir, "fault.c", SOURCE, ["-O2", "-mbranch-protection=pac-ret+leaf+bti"]);
  const f = openObjectFunction(obj, "fault_ipa");

  function call(esr: bigint, extra: MachineConfig = {}) {
    const m = new Machine({ x: { 0: esr, 1: RECORD, 30: RETURN_TO }, sysregs: { FAR_EL2: 0x40123456n, HPFAR_EL2: 0x401230n, PAR_EL1: 0x77n }, ...extra });
    const r = runProgram(f.load([]), m, { entry: "fault_ipa" });
    return { r, m, far: m.memory.read(RECORD + 8n, 8), hpfar: m.memory.read(RECORD + 16n, 8) };
  }

  it("is named PATH.o:SYMBOL", () => {
    expect(parseObjectReference(`${obj}:fault_ipa`)).toEqual({ path: obj, symbol: "fault_ipa" });
    expect(parseObjectReference(obj)).toBeUndefined();
  });

  it("runs on the interpreter: returns to x30 with the result in x0", () => {
    // S1PTW set: HPFAR_EL2 is used as it is.
    const ptw = call(0x92000086n);
    expect(ptw.r.outcome).toEqual({ kind: "return", target: RETURN_TO });
    expect([ptw.m.getX(0), ptw.far, ptw.hpfar]).toEqual([1n, 0x40123456n, 0x401230n]);
    // A permission fault: AT (the MMU is off, so the PA is the VA), PAR_EL1 restored.
    const perm = call(0x9200004fn);
    expect([perm.m.getX(0), perm.far, perm.hpfar]).toEqual([1n, 0x40123456n, 0x401230n]);
    expect(perm.m.getSysreg("PAR_EL1")).toBe(0x77n);
    expect(perm.r.sysregWrites.get("PAR_EL1")).toBe(0x77n);
    // AT reporting a fault in PAR_EL1: false, nothing recorded.
    const failed = call(0x9200004fn, { translator: () => 0x80bn });
    expect([failed.m.getX(0), failed.far, failed.hpfar]).toEqual([0n, 0n, 0n]);
  });

  it("every instruction has its address and objdump-style text, and paciasp/autiasp run as NOPs", () => {
    const p = f.load([]);
    expect(p.instructions[0]).toMatchObject({ text: "paciasp", insn: { op: "hint", imm: 25 }, loc: { symbol: "fault_ipa" } });
    const ret = p.instructions.findIndex((i) => i.text === "ret");
    expect(p.instructions[ret - 1]).toMatchObject({ text: "autiasp", insn: { op: "hint", imm: 29 } });
    expect(p.instructions.some((i) => i.text === "at s1e1r, x2" || /^at s1e1r, x\d+$/.test(i.text))).toBe(true);
    expect(p.instructions.map((i) => i.loc.symbol)).toEqual(p.instructions.map((_, k) => (k === 0 ? "fault_ipa" : `fault_ipa+0x${(4 * k).toString(16)}`)));
    expect(p.labels.get("fault_ipa")).toBe(0);
  });

  it("lists the AT's fixup as a path the model never takes, and why", () => {
    expect(f.fixups).toHaveLength(1);
    const [fix] = f.fixups;
    expect(fix.text).toMatch(/^at s1e1r, x\d+$/);
    expect(fix.reachable).toBe(false);
    expect(fix.reason).toBe(AT_NEVER_FAULTS);
    const p = f.load([]);
    expect(p.instructions[fix.insnIndex].insn.op).toBe("at");
    expect(p.instructions[fix.fixupIndex!].text).toMatch(/^mov w\d+, #0xfffffff2$/);
  });

  it("runs on the symbolic explorer unchanged: every path returns, with x0 0 or 1", async () => {
    const ctx = termContext();
    const d = new SymbolicDomain(ctx);
    const inputs = new SymbolicInputs(d, false);
    const checker = new Checker(ctx, () => inputs.axioms);
    const initial = new SymbolicState(inputs, new Set());
    initial.writeX(1, d.const(0x4_0000_0040n, 64));
    const paths = await exploreProgram(f.load([]), "fault_ipa", initial, checker);
    // S1PTW or not a permission fault; AT succeeds; AT fails.
    expect(paths).toHaveLength(3);
    for (const p of paths) {
      expect(p.outcome.kind).toBe("return");
      const x0 = p.state.readX(0);
      expect("c" in x0 && [0n, 1n].includes(x0.c.value & 0xffffffffn)).toBe(true);
    }
  });

  it("conditional select, symbolically and concretely", async () => {
    const g = openObjectFunction(obj, "fault_level");
    expect(g.load([]).instructions.some((i) => i.insn.op === "condsel")).toBe(true);
    for (const [esr, level] of [[3n, 7n], [0x80n, 1n], [0x82n, 3n], [1n, 1n]]) {
      const m = new Machine({ x: { 0: esr, 30: RETURN_TO } });
      runProgram(g.load([]), m, { entry: "fault_level" });
      expect(m.getX(0) & 0xffffffffn).toBe(level);
    }
    const ctx = termContext();
    const d = new SymbolicDomain(ctx);
    const inputs = new SymbolicInputs(d, false);
    const paths = await exploreProgram(g.load([]), "fault_level", new SymbolicState(inputs, new Set()), new Checker(ctx, () => inputs.axioms));
    expect(paths.length).toBeGreaterThanOrEqual(1);
    expect(paths.every((p) => p.outcome.kind === "return")).toBe(true);
  });

  it("a tail call leaves the function for the routine it names", () => {
    const t = openObjectFunction(obj, "tail");
    const r = runProgram(t.load([]), new Machine({ x: { 0: 1n, 30: RETURN_TO } }), { entry: "tail" });
    expect(r.outcome).toEqual({ kind: "handler", name: "elsewhere" });
  });

  it("an instruction the model lacks is an error naming the place, the word and objdump's reading", () => {
    const s = openObjectFunction(obj, "scale");
    expect(() => s.load([])).toThrow(/fault\.o: error: scale(\+0x[0-9a-f]+)?: 0x9b[0-9a-f]{6} \(objdump: mul x0, x0, x1\): the model does not run a data-processing \(3 source\) instruction \(MADD, MSUB, SMULL, \.\.\.\)$/);
  });

  it("an unknown symbol is an error listing the object's functions", () => {
    expect(() => openObjectFunction(obj, "nope")).toThrow(/fault\.o: error: no function 'nope' in the object \(its functions: fault_ipa, fault_level, scale, tail\)/);
  });
});
