// The machine model's speed on the seed's before code (refs/kvm-2016-before.S):
//  - interpreter: instructions per second of runProgram looping over the handler on one machine
//    (registers reset between runs), on the HPFAR path (no AT) and on the AT path (one stage-1
//    walk through stage 2 per run);
//  - scenarios: scenarios per second through the HandlerTarget (AssemblyTarget.run), which builds
//    the scenario's machine (guest tables, seeded state) for every run, over a fixed mix;
// and the C-like variant of dsl/kvm-2016.fault (HypApi on the model, a scenario machine built per
// run) over bench/codegen's mix (every tenth agreement scenario), beside its yardstick measured in
// the same run: the same handler's emitted .c compiled with `cc -O2` and run natively over the
// same scenarios' inputs (bench/native-c.ts).
// Walk throughput is the mmu-walks benchmark (benchWalks). Medians over timed repetitions.
//
// JSON lines (bench "runtime"; subjects fixed, N the mix's size):
//   "interpreter, seed handler HPFAR path (K insns/run)"                       insns_per_s
//   "interpreter, seed handler AT path (K insns/run, one two-stage AT walk)"    insns_per_s
//   "seed handler through HandlerTarget (5-scenario mix, machine built per run)" scenarios_per_s
//   "dsl/kvm-2016.fault#c:el1_sync, C-like variant on the model (N-scenario mix, machine built per run)" scenarios_per_s
//   "dsl/kvm-2016.fault#c:el1_sync, emitted .c, cc -O2, native (yardstick, same N scenarios)"           scenarios_per_s
//   "dsl/kvm-2016.fault#c:el1_sync, C-like variant on the model vs native .c"    native_to_model_ratio (native/model)
// Without a host C compiler the last two are left out, with a note on stderr.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runProgram } from "../src/runtime/machine/interpreter.ts";
import { Machine } from "../src/runtime/machine/machine.ts";
import { AssemblyTarget } from "../src/runtime/run/index.ts";
import { parseScenario, scenarioMachineSetup, type Scenario } from "../src/runtime/scenario/index.ts";
import "../src/codegen/backends.ts";
import { compileRuleFile } from "../src/codegen/compile.ts";
import { cVariantTarget } from "../src/sides/rule-file.ts";
import { agreementScenarios } from "../test/codegen/scenarios.ts";
import { nativeYardstick } from "./native-c.ts";
import { median, round, timeSideBySide, type Benchmark, type Figure } from "./types.ts";

const REF = fileURLToPath(new URL("../refs/kvm-2016-before.S", import.meta.url));
const HANDLER_RUNS_PER_SAMPLE = 500;
const SCENARIOS_PER_SAMPLE = 100;
const RUNS = 9;
/**
 * Untimed passes of every subject first: V8 optimises the interpreter, the scenario machine and a
 * C-like run after some thousands of calls, and a process that runs the model (a sweep, an oracle
 * batch, `faultc run` over a directory) runs it that often; after two passes, as before, the
 * C-like row's median still ran partly unoptimised code (on a shared 2-core machine 58-101k
 * scenarios/s, against 130-147k after ten).
 */
const WARM_UP = 10;
const C_RULE_FILE = "dsl/kvm-2016.fault";
/** Passes over the mix per native run (each pass a few microseconds natively). */
const NATIVE_REPS = 2000;

/** bench/codegen's mix: every tenth agreement scenario, without S1POE (not modelled). */
function cLikeMix(): Scenario[] {
  return agreementScenarios(["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220"], 1).filter((_, i) => i % 10 === 0);
}

/** A loop of `runs` handler runs on one machine; returns the instructions executed. */
function handlerLoop(target: AssemblyTarget, s: Scenario): { name: string; steps: number; run: () => number } {
  const { config } = scenarioMachineSetup(s);
  const machine = new Machine(config);
  const program = target.load(machine.capabilities);
  const x = [0, 1, 2, 3].map((i) => machine.getX(i));
  const sp = machine.getSP();
  const once = (): number => {
    x.forEach((v, i) => machine.setX(i, v));
    machine.setSP(sp);
    return runProgram(program, machine, { entry: target.entry }).steps;
  };
  const steps = once();
  return {
    name: "",
    steps,
    run: () => {
      let total = 0;
      for (let i = 0; i < HANDLER_RUNS_PER_SAMPLE; i++) total += once();
      return total;
    },
  };
}

