// A diff report as a terminal table, as markdown (docs/HISTORY.md's tables), and as JSON (the
// report itself: it is JSON-ready). No timing in any of them: the same input gives the same bytes.
import type { DiffReport, DiffRow, SideBehaviour } from "./types.ts";

/** "exit 0x2", "retry, esr_el2=0x0", "handoff X (= exit 0x2), hpfar_el2=0x..." */
export function behaviourText(s: SideBehaviour): string {
  const values = Object.entries(s.values).map(([k, v]) => `${k}=${v}`);
  return [`${s.outcome}${s.mapped !== undefined ? ` (= ${s.mapped})` : ""}`, ...values].join(", ");
}

/** The scenario a row's witness replays, on one line. */
export function witnessJson(r: DiffRow): string {
  return JSON.stringify(r.witness.scenario);
}

export function mappingLines(r: DiffReport): string[] {
  if (r.mapping.length === 0) return ["outcome mapping: none (outcomes compared by name)"];
  return ["outcome mapping (side A's outcome = side B's):", ...r.mapping.map((p) => `  ${p.a} = ${p.b}    (${p.from})`)];
}

function headerLines(r: DiffReport): string[] {
  const out = [`faultc diff ${r.sides.a} ${r.sides.b}${r.strict ? " --strict" : ""}`, ""];
  out.push(r.strict ? "contract: none (--strict: every outcome observes every field)" : r.contract === null ? "contract: none (neither side is a rule file with a contract): strict comparison" : `contract: from ${r.contract.file}`);
  out.push(...mappingLines(r));
  if (r.fieldMap.length) out.push(`fields mapped (--map): ${r.fieldMap.map((m) => `A.${m.a} = B.${m.b}`).join(", ")}`);
  if (r.notCompared.length) out.push(`fields on one side only (not compared): ${r.notCompared.join(", ")}`);
  const fixed = r.capabilities.fixed.map((f) => `${f.name} ${f.present ? "present" : "absent"}`);
  out.push(`capabilities: every combination of ${r.capabilities.enumerated.join(", ") || "none"}${fixed.length ? `; fixed: ${fixed.join(", ")}` : ""}`);
  return out;
}

function verdictLine(r: DiffReport): string {
  if (r.verdict === "unknown") return `Unknown: ${r.reason}`;
  if (r.verdict === "same") return "Nothing differs: the solver proved A and B behave the same on every input, for every capability combination.";
  const partial = r.rows.filter((x) => !x.exact).length;
  const replayFailed = r.rows.filter((x) => !x.witness.replayed).map((x) => x.id);
  return [
    `${r.rows.length} ${r.rows.length === 1 ? "class differs" : "classes differ"}; ${r.complete ? "complete (the solver proved no difference lies outside them)" : "NOT proved complete"}; ${partial === 0 ? "every row exact" : `${partial} partial (not every input of the class differs)`}.`,
    ...(replayFailed.length ? [`The witness of row ${replayFailed.join(", ")} does not replay as the row says: a bug in faultc.`] : []),
  ].join("\n");
}

/** A row's notes: partial, and a witness the solver could not minimise. */
function notes(x: DiffRow): string {
  return [x.exact ? "" : "(partial)", x.witness.undecided !== undefined ? "(witness not minimal)" : ""].filter((n) => n !== "").join(" ");
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

export function renderDiffText(r: DiffReport): string {
  const out = headerLines(r);
  out.push("");
  if (r.rows.length > 0) {
    out.push(...table(["#", "class", "A", "B", ""], r.rows.map((x) => [String(x.id), x.class.text, behaviourText(x.a), behaviourText(x.b), notes(x)])));
    out.push("", "Witnesses (each replays with: echo 'SCENARIO' | faultc run TARGET --jsonl):");
    out.push(`  A: faultc run ${r.replay.a}`, `  B: faultc run ${r.replay.b}`);
    for (const x of r.rows) out.push(`  ${String(x.id).padStart(2)}  ${witnessJson(x)}`);
    out.push("");
  }
  out.push(verdictLine(r), "", `${r.solverCalls} solver calls`);
  return out.join("\n") + "\n";
}

const cell = (t: string) => t.replace(/\|/g, "\\|");

/** The rows as a markdown table (a heading's worth of context is the caller's). */
export function renderDiffMarkdownTable(r: DiffReport, note?: (row: DiffRow) => string | undefined): string[] {
  if (r.rows.length === 0) return [r.verdict === "same" ? "Nothing differs." : `Unknown: ${r.reason}`];
  const withNote = note !== undefined;
  const head = ["#", "class", "A", "B", "exact", "witness", ...(withNote ? ["upstream change"] : [])];
  const out = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const x of r.rows) {
    const cells = [String(x.id), cell(x.class.text), cell(behaviourText(x.a)), cell(behaviourText(x.b)), `${x.exact ? "yes" : "partial"}${x.witness.undecided !== undefined ? " (witness not minimal)" : ""}`, `\`${cell(witnessJson(x))}\``, ...(withNote ? [cell(note!(x) ?? "")] : [])];
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out;
}

/** The report's lines under its heading: contract, mapping, capabilities, the table (with a note column when given), the verdict. */
export function renderDiffMarkdownSection(r: DiffReport, note?: (row: DiffRow) => string | undefined): string[] {
  // The mapping's pairs as a list, set off by blank lines so that the next line is not part of it.
  const out = headerLines(r)
    .slice(2)
    .flatMap((l, i, all) => (l.startsWith("  ") ? [...(all[i - 1]?.startsWith("  ") ? [] : [""]), `- ${l.trim()}`, ...(all[i + 1]?.startsWith("  ") ? [] : [""])] : [`${l}  `]));
  out.push("", ...renderDiffMarkdownTable(r, note), "", verdictLine(r).replace(/\n/g, "  \n"));
  return out;
}

export function renderDiffMarkdown(r: DiffReport): string {
  return [`## \`faultc diff ${r.sides.a} ${r.sides.b}\``, "", ...renderDiffMarkdownSection(r)].join("\n") + "\n";
}

export function renderDiffJson(r: DiffReport): string {
  return JSON.stringify(r, null, 2) + "\n";
}
