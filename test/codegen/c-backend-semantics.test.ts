// The kernel-style C means what the IR means: the generated C of every bundled rule file and of
// the golden fixture is compiled for the host against a test stand-in for faultc-hyp.h (system
// registers in an array, capabilities in a mask, AT as a fixed function of the operation and the
// address), run on thousands of seeded inputs, and compared with a direct evaluation of the IR
// written here: outcome, exit code, every recorded field and PAR_EL1 afterwards.
// The only inline assembly in the generated C, the AT instruction, is rewritten to a call.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitKernelC } from "../../src/codegen/c/emit.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { checkFiles } from "../../src/parser/workspace.ts";

const CC = ["cc", "gcc"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0);
const CAPS = ["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220", "ARM64_HAS_S1POE"];
const AT_OPS: I.AtOp[] = ["S1E1R", "S1E1W", "S1E0R", "S1E0W", "S1E1A"];
const M64 = (1n << 64n) - 1n;
const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** PAR_EL1 after AT `op` on `va` in this test's world (F = bit 0 varies with va). */
function atResult(op: I.AtOp, va: bigint): bigint {
  return (va * 0x9e3779b97f4a7c15n + BigInt(AT_OPS.indexOf(op) + 1)) & M64;
}

// ---------------------------------------------------------------- the IR, evaluated directly

interface World {
  regs: Map<string, bigint>;
  caps: Set<string>;
}

type Outcome = { kind: "exit"; code: bigint } | { kind: "retry" } | { kind: "handoff"; target: string };