export const runtimeBenchmark: Benchmark = {
  name: "runtime",
  description: "machine model: interpreter instructions/s and scenarios/s of the seed's before code through the HandlerTarget",
  run: async () => {
    const target = AssemblyTarget.fromSource(readFileSync(REF, "utf8"), "refs/kvm-2016-before.S");
    const hpfarPath = handlerLoop(target, parseScenario({ esr: "0x92000007", far: "0x1234", hpfar: "0x10" }));
    const atPath = handlerLoop(target, parseScenario({ esr: "0x9200004f", far: "0x1234", at: { ok: "0x80001000" } }));
    const mix = [
      { esr: "0x92000007", far: "0x1234", hpfar: "0x10" },
      { esr: "0x9200004f", far: "0x1234", at: { ok: "0x80001000" } },
      { esr: "0x9200004f", far: "0xffff000012345678", at: "fault" },
      { esr: "0x92000007", far: "0x4000", midr: "0x411fd072", caps: ["ARM64_HAS_VIRT_HOST_EXTN"] },
      { esr: "0x1e000000" },
    ].map((j, i) => parseScenario({ ...j, seed: i }));
    const compiled = compileRuleFile(fileURLToPath(new URL(`../${C_RULE_FILE}`, import.meta.url)));
    const handler = compiled.module.handlers[0];
    const cLike = await cVariantTarget(compiled, handler.name);
    const cMix = cLikeMix();
    const cName = `${C_RULE_FILE}#c:${handler.name}`;
    const subjects = [
      { name: "interpreter-hpfar", run: hpfarPath.run },
      { name: "interpreter-at", run: atPath.run },
      {
        name: "scenarios",
        run: () => {
          let steps = 0;
          for (let i = 0; i < SCENARIOS_PER_SAMPLE; i++) steps += target.run(mix[i % mix.length]).steps;
          return steps;
        },
      },
      {
        name: "c-like",
        run: () => {
          let steps = 0;
          for (const s of cMix) steps += cLike.run(s).steps;
          return steps;
        },
      },
    ];
    const times = timeSideBySide(subjects, { warmup: WARM_UP, runs: RUNS });
    const perSecond = (name: string, count: number): number => round(count / (median(times.get(name) ?? []) / 1000));
    const figures: Figure[] = [
      { bench: "runtime", subject: `interpreter, seed handler HPFAR path (${hpfarPath.steps} insns/run)`, metric: "insns_per_s", value: perSecond("interpreter-hpfar", hpfarPath.steps * HANDLER_RUNS_PER_SAMPLE), runs: RUNS },
      { bench: "runtime", subject: `interpreter, seed handler AT path (${atPath.steps} insns/run, one two-stage AT walk)`, metric: "insns_per_s", value: perSecond("interpreter-at", atPath.steps * HANDLER_RUNS_PER_SAMPLE), runs: RUNS },
      { bench: "runtime", subject: `seed handler through HandlerTarget (${mix.length}-scenario mix, machine built per run)`, metric: "scenarios_per_s", value: perSecond("scenarios", SCENARIOS_PER_SAMPLE), runs: RUNS },
    ];
    const model = perSecond("c-like", cMix.length);
    figures.push({ bench: "runtime", subject: `${cName}, C-like variant on the model (${cMix.length}-scenario mix, machine built per run)`, metric: "scenarios_per_s", value: model, runs: RUNS });
    const native = nativeYardstick(compiled.module, handler, cMix, RUNS, NATIVE_REPS);
    if (native === undefined) {
      process.stderr.write("faultc-bench: runtime: the native yardstick of the C-like variant skipped: no host C compiler (cc or gcc)\n");
      return figures;
    }
    const nativeRate = median(native.rates);
    figures.push(
      { bench: "runtime", subject: `${cName}, emitted .c, cc -O2, native (yardstick, same ${cMix.length} scenarios)`, metric: "scenarios_per_s", value: round(nativeRate), runs: RUNS },
      { bench: "runtime", subject: `${cName}, C-like variant on the model vs native .c`, metric: "native_to_model_ratio", value: round(nativeRate / model), runs: RUNS },
    );
    return figures;
  },
};
