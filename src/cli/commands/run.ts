// `faultc run TARGET`: runs a fault handler on scenarios on the machine model and prints results as
// JSON (docs/RUN.md). One scenario from the options, or one per stdin line with --jsonl.
import { HandlerRunError, runResultToJson, type HandlerTarget, type RunOptions } from "../../runtime/run/index.ts";
import { KNOWN_CAPABILITIES, ScenarioError, type Scenario } from "../../runtime/scenario/index.ts";
import { readScenario, trapToJson, type ScenarioInput } from "../../runtime/scenario/guest-setup.ts";
import { bindingsFromFile, KIND_DESCRIPTIONS, openAssemblySource, openSide, parseSideName, SideError } from "../../sides/index.ts";
import { parseArgs, UsageError } from "../args.ts";
import { processInput, STDIN_FILE, type Command, type Output } from "../command.ts";
import { readScenarioFile, ScenarioFileError } from "../scenario-file.ts";
import { SCENARIO_FLAGS, scenarioFromFlags } from "../scenario-flags.ts";

/** Where --jsonl reads its lines from: standard input (out.stdin) unless a test gives its own. */
export type LineSource = () => AsyncIterable<string>;

const USAGE = `usage: faultc run TARGET --esr HEX [--far HEX] [--hpfar HEX|unknown] [--par HEX]
                  [--at ok:IPA|par:PAR|fault|s2fault:LEVEL[:KIND]] [--caps CAP,...] [--midr HEX]
                  [--seed N] [--sysregs NAME=HEX,...] [--entry LABEL] [--binding FILE.fault]
                  [--trace]
       faultc run TARGET --scenario FILE [--entry LABEL] [--binding FILE.fault] [--trace]
       faultc run TARGET --jsonl [--entry LABEL] [--binding FILE.fault] [--trace]

Runs the fault handler TARGET on the AArch64 EL2 machine model, as after a guest trap, and prints
the result as one line of JSON: outcome (exit, retry, or the handler it hands over to), exit code,
the fault record fields it wrote, system registers (PAR_EL1 and every one written), and checks.

TARGET is one of:
${Object.values(KIND_DESCRIPTIONS).map((d) => `  ${d}`).join("\n")}
  - (standard input): an assembly file; not with --jsonl
An assembly file runs from the label el1_sync (--entry to change it); 'faultc refs' lists the
references. An object function is called as a rule file's binding of it says (the bundled rule
files', or --binding FILE.fault's), once the scenario's trap has reached its caller.

Scenario (hex values are 0x...; all but --esr optional):
  --esr HEX        ESR_EL2
  --far HEX        FAR_EL2 (default 0)
  --hpfar HEX      HPFAR_EL2 (default 0); 'unknown' draws it from the seed
  --par HEX        the guest's PAR_EL1 (default 0)
  --at SPEC        what AT S1E1R on FAR finds in the guest's stage-1 tables:
                     ok:IPA     FAR's page maps to IPA's page (default: ok:FAR, identity)
                     par:PAR[,OP:PAR...]  AT on FAR gives exactly this PAR_EL1 (what
                                'faultc equiv' counterexamples give as {"at":{"par":...}}),
                                or for AT OP (s1e1a, ...) the PAR after it
                     fault      FAR's page is not mapped
                     s2fault:LEVEL[:KIND]  the stage-1 table read at LEVEL (0-3) meets a stage-2
                                fault, KIND translation (default), permission or access-flag
  --caps A,B       capabilities, each once: ${KNOWN_CAPABILITIES.join(", ")}
  --midr HEX       MIDR_EL1 (Cortex-A57 r0p0-r1p2 adds ARM64_WORKAROUND_834220)
  --seed N         seed of the arbitrary values (guest registers, UNKNOWN registers; default 0)
  --sysregs NAME=HEX,...  system registers set instead of seeded ones (e.g. VTTBR_EL2=0x0), as the
                   JSON "sysregs" key; not those the options above set (ESR_EL2: --esr, ...)

  --scenario FILE  the scenario as JSON in FILE ('-': standard input), either form of
                   docs/RUN.md: the registers above, or {"guest":{...}}, a guest access and its
                   tables, from which the trap builder computes them; not with the options above
  --jsonl          read one scenario per stdin line (JSON, see docs/RUN.md), write one result per
                   line; a bad line gives {"error":"line N: ..."} and the stream goes on
  --trace          include a per-instruction trace (text, location, registers and memory written)
  --binding FILE   an object function's binding from this rule file (repeatable)

A guest access that does not trap to EL2 runs no handler: its result is {"trap":{...}} alone.

Exit status: 0 ok, 1 bad assembly, a failed run, a bad scenario file or --jsonl line, 2 usage error,
141 standard output closed before the end (e.g. by '| head -1').`;

/**
 * One run's JSON line, or the one-line reason it could not run: a run error is already located
 * (`file:line:col: error: ...`), a scenario the machine cannot be built for is not.
 */
function runOne(target: HandlerTarget, s: Scenario, opts: RunOptions): { json: Record<string, unknown> } | { error: string; located: boolean } {
  try {
    return { json: runResultToJson(target.run(s, opts)) as Record<string, unknown> };
  } catch (e) {
    if (e instanceof ScenarioError) return { error: e.message, located: false };
    if (e instanceof HandlerRunError) return { error: e.message, located: true };
    throw e;
  }
}