class Evaluator {
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

const SHIM = `/* Test stand-in for faultc-hyp.h: the generated C on the host, against a table world. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8; typedef uint16_t u16; typedef uint32_t u32; typedef uint64_t u64; typedef int64_t s64;
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (64 - 1 - (h))))
static inline s64 sign_extend64(u64 value, int index) { int shift = 63 - index; return (s64)(value << shift) >> shift; }
enum faultc_cap { ARM64_HAS_VIRT_HOST_EXTN = 0, ARM64_WORKAROUND_834220 = 1, ARM64_HAS_S1POE = 2 };
enum faultc_outcome { FAULTC_RETRY = 0, FAULTC_EXIT = 1, FAULTC_HANDOFF_FIRST = 2 };
extern const char *test_reg_names[];
extern u64 test_regs[];
extern unsigned test_caps;
static inline u64 *test_reg(const char *name) {
	for (int i = 0; test_reg_names[i]; i++) if (strcmp(test_reg_names[i], name) == 0) return &test_regs[i];
	__builtin_trap();
}
#define read_sysreg(r) (*test_reg(#r))
#define write_sysreg(v, r) (*test_reg(#r) = (v))
#define isb() do { } while (0)
static inline bool cpus_have_final_cap(int cap) { return (test_caps >> cap) & 1; }
static inline void test_at(const char *insn, u64 va) {
	static const char *ops[] = { "at s1e1r", "at s1e1w", "at s1e0r", "at s1e0w", "sys #0, c7, c9, #2", 0 };
	for (int i = 0; ops[i]; i++) if (strcmp(ops[i], insn) == 0) { *test_reg("par_el1") = va * 0x9e3779b97f4a7c15ULL + (u64)(i + 1); return; }
	__builtin_trap();
}
`;

function driver(m: I.IrModule, h: I.IrHandler, regs: string[]): string {
  const fields = h.record.fields;
  return `
#include <stdio.h>
const char *test_reg_names[] = { ${regs.map((r) => `"${r.toLowerCase()}"`).join(", ")}, 0 };
u64 test_regs[${regs.length}];
unsigned test_caps;
int main(void) {
	unsigned long long v[${regs.length}];
	unsigned caps;
	while (scanf("%x${" %llx".repeat(regs.length)}", &caps${regs.map((_, i) => `, &v[${i}]`).join("")}) == ${regs.length + 1}) {
		struct faultc_vcpu vcpu;
		u64 exit_code = 0xdead;
		memset(&vcpu, 0, sizeof(vcpu));
		test_caps = caps;
		for (int i = 0; i < ${regs.length}; i++) test_regs[i] = v[i];
		int r = ${h.name}(&vcpu, &exit_code);
		printf("%d %llx", r, (unsigned long long)exit_code);
${fields.map((f) => `\t\t{ u${f.size * 8} x; memcpy(&x, (u8 *)&vcpu + ${f.offset}, ${f.size}); printf(" %llx", (unsigned long long)x); }`).join("\n")}
		printf(" %llx\\n", (unsigned long long)*test_reg("par_el1"));
	}
	return 0;
}
`;
}

/** Rewrites the generated AT instruction (the only inline assembly) into a call of the stand-in. */
function hostable(c: string): string {
  const out = c.replace(/asm volatile\("([^"]*), %0" : : "r" \(va\)\);/g, 'test_at("$1", va);');
  expect(out).not.toMatch(/asm volatile/);
  return out;
}

// ---------------------------------------------------------------- inputs

function prng(seed: number): () => bigint {
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
function esr(r: () => bigint): bigint {
  const classes = [0x20n, 0x24n, 0x34n, 0x16n, 0x07n, 0x21n, r() & 0x3fn];
  const ec = classes[Number(r() % BigInt(classes.length))];
  const low = r() & 0x1ffffffn;
  const high = r() % 4n === 0n ? r() & 0xffffffffn : 0n;
  return (high << 32n) | (ec << 26n) | low;
}

const files = [
  ...readdirSync("dsl")
    .filter((f) => f.endsWith(".fault"))
    .sort()
    .map((f) => `dsl/${f}`),
  "test/fixtures/codegen/small.fault",
];

describe.skipIf(CC === undefined)("the generated C agrees with the IR (host compiler)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-c-sem-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "faultc-hyp.h"), SHIM);

  it.each(files)("%s", (file) => {
    const ws = checkFiles([file]);
    expect(ws.diagnostics).toEqual([]);
    const checked = ws.files.get(file);
    if (checked === undefined) throw new Error("not loaded");
    const m = lowerFile(checked, ws);
    const handoffs = [...m.externals];
    for (const h of m.handlers) {
      const regs = [...new Set([...h.sysregs, "PAR_EL1"])].sort();
      const base = `${m.name}-${h.name}`.replace(/[^\w-]/g, "_");
      writeFileSync(path.join(dir, `${base}.c`), hostable(emitKernelC(m)) + driver(m, h, regs));
      const cc = spawnSync(CC ?? "cc", ["-std=gnu11", "-O1", "-Wall", "-Werror", `-I${dir}`, `${base}.c`, "-o", base], { cwd: dir, encoding: "utf8" });
      expect(cc.stderr).toBe("");
      expect(cc.status).toBe(0);

      const r = prng(0x5eed + file.length);
      const vectors: { caps: Set<string>; regs: Map<string, bigint> }[] = [];
      for (let i = 0; i < 3000; i++) {
        const caps = new Set(CAPS.filter(() => r() & 1n));
        const values = new Map(regs.map((x) => [x, /^ESR_/.test(x) ? esr(r) : x === "VTTBR_EL2" && r() % 2n === 0n ? 0n : r()]));
        vectors.push({ caps, regs: values });
      }
      const input = vectors.map((v) => [CAPS.reduce((a, c, i) => a | (v.caps.has(c) ? 1 << i : 0), 0).toString(16), ...regs.map((x) => (v.regs.get(x) ?? 0n).toString(16))].join(" ")).join("\n");
      const res = spawnSync(path.join(dir, base), [], { input, encoding: "utf8", maxBuffer: 64 << 20 });
      expect(res.status).toBe(0);
      const lines = res.stdout.trim().split("\n");
      expect(lines.length).toBe(vectors.length);

      const seen = new Set<string>();
      vectors.forEach((v, i) => {
        const world: World = { regs: new Map(v.regs), caps: v.caps };
        const record = new Map<string, bigint>();
        const outcome = new Evaluator(m, world).run(h.body, new Map(), record);
        const ret = outcome.kind === "exit" ? 1 : outcome.kind === "retry" ? 0 : 2 + handoffs.indexOf(outcome.target);
        const exitCode = outcome.kind === "exit" ? outcome.code : 0xdeadn;
        const expected = [String(ret), exitCode.toString(16), ...h.record.fields.map((f) => (record.get(f.name) ?? 0n).toString(16)), (world.regs.get("PAR_EL1") ?? 0n).toString(16)].join(" ");
        expect(lines[i], `${file} input ${input.split("\n")[i]}`).toBe(expected);
        seen.add(outcome.kind === "handoff" ? `handoff ${outcome.target}` : outcome.kind);
      });
      // The inputs reach every outcome the handler has.
      const reachable = new Set<string>();
      const walk = (b: I.Block) => {
        if (b.end.kind === "decide") b.end.rules.forEach((x) => walk(x.body));
        else reachable.add(b.end.kind === "handoff" ? `handoff ${b.end.target}` : b.end.kind);
      };
      walk(h.body);
      expect([...seen].sort()).toEqual([...reachable].sort());
    }
  });
});
