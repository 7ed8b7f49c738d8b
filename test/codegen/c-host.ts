// The kernel-style C on the host, for tests that check what it means: a stand-in for
// faultc-hyp.h (system registers in a table, capabilities in a mask, AT as a fixed function of the
// operation and the address), a driver that feeds it inputs and prints what each run left, and a
// direct evaluation of the IR in the same world to compare with. The generated C is compiled on
// its own, freestanding, with only the stand-in: the driver is a second translation unit, and the
// stand-in's and the driver's own names all start with faultc_, so that no rule-file name (which
// names/mangle.ts keeps out of that family) meets one of them or the C library.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { capabilityNumbers } from "../../src/codegen/names/capabilities.ts";
import { exportNameOf } from "../../src/codegen/names/mangle.ts";
import type * as I from "../../src/codegen/ir/types.ts";

export const HOST_CC = ["cc", "gcc"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0);
const AT_OPS: I.AtOp[] = ["S1E1R", "S1E1W", "S1E0R", "S1E0W", "S1E1A"];
const M64 = (1n << 64n) - 1n;
const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** PAR_EL1 after AT `op` on `va` in this test's world (F = bit 0 varies with va). */
export function atResult(op: I.AtOp, va: bigint): bigint {
  return (va * 0x9e3779b97f4a7c15n + BigInt(AT_OPS.indexOf(op) + 1)) & M64;
}

// ---------------------------------------------------------------- the IR, evaluated directly

export interface World {
  regs: Map<string, bigint>;
  caps: Set<string>;
}

export type Outcome = { kind: "exit"; code: bigint } | { kind: "retry" } | { kind: "handoff"; target: string };

export class Evaluator {
  constructor(
    private readonly m: I.IrModule,
    private readonly w: World,
  ) {}

  bv(e: I.BvExpr, env: Map<string, bigint>): bigint {
    switch (e.op) {
      case "const":
        return e.value;
      case "sysreg": {
        const alt = e.reg.alternative;
        const reg = alt && this.w.caps.has(alt.capability) ? alt.register : e.reg.base;
        return (this.w.regs.get(reg) ?? 0n) & mask(e.width);
      }
      case "var": {
        const v = env.get(e.id);
        if (v === undefined) throw new Error(`unbound ${e.id}`);
        return v;
      }
      case "not":
        return ~this.bv(e.a, env) & mask(e.width);
      case "neg":
        return -this.bv(e.a, env) & mask(e.width);
      case "and":
        return this.bv(e.a, env) & this.bv(e.b, env);
      case "or":
        return this.bv(e.a, env) | this.bv(e.b, env);
      case "xor":
        return this.bv(e.a, env) ^ this.bv(e.b, env);
      case "add":
        return (this.bv(e.a, env) + this.bv(e.b, env)) & mask(e.width);
      case "sub":
        return (this.bv(e.a, env) - this.bv(e.b, env)) & mask(e.width);
      case "shl":
        return (this.bv(e.a, env) << BigInt(e.amount)) & mask(e.width);
      case "lshr":
        return this.bv(e.a, env) >> BigInt(e.amount);
      case "extract":
        return (this.bv(e.a, env) >> BigInt(e.lo)) & mask(e.width);
      case "zext":
        return this.bv(e.a, env);
      case "sext": {
        const from = e.a.width;
        const v = this.bv(e.a, env);
        const signed = v & (1n << BigInt(from - 1)) ? v - (1n << BigInt(from)) : v;
        return signed & mask(e.width);
      }
      case "call": {
        const f = this.m.functions.find((x) => x.name === e.fn);
        if (f === undefined) throw new Error(`no fn ${e.fn}`);
        return this.bv(f.body, new Map(f.params.map((p, i) => [p.id, this.bv(e.args[i], env)])));
      }
      default:
        throw new Error(`unexpected ${e.op}`);
    }
  }

  bool(b: I.BoolExpr, env: Map<string, bigint>): boolean {
    switch (b.op) {
      case "true":
        return true;
      case "false":
        return false;
      case "cap":
        return this.w.caps.has(b.name);
      case "cmp": {
        const x = this.bv(b.a, env);
        const y = this.bv(b.b, env);
        return { eq: x === y, ne: x !== y, ult: x < y, ule: x <= y, ugt: x > y, uge: x >= y }[b.cmp];
      }
      case "in": {
        const x = this.bv(b.a, env);
        return b.values.includes(x);
      }
      case "not":
        return !this.bool(b.a, env);
      case "and":
        return this.bool(b.a, env) && this.bool(b.b, env);
      case "or":
        return this.bool(b.a, env) || this.bool(b.b, env);
      case "pred": {
        const p = this.m.predicates.find((x) => x.name === b.name);
        if (p === undefined) throw new Error(`no pred ${b.name}`);
        return this.bool(p.body, new Map(p.params.map((x, i) => [x.id, this.bv(b.args[i], env)])));
      }
      case "bvar":
        return env.get(b.id) === 1n;
    }
  }

