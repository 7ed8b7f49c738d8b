// Verdict reports: text in the layout of Alive2's (the pair, the contract, the obligations in
// order with the first that failed, the counterexample's inputs decoded, each side's values and
// trace), and JSON whose scenario and results replay with `faultc run`.
import { scenarioToJson } from "../runtime/scenario/index.ts";
import { runResultToJson } from "../runtime/run/json.ts";
import type { RunResult } from "../runtime/run/types.ts";
import type { Counterexample } from "./counterexample.ts";
import { decodeEsr } from "./decode.ts";
import { OBLIGATIONS } from "./obligations.ts";
import type { Proof } from "./prove.ts";
import type { Side } from "../sides/side.ts";

export interface EquivReport {
  a: Side;
  b: Side;
  strict: boolean;
  proof: Proof;
  counterexample?: Counterexample;
  /** The sweep's cross-check, when it ran. */
  sweep?: { scenarios: number; disagreements: string[]; seconds: number };
  seconds: number;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

export function verdictWord(r: EquivReport): "equivalent" | "different" | "unknown" {
  if (r.proof.verdict === "different" && r.counterexample !== undefined && !r.counterexample.reproduced) return "unknown";
  return r.proof.verdict;
}

function contractLines(r: EquivReport): string[] {
  if (r.strict) return ["contract: none (--strict: every outcome observes every field)"];
  const c = r.proof.contract;
  if (c === undefined) return ["contract: none (neither side is a rule file with a contract): strict comparison"];
  return [`contract: from ${c.file}`, ...c.contract.text.split("\n").map((l) => `  ${l}`)];
}

/** What the report says of each side's binding, fixed capabilities, assumptions and notes (nothing for sides without them). */
function sideLines(r: EquivReport): string[] {
  const p = r.proof;
  const out: string[] = [];
  for (const [id, s] of [["A", r.a], ["B", r.b]] as const) {
    const b = s.binding;
    if (b === undefined) continue;
    const kernel = b.kernel === undefined ? "any kernel" : `kernel "${b.kernel}"`;
    const release = b.release === undefined ? "the object is in no build tree" : `the object's release: ${b.release}`;
    out.push(`binding of side ${id}: ${b.file}:${b.line}, ${b.symbol} for ${b.handler} (${kernel}; ${release})${b.struct ? `; struct ${b.struct.name} as the DWARF of ${b.struct.from} lays it out` : ""}`);
  }
  for (const x of p.assumed) out.push(`assumed (where side ${x.side.toUpperCase()} is called, --strict too): ${x.text}`);
  if (p.fixed.length > 0) {
    out.push("capabilities fixed:");
    for (const f of p.fixed) out.push(`  ${f.name} ${f.present ? "present" : "absent"} (${f.by.map((x) => `side ${x.side.toUpperCase()}: ${x.reason}`).join("; ")})`);
  }
  if (p.recordedByCaller.length) out.push(`fields the function's caller records (not compared): ${p.recordedByCaller.join(", ")}`);
  for (const [id, s] of [["A", r.a], ["B", r.b]] as const) for (const n of s.notes ?? []) out.push(`side ${id}: ${n}`);
  return out.length > 0 ? [...out, ""] : [];
}

function resultLines(label: string, res: RunResult): string[] {
  const out = [`${label}`];
  out.push(`  outcome: ${res.outcome}${res.exitCode !== undefined ? ` ${hex(res.exitCode)}` : ""}${res.returned !== undefined ? ` (returned ${hex(res.returned)})` : ""}`);
  out.push(`  fault record: ${[...res.fault].map(([k, v]) => `${k}=${hex(v)}`).join(" ") || "(none)"}`);
  out.push(`  system registers after: ${[...res.sysregs].map(([k, v]) => `${k}=${hex(v)}`).join(" ")}`);
  if (res.gprsRestored !== undefined) out.push(`  x0-x30 restored: ${res.gprsRestored ? "yes" : "NO"}, SP restored: ${res.spRestored ? "yes" : "NO"}`);
  if (res.calleeSavedRestored !== undefined) out.push(`  x19-x29 and SP as at the call: ${res.calleeSavedRestored ? "yes" : "NO"}`);
  out.push("  trace:");
  for (const t of res.trace) {
    const writes = [...t.writes].map(([k, v]) => `${k}=${hex(v)}`).join(" ");
    out.push(`    ${t.loc.padEnd(34)} ${t.text}${writes ? `    ; ${writes}` : ""}`);
  }
  return out;
}

/** A side as `faultc run` names it to run the same code: an object function with the rule file of its binding. */
export function replayTarget(s: Side): string {
  return s.binding === undefined ? s.label : `${s.label} --binding ${s.binding.file}`;
}

export function renderText(r: EquivReport): string {
  const p = r.proof;
  const out: string[] = ["----------------------------------------", `faultc equiv ${r.a.label} ${r.b.label}${r.strict ? " --strict" : ""}`, ""];
  out.push(...contractLines(r), "");
  out.push(...sideLines(r));
  const caps = p.enumerated;
  const present = p.fixed.filter((f) => f.present).map((f) => f.name);
  out.push(`capability combinations: ${p.combos.length}${caps.length ? ` (subsets of ${caps.join(", ")}${present.length ? `, each with ${present.join(", ")}` : ""})` : ""}`);
  out.push(`paths: ${r.a.label}: ${p.combos.map((c) => c.pathsA.length).join("/")}; ${r.b.label}: ${p.combos.map((c) => c.pathsB.length).join("/")}`);
  if (p.map.length) out.push(`fields mapped (--map): ${p.map.map((m) => `A.${m.a} = B.${m.b}`).join(", ")}`);
  if (p.notCompared.length) out.push(`fields on one side only (not compared): ${p.notCompared.join(", ")}`);
  out.push("", "Obligations:");
  const failedId = p.verdict === "different" ? p.failure.obligation.id : undefined;
  for (const ob of OBLIGATIONS) {
    const status = failedId === undefined ? (p.verdict === "equivalent" ? "proven" : "not decided") : ob.id < failedId ? "proven" : ob.id === failedId ? "FAILED" : "not checked";
    out.push(`  ${ob.id}. ${ob.text} ${".".repeat(Math.max(2, 96 - ob.text.length))} ${status}`);
  }
  out.push("");
  const word = verdictWord(r);
  if (word === "equivalent") out.push("Equivalent: every obligation holds on every input, for every capability combination.");
  if (p.verdict === "unknown") out.push(`Unknown: ${p.reason}`);
  if (p.verdict === "different" && r.counterexample) {
    const cx = r.counterexample;
    if (!cx.reproduced) out.push(`Unknown: the proof found a difference that the concrete model does not reproduce (${cx.mismatch}); this is a bug in faultc.`);
    else out.push(`Different: obligation ${p.failure.obligation.id} (${p.failure.obligation.name}) fails: ${p.failure.what}.`);
    out.push("", "Example:");
    out.push(`  capabilities: ${p.failure.combo.caps.join(", ") || "(none)"}`);
    for (const i of cx.inputs.filter((x) => !cx.unread.includes(x.name))) {
      const extra = i.name === "ESR_EL2" ? `  ${decodeEsr(i.value)}` : i.name.startsWith("AT ") ? `  (${i.value & 1n ? "translation fails" : `PA ${hex(i.value & 0xf_ffff_ffff_f000n)}`})` : "";
      out.push(`  ${i.name.padEnd(12)} = ${hex(i.value)}${extra}`);
    }
    if (cx.unread.length > 0) out.push(`  (not printed, since changing them changes neither side's result: ${cx.unread.join(", ")})`);
    out.push("");
    out.push(...resultLines(`Side A: ${r.a.label}`, cx.a), "");
    out.push(...resultLines(`Side B: ${r.b.label}`, cx.b), "");
    out.push("Replay:");
    const json = JSON.stringify(scenarioToJson(cx.scenario));
    out.push(`  echo '${json}' | faultc run ${replayTarget(r.a)} --jsonl`);
    out.push(`  echo '${json}' | faultc run ${replayTarget(r.b)} --jsonl`);
  }
  if (r.sweep) {
    out.push("", `Sweep: ${r.sweep.scenarios} scenarios in ${r.sweep.seconds.toFixed(1)} s, ${r.sweep.disagreements.length === 0 ? "agreeing with the proof" : "DISAGREEING WITH THE PROOF (a bug in faultc):"}`);
    for (const dsg of r.sweep.disagreements.slice(0, 5)) out.push(`  ${dsg}`);
  }
  out.push("", `${p.solverCalls} solver calls, ${r.seconds.toFixed(1)} s`);
  return out.join("\n") + "\n";
}

/** The JSON of sideLines: only the keys that have something to say. */
function bindingsJson(r: EquivReport): object {
  const p = r.proof;
  const bindings = Object.fromEntries(
    ([["a", r.a], ["b", r.b]] as const).flatMap(([id, s]) => (s.binding === undefined ? [] : [[id, { file: s.binding.file, line: s.binding.line, symbol: s.binding.symbol, handler: s.binding.handler, kernel: s.binding.kernel ?? null, release: s.binding.release ?? null, when: s.binding.when ?? null, ...(s.binding.struct ? { struct: s.binding.struct } : {}) }]])),
  );
  const notes = Object.fromEntries(([["a", r.a], ["b", r.b]] as const).flatMap(([id, s]) => (s.notes?.length ? [[id, s.notes]] : [])));
  return {
    ...(Object.keys(bindings).length ? { bindings } : {}),
    ...(p.assumed.length ? { assumed: p.assumed } : {}),
    ...(p.fixed.length ? { fixed_capabilities: p.fixed } : {}),
    ...(p.recordedByCaller.length ? { recorded_by_caller: p.recordedByCaller } : {}),
    ...(Object.keys(notes).length ? { notes } : {}),
  };
}

export function renderJson(r: EquivReport): object {
  const p = r.proof;
  const word = verdictWord(r);
  return {
    verdict: word,
    sides: { a: r.a.label, b: r.b.label },
    strict: r.strict,
    ...(p.map.length ? { map: Object.fromEntries(p.map.map((m) => [m.a, m.b])) } : {}),
    contract: r.strict || p.contract === undefined ? null : { file: p.contract.file, text: p.contract.contract.text },
    capabilities: p.combos.map((c) => c.caps),
    ...bindingsJson(r),
    obligation: p.verdict === "different" ? { id: p.failure.obligation.id, name: p.failure.obligation.name, what: p.failure.what } : null,
    ...(p.verdict === "unknown" ? { reason: p.reason } : {}),
    ...(r.counterexample
      ? {
          counterexample: scenarioToJson(r.counterexample.scenario),
          inputs: Object.fromEntries(r.counterexample.inputs.map((i) => [i.name, hex(i.value)])),
          inputs_not_read: r.counterexample.unread,
          a: runResultToJson(r.counterexample.a),
          b: runResultToJson(r.counterexample.b),
          reproduced: r.counterexample.reproduced,
        }
      : {}),
    ...(r.sweep ? { sweep: r.sweep } : {}),
    solver_calls: p.solverCalls,
  };
}
