// The machine model's speed on the seed's before code (refs/kvm-2016-before.S):
//  - interpreter: instructions per second of runProgram looping over the handler on one machine
//    (registers reset between runs), on the HPFAR path (no AT) and on the AT path (one stage-1
//    walk through stage 2 per run);
//  - scenarios: scenarios per second through the HandlerTarget (AssemblyTarget.run), which builds
//    the scenario's machine (guest tables, seeded state) for every run, over a fixed mix.
// Walk throughput is the mmu-walks benchmark (benchWalks). Medians over timed repetitions.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runProgram } from "../src/runtime/machine/interpreter.ts";
import { Machine } from "../src/runtime/machine/machine.ts";
import { AssemblyTarget } from "../src/runtime/run/index.ts";
import { parseScenario, scenarioMachineSetup, type Scenario } from "../src/runtime/scenario/index.ts";
import { median, round, timeSideBySide, type Benchmark, type Figure } from "./types.ts";

const REF = fileURLToPath(new URL("../refs/kvm-2016-before.S", import.meta.url));
const HANDLER_RUNS_PER_SAMPLE = 500;
const SCENARIOS_PER_SAMPLE = 100;
const RUNS = 9;

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
    ];
    const times = timeSideBySide(subjects, { warmup: 2, runs: RUNS });
    const perSecond = (name: string, count: number): number => round(count / (median(times.get(name) ?? []) / 1000));
    const figures: Figure[] = [
      { bench: "runtime", subject: `interpreter, seed handler HPFAR path (${hpfarPath.steps} insns/run)`, metric: "insns_per_s", value: perSecond("interpreter-hpfar", hpfarPath.steps * HANDLER_RUNS_PER_SAMPLE), runs: RUNS },
      { bench: "runtime", subject: `interpreter, seed handler AT path (${atPath.steps} insns/run, one two-stage AT walk)`, metric: "insns_per_s", value: perSecond("interpreter-at", atPath.steps * HANDLER_RUNS_PER_SAMPLE), runs: RUNS },
      { bench: "runtime", subject: `seed handler through HandlerTarget (${mix.length}-scenario mix, machine built per run)`, metric: "scenarios_per_s", value: perSecond("scenarios", SCENARIOS_PER_SAMPLE), runs: RUNS },
    ];
    return figures;
  },
};
