// DiffReports for the tests of the diff page, built from the real types without the prover: each
// row's witness is run on both sides (the sides layer, with traces, as `faultc diff` replays it)
// and each rule-file side's path is read from its trace ("rule NAME (line N)" entries). The rows'
// classes are written here and are what the two small rule files really do on them (the tests
// check that each witness's two runs differ as the row says). Not a test file.
import { runResultToJson } from "../../src/runtime/run/index.ts";
import { parseScenario } from "../../src/runtime/scenario/index.ts";
import { openSide } from "../../src/sides/index.ts";
import type { DiffReport, DiffRow } from "../../src/diff/types.ts";
import { SMALL, smallRuleFile } from "./small-rules.ts";

/**
 * B of the small pair: HVC64 exits instead of handing over, and every other trap re-enters the
 * guest (`abort` without its inner rules, `other` retrying), so that A's two exits (abort >
 * recorded, other) are one row with two paths on each side.
 */
export const SMALL_B = SMALL.replace("handoff small_elsewhere;", "exit SMALL_TRAP;")
  .replace(/rule abort when (.*) \{\n[^]*?\n {4}\}\n {4}rule other/, "rule abort when $1 {\n      retry;\n    }\n    rule other")
  .replace("rule other otherwise {\n      exit SMALL_TRAP;", "rule other otherwise {\n      retry;");

export interface RowSpec {
  class: string;
  differs: string[];
  scenario: Record<string, unknown>;
  /** Other paths of the class on each side (the witness's own is read from its trace). */
  otherPaths?: { a?: string[][]; b?: string[][] };
}

/** The rules a run entered, outermost first, from its trace. */
function rulesEntered(run: Record<string, unknown>): string[] {
  const trace = (run.trace ?? []) as { insn: string }[];
  return trace.map((t) => /^rule (\S+) \(line \d+\)$/.exec(t.insn)?.[1]).filter((r): r is string => r !== undefined);
}

function outcomeOf(run: Record<string, unknown>): string {
  return run.outcome === "exit" ? `exit ${String(run.exit_code)}` : run.outcome === "retry" ? "retry" : `handoff ${String(run.outcome)}`;
}

export async function buildReport(a: string, b: string, rows: RowSpec[]): Promise<DiffReport> {
  const [sa, sb] = [await openSide(a), await openSide(b)];
  const built: DiffRow[] = [];
  for (const [i, r] of rows.entries()) {
    const s = parseScenario(r.scenario);
    const ra = runResultToJson(sa.concrete().run(s, { trace: true, deriveCapabilitiesFromMidr: false }));
    const rb = runResultToJson(sb.concrete().run(s, { trace: true, deriveCapabilitiesFromMidr: false }));
    const side = (run: Record<string, unknown>, isRuleFile: boolean, others: string[][] = []) => {
      const rules = isRuleFile ? rulesEntered(run) : [];
      return { outcome: outcomeOf(run), values: {}, rules, paths: isRuleFile ? [rules, ...others] : [] };
    };
    built.push({
      id: i + 1,
      class: { conditions: [], text: r.class },
      differs: r.differs,
      a: side(ra, sa.kind === "rule-file", r.otherPaths?.a),
      b: side(rb, sb.kind === "rule-file", r.otherPaths?.b),
      witness: { scenario: r.scenario, a: ra, b: rb, replayed: true },
      exact: true,
    });
  }
  return {
    sides: { a, b },
    replay: { a, b },
    strict: true,
    contract: null,
    mapping: [],
    fieldMap: [],
    notCompared: [],
    capabilities: { enumerated: ["ARM64_WORKAROUND_834220"], fixed: [] },
    verdict: built.length === 0 ? "same" : "different",
    rows: built,
    complete: true,
    solverCalls: 0,
  };
}

/** The two small rule files written to a temporary folder, and the report of their differences. */
export async function smallPair(): Promise<{ dir: string[]; report: DiffReport }> {
  const a = smallRuleFile();
  const b = smallRuleFile(SMALL_B);
  const report = await buildReport(`${a.file}#c:small`, `${b.file}#c:small`, [
    { class: "EC=HVC64", differs: ["outcome"], scenario: { esr: "0x58000000" } },
    {
      class: "EC!=HVC64 but for EC in {DABT_LOW, IABT_LOW}, S1PTW=0, ARM64_WORKAROUND_834220",
      differs: ["outcome"],
      scenario: { esr: "0x92000000" },
      otherPaths: { a: [["other"]], b: [["other"]] },
    },
  ]);
  return { dir: [a.dir, b.dir], report };
}

/** Machine code against a rule file: the seed's assembly before the 2016 patch against its C after it (README's example). */
export async function assemblyPair(): Promise<DiffReport> {
  return buildReport("refs/kvm-2016-before.S", "dsl/kvm-2016.fault#c", [
    {
      class: "EC=IABT_LOW, FSC PERM L0, ESR[63:32]!=0",
      differs: ["outcome"],
      scenario: { esr: "0x48000000c", at: { par: "0x1" } },
    },
  ]);
}