  run(block: I.Block, env: Map<string, bigint>, record: Map<string, bigint>): Outcome {
    const local = new Map(env);
    for (const s of block.stmts) {
      switch (s.kind) {
        case "let":
          local.set(s.id, this.bv(s.value, local));
          break;
        case "letBool":
          local.set(s.id, this.bool(s.value, local) ? 1n : 0n);
          break;
        case "at": {
          const alt = s.op.alternative;
          const op = alt && this.w.caps.has(alt.capability) ? alt.op : s.op.base;
          const saved = this.w.regs.get("PAR_EL1") ?? 0n;
          const par = atResult(op, this.bv(s.address, local));
          this.w.regs.set("PAR_EL1", s.preserve ? saved : par);
          local.set(s.id, par);
          break;
        }
        case "record":
          record.set(s.field, this.bv(s.value, local));
          break;
      }
    }
    const t = block.end;
    switch (t.kind) {
      case "exit":
        return { kind: "exit", code: t.code };
      case "retry":
        return { kind: "retry" };
      case "handoff":
        return { kind: "handoff", target: t.target };
      case "decide": {
        for (const r of t.rules) if (r.guard === undefined || this.bool(r.guard, local)) return this.run(r.body, local, record);
        throw new Error("no rule matched");
      }
    }
  }
}

// ---------------------------------------------------------------- the C, on the host

/** The stand-in for include/faultc-hyp.h (write it as faultc-hyp.h in the build folder). */
export const SHIM = `/* Test stand-in for faultc-hyp.h: the generated C on the host, against a table world. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8; typedef uint16_t u16; typedef uint32_t u32; typedef uint64_t u64; typedef int64_t s64;
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (64 - 1 - (h))))
static inline s64 sign_extend64(u64 value, int index) { int shift = 63 - index; return (s64)(value << shift) >> shift; }
enum faultc_outcome { FAULTC_RETRY = 0, FAULTC_EXIT = 1, FAULTC_HANDOFF_FIRST = 2 };
extern const char *faultc_test_reg_names[];
extern u64 faultc_test_regs[];
extern unsigned faultc_test_caps;
extern const int faultc_test_cap_numbers[];
static inline bool faultc_test_same(const char *a, const char *b) {
	while (*a && *a == *b) a++, b++;
	return *a == *b;
}
static inline u64 *faultc_test_reg(const char *name) {
	for (int i = 0; faultc_test_reg_names[i]; i++) if (faultc_test_same(faultc_test_reg_names[i], name)) return &faultc_test_regs[i];
	__builtin_trap();
}
#define read_sysreg(r) (*faultc_test_reg(#r))
#define write_sysreg(v, r) (*faultc_test_reg(#r) = (v))
#define isb() do { } while (0)
/* The capabilities present: bit i of faultc_test_caps for the i-th number the generated file defines. */
static inline bool cpus_have_final_cap(int cap) {
	for (int i = 0; faultc_test_cap_numbers[i] >= 0; i++) if (faultc_test_cap_numbers[i] == cap) return (faultc_test_caps >> i) & 1;
	__builtin_trap();
}
static inline void faultc_test_at(const char *insn, u64 va) {
	static const char *ops[] = { "at s1e1r", "at s1e1w", "at s1e0r", "at s1e0w", "sys #0, c7, c9, #2", 0 };
	for (int i = 0; ops[i]; i++) if (faultc_test_same(ops[i], insn)) { *faultc_test_reg("par_el1") = va * 0x9e3779b97f4a7c15ULL + (u64)(i + 1); return; }
	__builtin_trap();
}
`;

/** The generated C made runnable on the host: AT (its only inline assembly) as a call, and an entry point for the driver. */
function hostable(c: string, h: I.IrHandler): string {
  const out = c.replace(/asm volatile\("([^"]*), %0" : : "r" \(va\)\);/g, 'faultc_test_at("$1", va);');
  if (/asm volatile/.test(out)) throw new Error("inline assembly left in the generated C");
  return `${out}
int faultc_test_entry(void *vcpu, u64 *exit_code);
int faultc_test_entry(void *vcpu, u64 *exit_code) { return ${exportNameOf(h.name)}((struct faultc_vcpu *)vcpu, exit_code); }
`;
}

