// `faultc explain`: one fault, from its values or a kernel log, decoded field by field and run
// through a side (a bundled rule file by default), with the path it took (docs/RUN.md). `--html`
// writes the same as a page that runs in the browser.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { explain } from "../../explain/explain.ts";
import type { ValueSource } from "../../explain/explanation.ts";
import { inputFromText } from "../../explain/input.ts";
import { explanationToJson } from "../../explain/json.ts";
import { LogError, type LogRegister } from "../../explain/kernel-log.ts";
import { explanationText } from "../../explain/report.ts";
import { runSide } from "../../explain/side-run.ts";
import { writeExplainPage } from "../../explain/page/write.ts";
import { HandlerRunError } from "../../runtime/run/types.ts";
import { hex, ScenarioError } from "../../runtime/scenario/scenario.ts";
import type { TrapOutcome } from "../../runtime/scenario/trap.ts";
import { bindingsFromFile, openSide, parseSideName, SideError } from "../../sides/index.ts";
import { parseArgs, UsageError } from "../args.ts";
import { processInput, STDIN_FILE, type Command, type Output } from "../command.ts";
import { trapToJson, type ScenarioInput } from "../../runtime/scenario/guest-setup.ts";
import { readScenarioFile, ScenarioFileError } from "../scenario-file.ts";
import { SCENARIO_FLAGS, scenarioFromFlags } from "../scenario-flags.ts";