/**
 * The result line of a scenario in either form. A guest access's line starts with what the trap
 * builder computed ("trap"); when the access is not taken to EL2 no handler runs and that is all.
 */
function runInput(target: HandlerTarget, input: ScenarioInput, opts: RunOptions): { line: string } | { error: string; located: boolean } {
  if (input.form === "registers") {
    const r = runOne(target, input.scenario, opts);
    return "error" in r ? r : { line: JSON.stringify(r.json) };
  }
  const trap = trapToJson(input.trap, input.scenario);
  if (input.scenario === undefined) return { line: JSON.stringify({ trap }) };
  const r = runOne(target, input.scenario, opts);
  return "error" in r ? r : { line: JSON.stringify({ trap, ...r.json }) };
}

/** TARGET '-': an assembly program read from standard input, named <stdin> in errors and traces. */
async function stdinAssembly(out: Output, options: { entry?: string }): Promise<HandlerTarget> {
  const text = new TextDecoder().decode(await (out.stdin ?? processInput).bytes());
  return openAssemblySource(text, STDIN_FILE, options).concrete();
}

export function createRunCommand(lines?: LineSource): Command {
  return {
    name: "run",
    summary: "run a fault handler on the machine model for a scenario; print the result as JSON",
    usage: USAGE,
    async run(argv: string[], out: Output): Promise<number> {
      const spec = Object.fromEntries([...SCENARIO_FLAGS.map((f) => [f, { value: true }]), ["scenario", { value: true }], ["entry", { value: true }], ["binding", { value: true, repeat: true }], ["jsonl", {}], ["trace", {}], ["help", {}], ["h", {}]]);
      const args = parseArgs(argv, spec);
      if (args.positionals.length === 0) throw new UsageError("no TARGET given");
      if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
      const jsonl = args.flags.has("jsonl");
      if (jsonl && args.positionals[0] === "-") throw new UsageError("TARGET '-' and --jsonl both read standard input; give one of them a file");
      const scenarioFlag = SCENARIO_FLAGS.find((f) => args.flags.has(f));
      if (jsonl && scenarioFlag !== undefined) throw new UsageError(`--${scenarioFlag} cannot be combined with --jsonl (each line is a whole scenario)`);
      const scenarioFile = args.flags.get("scenario");
      if (typeof scenarioFile === "string") {
        if (jsonl) throw new UsageError("--scenario cannot be combined with --jsonl (each line is a whole scenario)");
        if (scenarioFlag !== undefined) throw new UsageError(`--${scenarioFlag} cannot be combined with --scenario (the file is a whole scenario)`);
        if (scenarioFile === "-" && args.positionals[0] === "-") throw new UsageError("TARGET '-' and --scenario - both read standard input; give one of them a file");
      }
      const single = jsonl || typeof scenarioFile === "string" ? undefined : scenarioFromFlags(args.flags);
      const opts: RunOptions = { trace: args.flags.has("trace") };

      let target: HandlerTarget;
      try {
        const entry = args.flags.get("entry");
        const bindingFiles = args.lists.get("binding") ?? [];
        if (bindingFiles.length > 0 && (args.positionals[0] === "-" || parseSideName(args.positionals[0])?.kind !== "object")) {
          throw new UsageError("--binding is for a TARGET that is an object function (PATH.o:SYMBOL)");
        }
        const bindings = bindingFiles.length > 0 ? { bindings: bindingFiles.flatMap((f) => bindingsFromFile(f)) } : {};
        const options = { ...(typeof entry === "string" ? { entry } : {}), ...bindings };
        target = args.positionals[0] === "-" ? await stdinAssembly(out, options) : (await openSide(args.positionals[0], options)).concrete();
      } catch (e) {
        if (!(e instanceof SideError)) throw e;
        if (e.usage) throw new UsageError(e.message);
        out.stderr(`${e.message}\n`);
        return 1;
      }

      if (!jsonl) {
        let input: ScenarioInput;
        if (single !== undefined) {
          input = { form: "registers", scenario: single };
        } else {
          try {
            input = await readScenarioFile(scenarioFile as string, out);
          } catch (e) {
            if (!(e instanceof ScenarioFileError)) throw e;
            out.stderr(`${e.message}\n`);
            return 1;
          }
        }
        const r = runInput(target, input, opts);
        if ("error" in r) {
          out.stderr(r.located ? `${r.error}\n` : `faultc run: ${r.error}\n`);
          return 1;
        }
        out.stdout(r.line + "\n");
        return 0;
      }

      let bad = 0;
      let lineNo = 0;
      for await (const text of lines ? lines() : (out.stdin ?? processInput).lines()) {
        lineNo++;
        if (text.trim() === "") continue;
        let s: ScenarioInput;
        try {
          s = readScenario(text);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          bad++;
          out.stdout(JSON.stringify({ error: `line ${lineNo}: ${e.message}` }) + "\n");
          continue;
        }
        const r = runInput(target, s, opts);
        if ("error" in r) {
          bad++;
          out.stdout(JSON.stringify({ error: `line ${lineNo}: ${r.error}` }) + "\n");
        } else {
          out.stdout(r.line + "\n");
        }
      }
      return bad > 0 ? 1 : 0;
    },
  };
}

export const runCommand: Command = createRunCommand();
