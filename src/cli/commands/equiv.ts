// `faultc equiv A B`: a verdict on two versions of the fault-decoding logic.
import { equivalence } from "../../equiv/equiv.ts";
import { parseFieldMap } from "../../equiv/fields.ts";
import { renderJson, renderText, verdictWord } from "../../equiv/report.ts";
import { bindingsFromFile, parseSideName, type BindingCandidate } from "../../sides/index.ts";
import { parseArgs, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { proofErrorExit } from "../proof-errors.ts";
import { solverOption } from "../solver-flag.ts";
import { DEFAULT_TIMEOUT_MS } from "../../equiv/smt/backend.ts";

/** Whether `spec` names an object function (a malformed name is not one; opening it says why). */
function isObjectName(spec: string): boolean {
  try {
    return parseSideName(spec)?.kind === "object";
  } catch {
    return false;
  }
}

export const equivCommand: Command = {
  name: "equiv",
  summary: "prove two versions equivalent, or show the smallest input where they differ",
  usage: `usage: faultc equiv [--strict] [--json] [--no-sweep] [--fills N] [--timeout MS]
                    [--solver auto|wasm|z3|cvc5] [--map A_FIELD=B_FIELD]... [--binding FILE.fault]... A B

A and B are each one of:
  FILE.fault#c[:HANDLER]    a rule file's C-like variant (generated TypeScript)
  FILE.fault#asm[:HANDLER]  a rule file's asm-like variant (run by the model's interpreter)
  FILE.S                    an assembly file, entered at el1_sync (e.g. refs/kvm-2016-before.S)
  ref:NAME                  a bundled reference (faultc refs lists them)
  PATH.o:SYMBOL             a function of a compiled object, called as a rule file's binding
                            says (from the other side's rule file, --binding, or dsl/)

Both sides are executed symbolically with z3 for every combination of the capabilities either
side tests (VHE on and off always), and checked in order for: 1. the same outcome; 2. the same
observed fields of the vcpu fault record; 3. the same system registers afterwards; 4. for an
assembly side, x0-x30 and SP restored when it re-enters the guest. A rule file's contract says
which fields are observed for which outcome and what is assumed of the inputs (B's contract if
it has one, else A's); --strict ignores contracts. A difference comes with the smallest input
that shows it (fewest set bits, then smallest values), decoded, with both sides' traces, as a
scenario that replays with 'faultc run'. The sweep then runs every input class the branch
conditions distinguish on both sides concretely, as a cross-check of the proof.

Record fields of the same name are compared. Records that name the same thing differently are
paired with --map A_FIELD=B_FIELD (once per pair; a field of side A's record, then one of side
B's); records that share no field, and are not mapped, are an error.

  --strict         ignore contracts: every outcome observes every field
  --json           the report as JSON (scenario and results in faultc run's forms)
  --no-sweep       skip the concrete cross-check
  --fills N        scenarios per input class in the sweep (default 3)
  --timeout MS     solver time limit per question (default 60000)
  --solver NAME    who answers the solver's questions: z3 or cvc5 (native, on PATH), wasm
                   (z3-solver, built in), or auto (default; FAULTC_SOLVER=NAME sets it too):
                   native z3 if on PATH, else native cvc5, else wasm. Verdicts do not depend on it.
  --map A=B        compare side A's field A with side B's field B (repeatable)
  --binding FILE   take an object function's binding from this rule file (repeatable)

Exit status: 0 equivalent; 1 different, or an error in a side (a rule file with errors, bad
assembly, no entry label, an UNDEFINED system-register access or a path running off the end of
the program, records that share no field), located; 2 usage error; 3 unknown (the solver gave
up or a limit was reached, or the model could not reproduce the proof's counterexample).`,
  async run(argv, out) {
    const args = parseArgs(argv, { strict: {}, json: {}, "no-sweep": {}, fills: { value: true }, timeout: { value: true }, solver: { value: true }, map: { value: true, repeat: true }, binding: { value: true, repeat: true }, help: {}, h: {} });
    if (args.positionals.length !== 2) throw new UsageError(`expected two sides to compare, got ${args.positionals.length}`);
    const bindingFiles = args.lists.get("binding") ?? [];
    if (bindingFiles.length > 0 && !args.positionals.some(isObjectName)) {
      throw new UsageError("--binding is for a side that is an object function (PATH.o:SYMBOL)");
    }
    const int = (name: string, dflt: number, min: number, max: number): number => {
      const v = args.flags.get(name);
      if (v === undefined) return dflt;
      if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}`);
      return Number(v);
    };
    const fills = int("fills", 3, 1, 1000);
    const timeoutMs = int("timeout", DEFAULT_TIMEOUT_MS, 100, 3_600_000);
    const solver = solverOption(args.flags.get("solver"));
    const progress =
      process.stderr.isTTY && !args.flags.has("json")
        ? (done: number, total: number) => {
            const width = 30;
            const filled = total === 0 ? width : Math.round((done / total) * width);
            process.stderr.write(`\rsweep [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
          }
        : undefined;
    let report;
    try {
      const map = parseFieldMap(args.lists.get("map") ?? []);
      const bindings: BindingCandidate[] | undefined = bindingFiles.length > 0 ? bindingFiles.flatMap((f) => bindingsFromFile(f)) : undefined;
      report = await equivalence(args.positionals[0], args.positionals[1], {
        ...(bindings ? { bindings } : {}),
        strict: args.flags.has("strict"),
        sweep: !args.flags.has("no-sweep"),
        fills,
        timeoutMs,
        solver,
        ...(map.length ? { map } : {}),
        ...(progress ? { progress } : {}),
      });
    } catch (e) {
      return proofErrorExit(e, "equiv", out.stderr);
    }
    if (args.flags.has("json")) out.stdout(JSON.stringify(renderJson(report), null, 2) + "\n");
    else out.stdout(renderText(report));
    const word = verdictWord(report);
    if (report.sweep && report.sweep.disagreements.length > 0) {
      out.stderr(`faultc equiv: the sweep disagrees with the proof (${report.sweep.disagreements.length}); this is a bug in faultc\n`);
      return 3;
    }
    return word === "equivalent" ? 0 : word === "different" ? 1 : 3;
  },
};
