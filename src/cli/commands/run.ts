// `faultc run TARGET`: runs a fault handler on scenarios on the machine model and prints results as
// JSON (docs/RUN.md). One scenario from the options, or one per stdin line with --jsonl.
import { HandlerRunError, runResultToJson, type HandlerTarget, type RunOptions } from "../../runtime/run/index.ts";
import {
  AT_OPERATION_NAMES, KNOWN_CAPABILITIES, parseCaps, parseHex64, parseScenario, parseSysregs, scenario, ScenarioError, type Scenario, type ScenarioAt, type TableFaultKind,
} from "../../runtime/scenario/index.ts";
import { bindingsFromFile, KIND_DESCRIPTIONS, openAssemblySource, openSide, parseSideName, SideError } from "../../sides/index.ts";
import { parseArgs, UsageError } from "../args.ts";
import { processInput, STDIN_FILE, type Command, type Output } from "../command.ts";

/** Where --jsonl reads its lines from: standard input (out.stdin) unless a test gives its own. */
export type LineSource = () => AsyncIterable<string>;

const SCENARIO_FLAGS = ["esr", "far", "hpfar", "par", "at", "caps", "midr", "seed", "sysregs"] as const;

const USAGE = `usage: faultc run TARGET --esr HEX [--far HEX] [--hpfar HEX|unknown] [--par HEX]
                  [--at ok:IPA|par:PAR|fault|s2fault:LEVEL[:KIND]] [--caps CAP,...] [--midr HEX]
                  [--seed N] [--sysregs NAME=HEX,...] [--entry LABEL] [--binding FILE.fault]
                  [--trace]
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

  --jsonl          read one scenario per stdin line (JSON, see docs/RUN.md), write one result per
                   line; a bad line gives {"error":"line N: ..."} and the stream goes on
  --trace          include a per-instruction trace (text, location, registers and memory written)
  --binding FILE   an object function's binding from this rule file (repeatable)

Exit status: 0 ok, 1 bad assembly, a failed run, or a bad --jsonl line, 2 usage error,
141 standard output closed before the end (e.g. by '| head -1').`;

function flagHex(value: string, flag: string): bigint {
  return optionValue(() => parseHex64(value, `--${flag}`));
}

/** The value forms of --at (ok:IPA, par:PAR), checked as the JSON's {"ok":...} and {"par":...}; what errors call the value. */
const AT_VALUE_FORMS = { ok: "IPA", par: "PAR_EL1" } as const;

function parseAtFlag(value: string): ScenarioAt {
  if (value === "fault") return "fault";
  const form = /^(ok|par):/.exec(value)?.[1] as keyof typeof AT_VALUE_FORMS | undefined;
  if (form !== undefined) {
    // par:PAR[,OP:PAR...]: the operations AT answers differently ({"par":...,"s1e1a":...}).
    const [first, ...rest] = form === "par" ? value.split(",") : [value];
    const ops: [string, string][] = [];
    for (const r of rest) {
      const m = /^([^:]*):(.*)$/.exec(r);
      if (m === null || !(AT_OPERATION_NAMES as readonly string[]).includes(m[1])) throw new UsageError(`--at ${value}: after par:PAR come OP:PAR for the AT operations answered differently (${AT_OPERATION_NAMES.join(", ")}), got '${r}'`);
      if (ops.some(([op]) => op === m[1])) throw new UsageError(`--at ${value}: ${m[1]} is given twice`);
      ops.push([m[1], m[2]]);
    }
    try {
      const parsed = parseScenario({ esr: "0x0", at: { [form]: first.slice(form.length + 1), ...Object.fromEntries(ops) } }).at;
      if (parsed !== undefined) return parsed;
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(`--at ${value}: ${e.message.replace(new RegExp(`^"at\\.${form}"( IPA)?`), AT_VALUE_FORMS[form]).replace(/^"at\.(s1e\d[rwa])"/, "$1's PAR_EL1")}`);
      throw e;
    }
  }
  const m = /^s2fault:([0-3])(?::(translation|permission|access-flag))?$/.exec(value);
  if (m) return { s2fault: { level: Number(m[1]), fault: (m[2] ?? "translation") as TableFaultKind } };
  throw new UsageError(`--at must be ok:IPA, par:PAR, fault or s2fault:LEVEL[:translation|permission|access-flag], got '${value}'`);
}

