// The terminal report of an explanation: each register's fields as a table, where each value came
// from, the MIDR with its errata, the kernel's own decoding checked, then the decision path
// (rules tried, their guards' atoms and the fields that decided them, statements with values)
// or the instructions executed, and the outcome.
import type { DecodedRegister } from "../decode/types.ts";
import { hex } from "../runtime/scenario/scenario.ts";
import { derivedCapabilities, type Explanation, type ValueSource } from "./explanation.ts";
import type { PathStep } from "./rule-path.ts";

function sourceText(s: ValueSource): string {
  switch (s.kind) {
    case "option":
      return `from ${s.option}`;
    case "default":
      return "the model's default";
    case "log":
      return `from ${s.file}:${s.at.line}:${s.at.column}: ${s.at.text.trim()}${s.also.length > 0 ? ` (also line${s.also.length > 1 ? "s" : ""} ${s.also.map((a) => a.line).join(", ")})` : ""}`;
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `    ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")}`.trimEnd());
}

function register(d: DecodedRegister, source: ValueSource): string[] {
  const lines = [`${d.register} = 0x${d.value.toString(16).padStart(16, "0")}  (${sourceText(source)})`, `  ${d.summary}${d.sysreg !== undefined ? ` [${d.sysreg}]` : ""}`];
  if (d.fields.length > 0) {
    lines.push(...table([["bits", "field", "value", "meaning"], ...d.fields.map((f) => [f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`, f.name, hex(f.value), `${f.meaning ?? ""}${f.reserved ? " (reserved)" : ""}`])]));
  }
  return lines;
}

function stepLines(s: PathStep): string[] {
  const indent = "  ".repeat(s.depth + 1);
  const at = `${s.at.file}:${s.at.line}:${s.at.column}`;
  switch (s.kind) {
    case "rule": {
      const head =
        s.value === "otherwise"
          ? `rule ${s.rule} otherwise: entered`
          : s.value === "last"
            ? `rule ${s.rule} when ${s.guard}: entered (the rules before it cover every other input)`
            : `rule ${s.rule} when ${s.guard}: ${s.value}${s.entered ? ", entered" : ""}`;
      const lines = [`${indent}${at}  ${head}`];
      for (const a of s.atoms) {
        const fields = a.fields.map((f) => `${f.name === f.register ? f.register : `${f.register}.${f.name}`} = ${hex(f.value)}${f.meaning !== undefined ? ` (${f.meaning})` : ""}`);
        lines.push(`${indent}    ${a.within.length > 0 ? `[in ${a.within.join(" > ")}] ` : ""}${a.text}: ${a.value}${fields.length > 0 ? `  <- ${fields.join(", ")}` : ""}`);
      }
      return lines;
    }
    case "stmt":
      return [`${indent}${at}  ${s.text}  = ${typeof s.value === "boolean" ? s.value : hex(s.value)}${s.register !== undefined ? ` (${s.register})` : ""}`];
    case "outcome":
      return [`${indent}${at}  ${s.text}`];
  }
}

function outcomeLine(e: Explanation): string {
  const r = e.side.run;
  const what = r.outcome === "exit" ? `exit 0x${(r.exitCode ?? 0n).toString(16)}` : r.outcome === "retry" ? "retry (re-enter the guest)" : `hand over to ${r.outcome}`;
  const record = [...r.fault].map(([k, v]) => `${k} = ${hex(v)}`).join(", ");
  return `outcome: ${what}; record: ${record || "(none)"}; PAR_EL1 ${r.parPreserved ? "preserved" : "not preserved"}`;
}

/** The registers, MIDR, capabilities and the kernel's own decoding checked, as lines. */
export function registerLines(e: Explanation): string[] {
  const lines: string[] = [];
  lines.push(...register(e.esr.decoded, e.esr.source), "");
  lines.push(...register(e.far.decoded, e.far.source), "");
  if ("unknown" in e.hpfar) lines.push(`HPFAR_EL2 = UNKNOWN (drawn from the seed; ${sourceText(e.hpfar.source)})`, "");
  else lines.push(...register(e.hpfar.decoded, e.hpfar.source), "");
  lines.push(...register(e.par.decoded, e.par.source), "");
  const m = e.midr.decoded;
  lines.push(`MIDR_EL1 = 0x${m.value.toString(16).padStart(8, "0")}  ${m.implementer ?? "unknown implementer"} ${m.part ?? "unknown part"} ${m.rev}  (${sourceText(e.midr.source)})`);
  for (const x of m.errata) lines.push(`  erratum ${x.erratum} (${x.capability}): ${x.applies ? "applies" : "does not apply"}; affected: ${x.ranges.join(", ")} [${x.citation}]`);
  const derived = derivedCapabilities(e);
  lines.push(`capabilities: ${[...e.scenario.caps].join(", ") || "(none given)"}${derived.length > 0 ? `; from MIDR: ${derived.join(", ")}` : ""}`, "");
  if (e.checks.length > 0) {
    const checked = e.checks.filter((c) => c.checked);
    const unchecked = e.checks.filter((c) => !c.checked);
    lines.push(`the kernel's own decoding agrees: ${checked.map((c) => (c.claim === c.field ? c.claim : `${c.claim} (${c.field})`)).join(", ") || "(nothing to check)"}`);
    if (unchecked.length > 0) lines.push(`  not checked (no such field in this ESR): ${unchecked.map((c) => c.claim).join(", ")}`);
    lines.push("");
  }
  return lines;
}

/** The path through the side and the outcome, as lines. */
export function pathLines(e: Explanation): string[] {
  const lines: string[] = [];
  lines.push(`path through ${e.side.label}${e.side.handler !== undefined ? ` (handler ${e.side.handler})` : ""}:`);
  for (const s of e.side.steps ?? []) lines.push(...stepLines(s));
  if (e.side.instructions !== undefined) {
    lines.push(`  ${e.side.instructions.length} ${e.side.traced === "calls" ? "HypApi calls made" : "instructions executed"}:`);
    for (const t of e.side.instructions) {
      const writes = [...t.writes].map(([k, v]) => `${k}=${hex(v)}`).join(" ");
      lines.push(`    ${t.loc}  ${t.text}${writes ? `  ; ${writes}` : ""}`);
    }
  }
  lines.push(outcomeLine(e));
  return lines;
}

export function explanationText(e: Explanation): string {
  return [...registerLines(e), ...pathLines(e)].join("\n") + "\n";
}