/** The driver: reads "caps reg..." lines, runs the handler on each, prints "ret exit_code field... par". */
function driver(h: I.IrHandler, regs: string[], capNumbers: number[]): string {
  const fields = h.record.fields;
  return `#include <stdio.h>
#include <stdint.h>
#include <string.h>
const char *faultc_test_reg_names[] = { ${regs.map((r) => `"${r.toLowerCase()}"`).join(", ")}, 0 };
uint64_t faultc_test_regs[${regs.length}];
unsigned faultc_test_caps;
const int faultc_test_cap_numbers[] = { ${[...capNumbers, -1].join(", ")} };
int faultc_test_entry(void *vcpu, uint64_t *exit_code);
static unsigned char vcpu[4096] __attribute__((aligned(16)));
int main(void) {
	unsigned long long v[${regs.length}];
	unsigned caps;
	while (scanf("%x${" %llx".repeat(regs.length)}", &caps${regs.map((_, i) => `, &v[${i}]`).join("")}) == ${regs.length + 1}) {
		uint64_t exit_code = 0xdead;
		memset(vcpu, 0, sizeof(vcpu));
		faultc_test_caps = caps;
		for (int i = 0; i < ${regs.length}; i++) faultc_test_regs[i] = v[i];
		int r = faultc_test_entry(vcpu, &exit_code);
		printf("%d %llx", r, (unsigned long long)exit_code);
${fields.map((f) => `\t\t{ uint${f.size * 8}_t x; memcpy(&x, vcpu + ${f.offset}, ${f.size}); printf(" %llx", (unsigned long long)x); }`).join("\n")}
		printf(" %llx\\n", (unsigned long long)faultc_test_regs[${regs.indexOf("PAR_EL1")}]);
	}
	return 0;
}
`;
}

export interface HostInput {
  caps: Set<string>;
  regs: Map<string, bigint>;
}

/** The registers a handler's host run takes as input: those it may read, and PAR_EL1. */
export function hostRegisters(h: I.IrHandler): string[] {
  return [...new Set([...h.sysregs, "PAR_EL1"])].sort();
}

/**
 * Compiles handler `h` of `c` (the generated C of `m`) for the host in `dir` (which holds SHIM as
 * faultc-hyp.h) as `base`, runs it on `inputs`, and returns each run's line beside what the IR
 * says it should be. Throws with the compiler's output if the C does not compile cleanly.
 */
export function runOnHost(dir: string, base: string, m: I.IrModule, c: string, h: I.IrHandler, inputs: HostInput[]): { actual: string[]; expected: string[]; outcomes: Outcome[] } {
  const regs = hostRegisters(h);
  // Capabilities by the numbers the generated file gives them (the C tests them by number only).
  const caps = [...capabilityNumbers(m)];
  if (caps.length > 32) throw new Error(`${m.name}: more capabilities than the driver's mask holds`);
  writeFileSync(path.join(dir, `${base}.c`), hostable(c, h));
  writeFileSync(path.join(dir, `${base}-driver.c`), driver(h, regs, caps.map(([, n]) => n)));
  const cc = (args: string[]) => {
    const r = spawnSync(HOST_CC ?? "cc", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0 || r.stderr !== "") throw new Error(`${HOST_CC} ${args.join(" ")}\n${r.stdout}${r.stderr}`);
  };
  cc(["-std=gnu11", "-O1", "-Wall", "-Werror", "-ffreestanding", `-I${dir}`, "-c", `${base}.c`, "-o", `${base}.o`]);
  cc(["-std=gnu11", "-O1", "-Wall", "-Werror", `${base}-driver.c`, `${base}.o`, "-o", base]);
  const input = inputs.map((v) => [(caps.reduce((a, [cap], i) => a | (v.caps.has(cap) ? 2 ** i : 0), 0) >>> 0).toString(16), ...regs.map((x) => (v.regs.get(x) ?? 0n).toString(16))].join(" ")).join("\n");
  const res = spawnSync(path.join(dir, base), [], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`${base} exited ${res.status}: ${res.stderr}`);
  const actual = res.stdout.trim().split("\n");
  const handoffs = [...m.externals];
  const outcomes: Outcome[] = [];
  const expected = inputs.map((v) => {
    const world: World = { regs: new Map(v.regs), caps: v.caps };
    const record = new Map<string, bigint>();
    const outcome = new Evaluator(m, world).run(h.body, new Map(), record);
    outcomes.push(outcome);
    const ret = outcome.kind === "exit" ? 1 : outcome.kind === "retry" ? 0 : 2 + handoffs.indexOf(outcome.target);
    const exitCode = outcome.kind === "exit" ? outcome.code : 0xdeadn;
    return [String(ret), exitCode.toString(16), ...h.record.fields.map((f) => (record.get(f.name) ?? 0n).toString(16)), (world.regs.get("PAR_EL1") ?? 0n).toString(16)].join(" ");
  });
  return { actual, expected, outcomes };
}

// ---------------------------------------------------------------- inputs

export function prng(seed: number): () => bigint {
  let s = BigInt(seed) & M64;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & M64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };
}

/** A syndrome that reaches the interesting rules: an abort-ish class, any FSC, sometimes high bits. */
export function esr(r: () => bigint): bigint {
  const classes = [0x20n, 0x24n, 0x34n, 0x16n, 0x07n, 0x21n, r() & 0x3fn];
  const ec = classes[Number(r() % BigInt(classes.length))];
  const low = r() & 0x1ffffffn;
  const high = r() % 4n === 0n ? r() & 0xffffffffn : 0n;
  return (high << 32n) | (ec << 26n) | low;
}