/** A ScenarioError in an option's value is a usage error. */
function optionValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

/** --sysregs NAME=HEX,...: the JSON "sysregs" object, checked by the same code. */
function parseSysregsFlag(value: string): Record<string, bigint> {
  const entries: [string, string][] = [];
  for (const item of value.split(",")) {
    const m = /^([^=]*)=(.*)$/.exec(item);
    if (m === null) throw new UsageError(`--sysregs must be NAME=HEX[,NAME=HEX...], got '${item}'`);
    if (entries.some(([name]) => name === m[1])) throw new UsageError(`--sysregs: register '${m[1]}' given twice`);
    entries.push([m[1], m[2]]);
  }
  return optionValue(() => parseSysregs(Object.fromEntries(entries), "options"));
}

function scenarioFromFlags(flags: Map<string, string | true>): Scenario {
  const get = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const esr = get("esr");
  if (esr === undefined) throw new UsageError("missing --esr (or read scenarios with --jsonl)");
  const capsText = get("caps");
  const caps = capsText === undefined ? [] : optionValue(() => parseCaps(capsText.split(","), "options"));
  const sysregsText = get("sysregs");
  const seedText = get("seed");
  if (seedText !== undefined && !/^\d{1,15}$/.test(seedText)) throw new UsageError(`--seed must be a non-negative decimal integer, got '${seedText}'`);
  const hpfar = get("hpfar");
  const far = get("far");
  const par = get("par");
  const midr = get("midr");
  const at = get("at");
  return scenario({
    esr: flagHex(esr, "esr"),
    ...(far !== undefined ? { far: flagHex(far, "far") } : {}),
    ...(hpfar !== undefined ? { hpfar: hpfar === "unknown" ? "unknown" : flagHex(hpfar, "hpfar") } : {}),
    ...(par !== undefined ? { par: flagHex(par, "par") } : {}),
    ...(at !== undefined ? { at: parseAtFlag(at) } : {}),
    caps,
    ...(midr !== undefined ? { midr: flagHex(midr, "midr") } : {}),
    ...(seedText !== undefined ? { seed: Number(seedText) } : {}),
    ...(sysregsText !== undefined ? { sysregs: parseSysregsFlag(sysregsText) } : {}),
  });
}

/**
 * One run's JSON line, or the one-line reason it could not run: a run error is already located
 * (`file:line:col: error: ...`), a scenario the machine cannot be built for is not.
 */
function runOne(target: HandlerTarget, s: Scenario, opts: RunOptions): { line: string } | { error: string; located: boolean } {
  try {
    return { line: JSON.stringify(runResultToJson(target.run(s, opts))) };
  } catch (e) {
    if (e instanceof ScenarioError) return { error: e.message, located: false };
    if (e instanceof HandlerRunError) return { error: e.message, located: true };
    throw e;
  }
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
      const spec = Object.fromEntries([...SCENARIO_FLAGS.map((f) => [f, { value: true }]), ["entry", { value: true }], ["binding", { value: true, repeat: true }], ["jsonl", {}], ["trace", {}], ["help", {}], ["h", {}]]);
      const args = parseArgs(argv, spec);
      if (args.positionals.length === 0) throw new UsageError("no TARGET given");
      if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
      const jsonl = args.flags.has("jsonl");
      if (jsonl && args.positionals[0] === "-") throw new UsageError("TARGET '-' and --jsonl both read standard input; give one of them a file");
      const scenarioFlag = SCENARIO_FLAGS.find((f) => args.flags.has(f));
      if (jsonl && scenarioFlag !== undefined) throw new UsageError(`--${scenarioFlag} cannot be combined with --jsonl (each line is a whole scenario)`);
      const single = jsonl ? undefined : scenarioFromFlags(args.flags);
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

      if (single !== undefined) {
        const r = runOne(target, single, opts);
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
        let s: Scenario;
        try {
          s = parseScenario(text);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          bad++;
          out.stdout(JSON.stringify({ error: `line ${lineNo}: ${e.message}` }) + "\n");
          continue;
        }
        const r = runOne(target, s, opts);
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
