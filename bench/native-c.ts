// The yardstick of the C-like variant on the model: the same handler's emitted kernel C (the .c
// backend), compiled for this host with `cc -O2` and run natively over the same scenarios.
//
// The .c is compiled as emitted, against a stand-in for include/faultc-hyp.h that a host can run:
// read_sysreg/write_sysreg reach fields of a struct (a load or store, as an mrs/msr is one
// instruction), cpus_have_final_cap tests a mask, and AT (the .c's only inline assembly, rewritten
// into a call) answers the PAR the model's own MMU gives for that scenario's FAR (or a fault for
// any other address). A second translation unit, the driver, holds every scenario's register
// values (taken from the scenario machine, so both sides see the same inputs) and times
// `reps` passes over them: per scenario it loads the registers, zeroes the fault record and calls
// the handler. Without a host C compiler the yardstick is absent (undefined) and the bench says so.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { emitKernelC } from "../src/codegen/c/emit.ts";
import { capabilityNumbers } from "../src/codegen/names/capabilities.ts";
import { exportNameOf } from "../src/codegen/names/mangle.ts";
import type { IrHandler, IrModule } from "../src/codegen/ir/types.ts";
import { machineForScenario, type Scenario } from "../src/runtime/scenario/index.ts";

export const HOST_CC = ["cc", "gcc"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0);

const hex = (v: bigint) => `0x${v.toString(16)}ULL`;

function shim(regs: readonly string[]): string {
  return `/* Bench stand-in for faultc-hyp.h: the emitted C on the host (bench/native-c.ts). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8; typedef uint16_t u16; typedef uint32_t u32; typedef uint64_t u64; typedef int64_t s64;
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (64 - 1 - (h))))
static inline s64 sign_extend64(u64 value, int index) { int shift = 63 - index; return (s64)(value << shift) >> shift; }
enum faultc_outcome { FAULTC_RETRY = 0, FAULTC_EXIT = 1, FAULTC_HANDOFF_FIRST = 2 };
struct faultc_bench_sysregs { u64 ${regs.map((r) => r.toLowerCase()).join(", ")}; };
extern struct faultc_bench_sysregs faultc_bench_sysreg;
extern bool cpus_have_final_cap(int cap);
extern void faultc_bench_at(u64 va);
#define read_sysreg(r) (faultc_bench_sysreg.r)
#define write_sysreg(v, r) (faultc_bench_sysreg.r = (v))
#define isb() do { } while (0)
`;
}

