// The object layer on the real kernel objects (`npm run kernels` builds them into .cache/kernels,
// or $FAULTC_KERNELS_DIR): for __get_fault_info of each of the four objects, the time to open it
// (read and check the ELF, lay out and relocate the image, read and name the alternatives and the
// exception table), to load every capability combination (apply alternatives, decode, resolve,
// disassemble), and the interpreter's speed running the loaded code. Medians over repetitions.
// Without the objects it prints a note on stderr and no figures.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { openObjectFunction } from "../src/object/function.ts";
import { runProgram } from "../src/runtime/machine/interpreter.ts";
import { Machine } from "../src/runtime/machine/machine.ts";
import { median, round, type Benchmark, type Figure } from "./types.ts";

const RUNS = 9;
const CALLS_PER_SAMPLE = 2000;
const SYMBOL = "__get_fault_info";
const KERNELS = path.resolve(process.env.FAULTC_KERNELS_DIR ?? path.join(".cache", "kernels"));
const OBJECTS = ["6.1", "6.12"].flatMap((v) => ["arch/arm64/kvm/hyp/nvhe/switch.nvhe.o", "arch/arm64/kvm/hyp/vhe/switch.o"].map((o) => path.join(KERNELS, `linux-${v}`, o)));

function timed(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

function figures(obj: string): Figure[] {
  const subject = `${path.relative(KERNELS, obj)}:${SYMBOL}`;
  openObjectFunction(obj, SYMBOL); // warm-up (page cache, JIT)
  const open: number[] = [];
  const loadAll: number[] = [];
  let combinations = 0;
  for (let i = 0; i < RUNS; i++) {
    open.push(timed(() => openObjectFunction(obj, SYMBOL)));
    const f = openObjectFunction(obj, SYMBOL);
    combinations = f.combinations().length;
    loadAll.push(timed(() => f.combinations().forEach((c) => f.load(c))));
  }
  // The interpreter on the permission-fault path (the AT and PAR save/restore), all capabilities.
  const f = openObjectFunction(obj, SYMBOL);
  const program = f.load(f.capabilities);
  const machine = new Machine({ sysregs: { FAR_EL2: 0x40001234n, HPFAR_EL2: 0x400010n, HCR_EL2: 1n << 34n } });
  const call = () => {
    machine.setX(0, 0x9200004fn);
    machine.setX(1, 0x8000n);
    machine.setX(30, 0xffff800010000000n);
    return runProgram(program, machine, { entry: SYMBOL }).steps;
  };
  call();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let steps = 0;
    const ms = timed(() => {
      for (let k = 0; k < CALLS_PER_SAMPLE; k++) steps += call();
    });
    rates.push(steps / (ms / 1000));
  }
  return [
    { bench: "object", subject, metric: "open_ms", value: round(median(open)), runs: RUNS },
    { bench: "object", subject, metric: `load_all_${combinations}_combinations_ms`, value: round(median(loadAll)), runs: RUNS },
    { bench: "object", subject, metric: "interpreter_insns_per_s", value: Math.round(median(rates)), runs: RUNS },
  ];
}

export const objectBenchmark: Benchmark = {
  name: "object",
  description: "kernel objects: open, load every capability combination, interpreter speed on __get_fault_info",
  async run() {
    const present = OBJECTS.filter((o) => existsSync(o));
    if (present.length === 0) {
      process.stderr.write(`faultc-bench: object skipped: no kernel objects under ${path.relative(process.cwd(), KERNELS) || "."}; build them with: npm run kernels\n`);
      return [];
    }
    return present.flatMap(figures);
  },
};