/** The rule file a fault goes through when no --rules is given: the newest Linux the trees cite. */
export const DEFAULT_RULES = path.relative(process.cwd(), path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../dsl/linux-6.12.fault"));

const USAGE = `usage: faultc explain --esr HEX [--far HEX] [--hpfar HEX|unknown] [--par HEX]
                      [--at ok:IPA|par:PAR|fault|s2fault:LEVEL[:KIND]] [--caps CAP,...]
                      [--midr HEX] [--seed N] [--rules SIDE] [--binding FILE.fault] [--json]
       faultc explain --scenario FILE [--rules SIDE] [--binding FILE.fault] [--json]
       faultc explain [-] [OPTIONS] < KERNEL-LOG
       faultc explain --html [--out FILE]

Explains one fault: ESR_EL2 decoded field by field (Arm ARM names, values, meanings), FAR, HPFAR,
PAR and MIDR (its part and the errata the bundled rule files gate on), then the path SIDE takes
on it on the machine model: each rule tried, its guard's value and the fields that decided it,
the statements and their values, and the outcome.

Values come from the options (as 'faultc run' takes them) or from a kernel log on standard
input ('-', or standard input when it is not a terminal and --esr is not given): "Mem abort
info:" and "Data abort info:" blocks, KVM's messages, HYP panics, NAME=VALUE lines. The report
says which line each value came from; the kernel's own decoding of the ESR is checked against it.
An option overrides the log's value. --scenario FILE reads them from a scenario file as 'faultc
run --scenario' does (either form of docs/RUN.md): for a guest access, what the trap builder
computed comes first; an access not taken to EL2 is said so, and no handler runs.

  --rules SIDE     a rule file (FILE.fault, its C-like variant; default ${DEFAULT_RULES}) or any
                   side 'faultc equiv' takes (FILE.fault#asm, FILE.S, ref:NAME, PATH.o:SYMBOL)
  --binding FILE   an object function's binding from this rule file (repeatable)
  --json           the explanation as JSON (docs/RUN.md)
  --html           write the page that explains faults in the browser, offline
  --out FILE       where --html writes (default: standard output)

Exit status: 0 ok, 1 bad input (a log's conflicting values, a rule file's errors), 2 usage error.`;

const FLAG_NAMES: Record<LogRegister, string> = { esr: "--esr", far: "--far", hpfar: "--hpfar", par: "--par", midr: "--midr" };

async function readStdin(out: Output): Promise<string> {
  return new TextDecoder().decode(await (out.stdin ?? processInput).bytes());
}

export const explainCommand: Command = {
  name: "explain",
  summary: "explain one fault: its registers field by field and the path a handler takes on it",
  usage: USAGE,
  async run(argv: string[], out: Output): Promise<number> {
    const spec = Object.fromEntries([...SCENARIO_FLAGS.map((f) => [f, { value: true }]), ["scenario", { value: true }], ["rules", { value: true }], ["binding", { value: true, repeat: true }], ["json", {}], ["html", {}], ["out", { value: true }], ["help", {}], ["h", {}]]);
    const args = parseArgs(argv, spec);
    if (args.positionals.length > 1 || (args.positionals.length === 1 && args.positionals[0] !== "-")) throw new UsageError(`unexpected argument '${args.positionals[args.positionals[0] === "-" ? 1 : 0]}' (values are options; '-' reads a kernel log)`);
    if (args.flags.has("html")) {
      const other = [...args.flags.keys()].find((k) => k !== "html" && k !== "out");
      if (other !== undefined || args.positionals.length > 0) throw new UsageError(`--html takes only --out (the page explains what is pasted into it), not ${other !== undefined ? `--${other}` : "'-'"}`);
      const file = args.flags.get("out");
      await writeExplainPage(typeof file === "string" ? file : undefined, out);
      return 0;
    }
    if (args.flags.has("out")) throw new UsageError("--out is for --html");
    const scenarioFile = args.flags.get("scenario");
    if (typeof scenarioFile === "string") {
      const other = SCENARIO_FLAGS.find((f) => args.flags.has(f));
      if (other !== undefined) throw new UsageError(`--${other} cannot be combined with --scenario (the file is a whole scenario)`);
      if (args.positionals.length > 0) throw new UsageError("'-' (a kernel log) cannot be combined with --scenario (the file is a whole scenario)");
    }
    const fromStdin = args.positionals[0] === "-" || (!args.flags.has("esr") && typeof scenarioFile !== "string" && (out.stdin !== undefined && out.stdin !== processInput ? true : !process.stdin.isTTY));
    if (!fromStdin && !args.flags.has("esr") && typeof scenarioFile !== "string") throw new UsageError("missing --esr VALUE (or a kernel log on standard input)");

    try {
      const text = fromStdin ? inputFromText(await readStdin(out), STDIN_FILE) : { base: {}, sources: new Map<LogRegister, ValueSource>(), claims: [] };
      if (fromStdin && text.base.esr === undefined && !args.flags.has("esr")) {
        out.stderr(`${STDIN_FILE}: error: no ESR value in the input (expected a line such as "ESR = 0x...", "ESR_EL2=0x..." or "esr: 0x...")\n`);
        return 1;
      }
      const input: ScenarioInput | undefined = typeof scenarioFile === "string" ? await readScenarioFile(scenarioFile, out) : undefined;
      const trap = input?.form === "guest" ? trapToJson(input.trap, input.scenario) : undefined;
      if (input?.form === "guest" && input.scenario === undefined) {
        out.stdout(args.flags.has("json") ? JSON.stringify({ trap }) + "\n" : notTakenToEl2(input.trap));
        return 0;
      }
      const scenario = input !== undefined ? input.scenario! : scenarioFromFlags(args.flags, text.base);
      const sources = new Map(text.sources);
      for (const [r, flag] of Object.entries(FLAG_NAMES) as [LogRegister, string][]) if (args.flags.has(r)) sources.set(r, { kind: "option", option: flag });
      if (input !== undefined) {
        const from = input.form === "guest" ? `the trap builder, from ${scenarioFile}` : `--scenario ${scenarioFile}`;
        for (const r of Object.keys(FLAG_NAMES) as LogRegister[]) sources.set(r, { kind: "option", option: from });
      }

      const rules = args.flags.get("rules");
      const sideName = typeof rules === "string" ? (rules.endsWith(".fault") ? `${rules}#c` : rules) : `${DEFAULT_RULES}#c`;
      const bindingFiles = args.lists.get("binding") ?? [];
      if (bindingFiles.length > 0 && parseSideName(sideName)?.kind !== "object") throw new UsageError("--binding is for a side that is an object function (--rules PATH.o:SYMBOL)");
      const side = await openSide(sideName, bindingFiles.length > 0 ? { bindings: bindingFiles.flatMap((f) => bindingsFromFile(f)) } : {});
      const explanation = explain(scenario, { file: STDIN_FILE, sources, claims: text.claims }, runSide(side, scenario));
      if (args.flags.has("json")) out.stdout(JSON.stringify({ ...(trap !== undefined ? { trap } : {}), ...explanationToJson(explanation) }) + "\n");
      else out.stdout((trap !== undefined ? builtText(trap) : "") + explanationText(explanation));
      return 0;
    } catch (e) {
      if (e instanceof ScenarioFileError) {
        out.stderr(`${e.message}\n`);
        return 1;
      }
      if (e instanceof SideError) {
        if (e.usage) throw new UsageError(e.message);
        out.stderr(`${e.message}\n`);
        return 1;
      }
      if (e instanceof LogError || e instanceof HandlerRunError) {
        out.stderr(`${e.message}\n`);
        return 1;
      }
      if (e instanceof ScenarioError) {
        out.stderr(`faultc explain: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

/** What the trap builder found, for a guest access not taken to EL2: the report says so and stops. */
function notTakenToEl2(trap: TrapOutcome): string {
  if (trap.taken === "el1") {
    return `The guest access is not taken to EL2: a stage-1 ${trap.faultType} fault at level ${trap.level}, taken to EL1 with ESR_EL1 = ${hex(trap.esr)}, FAR_EL1 = ${hex(trap.far)}. No EL2 handler runs.\n`;
  }
  // Any other answer (the access completes, a prefetch is dropped, ...) in the builder's own words.
  return `The guest access is not taken to EL2 (the trap builder's answer: ${JSON.stringify(trapToJson(trap))}). No EL2 handler runs.\n`;
}

/** The first lines of the report on a guest access: what the trap builder computed, then the registers' report. */
function builtText(trap: Record<string, unknown>): string {
  const meta = trap.meta as Record<string, unknown>;
  const facts = [`${String(meta.faultType)} fault at stage-2 level ${String(meta.level)}`, meta.s1ptw === true ? "on a stage-1 table walk (S1PTW)" : undefined, `IPA ${String(meta.ipa)}`, meta.hpfarValid === true ? undefined : "HPFAR_EL2 UNKNOWN (drawn from the seed)", meta.erratum834220 === true ? "erratum 834220's misreport" : undefined];
  return `The guest access traps to EL2: ${facts.filter((f) => f !== undefined).join(", ")}. The trap builder computed the registers below.\n\n`;
}