function driver(h: IrHandler, regs: readonly string[], caps: readonly number[], rows: readonly Row[]): string {
  const record = h.record.fields.map((f) => f.offset + f.size).reduce((a, b) => Math.max(a, b), 0);
  const regList = regs.map((r) => r.toLowerCase());
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
typedef uint64_t u64;
struct faultc_bench_sysregs { u64 ${regList.join(", ")}; };
struct faultc_bench_sysregs faultc_bench_sysreg;
static const int faultc_bench_cap_numbers[] = { ${[...caps, -1].join(", ")} };
static unsigned faultc_bench_caps;
static u64 faultc_bench_at_va, faultc_bench_at_par;
bool cpus_have_final_cap(int cap) {
	for (int i = 0; faultc_bench_cap_numbers[i] >= 0; i++) if (faultc_bench_cap_numbers[i] == cap) return (faultc_bench_caps >> i) & 1;
	abort();
}
void faultc_bench_at(u64 va) { faultc_bench_sysreg.par_el1 = va == faultc_bench_at_va ? faultc_bench_at_par : 1; }
struct faultc_bench_row { unsigned caps; u64 at_va, at_par; struct faultc_bench_sysregs regs; };
static const struct faultc_bench_row rows[] = {
${rows.map((r) => `\t{ ${r.caps}, ${hex(r.atVa)}, ${hex(r.atPar)}, { ${r.regs.map(hex).join(", ")} } },`).join("\n")}
};
int faultc_bench_entry(void *vcpu, u64 *exit_code);
static unsigned char vcpu[4096] __attribute__((aligned(16)));
int main(int argc, char **argv) {
	long reps = argc > 1 ? atol(argv[1]) : 1;
	const size_t n = sizeof(rows) / sizeof(rows[0]);
	u64 sink = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long r = 0; r < reps; r++) {
		for (size_t i = 0; i < n; i++) {
			u64 exit_code = 0;
			faultc_bench_sysreg = rows[i].regs;
			faultc_bench_caps = rows[i].caps;
			faultc_bench_at_va = rows[i].at_va;
			faultc_bench_at_par = rows[i].at_par;
			memset(vcpu, 0, ${Math.max(record, 1)});
			sink += (u64)faultc_bench_entry(vcpu, &exit_code) + exit_code;
			for (int b = 0; b < ${Math.max(record, 1)}; b++) sink = sink * 31 + vcpu[b];
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%.6f %llu\\n", ns / ((double)reps * n), (unsigned long long)sink);
	return 0;
}
`;
}

interface Row {
  caps: number;
  atVa: bigint;
  atPar: bigint;
  regs: bigint[];
}

/** Each scenario's inputs as the model's scenario machine holds them (registers, capabilities, AT of FAR). */
function rows(m: IrModule, h: IrHandler, regs: readonly string[], scenarios: readonly Scenario[]): { caps: number[]; rows: Row[] } {
  const numbers = capabilityNumbers(m);
  const capNames = [...numbers.keys()];
  const out = scenarios.map((s) => {
    const { machine } = machineForScenario(s);
    // What an mrs of each name reads on the model (with E2H, FAR_EL1's encoding reaches FAR_EL2).
    const read = (r: string): bigint => {
      try {
        return machine.getSysreg(machine.resolveSysreg(r, "read"));
      } catch {
        return 0n; // UNDEFINED on this machine: the handler does not read it here
      }
    };
    const far = machine.getSysreg("FAR_EL2");
    const par = machine.translator({ va: far, access: "read", el: 1, sysreg: (name) => machine.getSysreg(name), memory: machine.memory });
    return {
      caps: capNames.reduce((mask, c, i) => (machine.capabilities.has(c) ? mask | (1 << i) : mask), 0),
      atVa: far,
      atPar: par,
      regs: regs.map(read),
    };
  });
  if (capNames.length > 31) throw new Error(`${h.name}: more capabilities than the yardstick's mask holds`);
  return { caps: capNames.map((c) => numbers.get(c) ?? -1), rows: out };
}

export interface NativeYardstick {
  /** Scenarios per second of each timed run. */
  readonly rates: number[];
}

/**
 * Compiles handler `h` of `m` natively and times it over `scenarios` (`runs` processes, each
 * making `reps` passes). Undefined without a host compiler; throws if the C does not build.
 */
export function nativeYardstick(m: IrModule, h: IrHandler, scenarios: readonly Scenario[], runs: number, reps: number): NativeYardstick | undefined {
  if (HOST_CC === undefined) return undefined;
  const regs = [...new Set([...h.sysregs, "PAR_EL1"])].sort();
  const c = emitKernelC(m).replace(/asm volatile\("[^"]*, %0" : : "r" \(va\)\);/g, "faultc_bench_at(va);");
  if (/asm volatile/.test(c)) throw new Error(`${m.file}: inline assembly other than AT left in the emitted C`);
  const dir = mkdtempSync(path.join(tmpdir(), "faultc-bench-native-"));
  try {
    const { caps, rows: data } = rows(m, h, regs, scenarios);
    writeFileSync(path.join(dir, "faultc-hyp.h"), shim(regs));
    writeFileSync(path.join(dir, "handler.c"), `${c}\nint faultc_bench_entry(void *vcpu, u64 *exit_code);\nint faultc_bench_entry(void *vcpu, u64 *exit_code) { return ${exportNameOf(h.name)}((struct faultc_vcpu *)vcpu, exit_code); }\n`);
    writeFileSync(path.join(dir, "driver.c"), driver(h, regs, caps, data));
    const exe = path.join(dir, "bench");
    const cc = spawnSync(HOST_CC, ["-O2", "-std=gnu11", "-I", dir, path.join(dir, "handler.c"), path.join(dir, "driver.c"), "-o", exe], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(`${HOST_CC} failed on the emitted C of ${m.file}:\n${cc.stderr}`);
    spawnSync(exe, ["1"]); // warm-up (page cache)
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(exe, [String(reps)], { encoding: "utf8" });
      const ns = Number(r.stdout.split(" ")[0]);
      if (r.status !== 0 || !Number.isFinite(ns) || ns <= 0) throw new Error(`the native yardstick failed: ${r.stderr || r.stdout}`);
      rates.push(1e9 / ns);
    }
    return { rates };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
