// A HandlerTarget for a handler written as a TypeScript function over HypApi (a generated C-like
// variant, or a hand-written reference): called with MachineHypApi on the scenario's machine, and
// the fault record read back from the vcpu structure with its RecordLayout.
import type { HypApi, Outcome as HypOutcome } from "../hyp/api.ts";
import { MachineHypApi } from "../hyp/machine-api.ts";
import type { Scenario } from "../scenario/index.ts";
import type { Bits } from "../semantics/concrete-domain.ts";
import { readRecord } from "./layout.ts";
import { runMachine } from "./scenario-machine.ts";
import { HandlerRunError, type HandlerTarget, type RecordLayout, type RunOptions, type RunResult, type TraceEntry } from "./types.ts";

export type HandlerFunction = (h: HypApi<Bits, boolean>) => HypOutcome;

/** Where a function's code is written, for traces: its file and the line it starts at. */
export interface FunctionOrigin {
  readonly file: string;
  readonly line: number;
}

/** The line a trace entry of HypApi's enterRule names ("rule NAME (line N)"), if it is one. */
export function ruleLine(traceText: string): number | undefined {
  const m = /^rule .* \(line (\d+)\)$/.exec(traceText);
  return m ? Number(m[1]) : undefined;
}

// The options of every run's api, made once (a run per scenario).
const TRACED = Object.freeze({ trace: true });
const NOT_TRACED = Object.freeze({ trace: false });
const NO_TRACE: readonly TraceEntry[] = Object.freeze([]);

export class FunctionTarget implements HandlerTarget {
  constructor(
    readonly label: string,
    readonly layout: RecordLayout,
    private readonly origin: FunctionOrigin,
    private readonly fn: HandlerFunction,
  ) {}

  run(scenario: Scenario, opts: RunOptions = {}): RunResult {
    const { machine: m, meta } = runMachine(scenario, opts);
    const api = new MachineHypApi(m, opts.trace === true ? TRACED : NOT_TRACED);
    let out: HypOutcome;
    try {
      out = this.fn(api);
    } catch (e) {
      throw new HandlerRunError(`${this.label}: error: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Every field of the record, as it stands in the vcpu after the handler (fields start at zero).
    const fault = readRecord(m.memory, meta.vcpu, this.layout);
    // PAR_EL1 and every register written, by name (writtenSysregs is in name order already).
    const sysregs = m.writtenSysregs("PAR_EL1");
    const entryPar = scenario.par; // what the machine's PAR_EL1 was set to (sysregs may not set it)
    const parPreserved = m.getSysreg("PAR_EL1") === entryPar;
    // Nothing of the machine outlives the run: its pages serve the next scenario's machine.
    m.memory.release();
    let line = this.origin.line;
    const trace: readonly TraceEntry[] = opts.trace
      ? api.trace.map((t, index) => {
          line = ruleLine(t.text) ?? line;
          return { index, loc: `${this.origin.file}:${line}`, text: t.text, writes: new Map(), stores: [] };
        })
      : NO_TRACE;
    const outcome = out.kind === "handoff" ? out.target : out.kind;
    const steps = api.steps;
    // (Two literals, not a spread of the optional exit code: one object per run, keys in one order.)
    return out.kind === "exit"
      ? { outcome, exitCode: out.code, fault, sysregs, parPreserved, steps, meta, trace }
      : { outcome, fault, sysregs, parPreserved, steps, meta, trace };
  }
}
