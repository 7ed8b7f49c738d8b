// The JSON of an explanation (`faultc explain --json`, docs/RUN.md): each register with its fields
// under their Arm ARM names (value and meaning), the source of each value, the kernel's own
// decoding checked, the side's path and the outcome. Hex strings for register values, keys in a
// fixed order, so that the same input gives the same bytes.
import type { DecodedRegister } from "../decode/types.ts";
import { runResultToJson, traceEntryToJson } from "../runtime/run/json.ts";
import { hex } from "../runtime/scenario/scenario.ts";
import { derivedCapabilities, type Explanation, type ValueSource } from "./explanation.ts";
import type { PathStep } from "./rule-path.ts";

export function sourceToJson(s: ValueSource): Record<string, unknown> {
  switch (s.kind) {
    case "option":
      return { from: s.option };
    case "default":
      return { from: "default" };
    case "log":
      return { from: `${s.file}:${s.at.line}:${s.at.column}`, as: s.written, text: s.at.text, ...(s.also.length > 0 ? { also: s.also.map((a) => `${s.file}:${a.line}:${a.column}`) } : {}) };
  }
}

/** Fields by name, each {bits, value, meaning?, reserved?}; a name met twice keeps both as NAME, NAME#2. */
function fieldsToJson(d: DecodedRegister): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const f of d.fields) {
    let key = f.name;
    for (let n = 2; out.some(([k]) => k === key); n++) key = `${f.name}#${n}`;
    out.push([key, { bits: f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`, value: hex(f.value), ...(f.meaning !== undefined ? { meaning: f.meaning } : {}), ...(f.reserved ? { reserved: true } : {}) }]);
  }
  return Object.fromEntries(out);
}

export function registerToJson(d: DecodedRegister, source: ValueSource): Record<string, unknown> {
  return { value: hex(d.value), source: sourceToJson(source), summary: d.summary, ...(d.sysreg !== undefined ? { sysreg: d.sysreg } : {}), fields: fieldsToJson(d) };
}

function stepToJson(s: PathStep): Record<string, unknown> {
  const at = `${s.at.file}:${s.at.line}:${s.at.column}`;
  switch (s.kind) {
    case "rule":
      return {
        rule: s.rule,
        at,
        depth: s.depth,
        ...(s.guard !== undefined ? { guard: s.guard } : {}),
        value: s.value,
        entered: s.entered,
        atoms: s.atoms.map((a) => ({
          atom: a.text,
          value: a.value,
          ...(a.within.length > 0 ? { within: a.within } : {}),
          fields: a.fields.map((f) => ({ register: f.register, field: f.name, bits: f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`, value: hex(f.value), ...(f.meaning !== undefined ? { meaning: f.meaning } : {}) })),
        })),
      };
    case "stmt":
      return { stmt: s.text, at, depth: s.depth, value: typeof s.value === "boolean" ? s.value : hex(s.value), ...(s.register !== undefined ? { register: s.register } : {}) };
    case "outcome":
      return { outcome: s.text, at, depth: s.depth };
  }
}

export function explanationToJson(e: Explanation): Record<string, unknown> {
  const m = e.midr.decoded;
  const run = runResultToJson(e.side.run);
  delete run.trace;
  return {
    ESR_EL2: registerToJson(e.esr.decoded, e.esr.source),
    FAR_EL2: registerToJson(e.far.decoded, e.far.source),
    HPFAR_EL2: "unknown" in e.hpfar ? { value: "unknown", source: sourceToJson(e.hpfar.source) } : registerToJson(e.hpfar.decoded, e.hpfar.source),
    PAR_EL1: registerToJson(e.par.decoded, e.par.source),
    MIDR_EL1: {
      ...registerToJson(m, e.midr.source),
      implementer: m.implementer ?? null,
      part: m.part ?? null,
      rev: m.rev,
      errata: m.errata.map((x) => ({ erratum: x.erratum, capability: x.capability, applies: x.applies, ranges: x.ranges, citation: x.citation })),
    },
    caps: { given: [...e.scenario.caps], from_midr: derivedCapabilities(e) },
    checks: e.checks.map((c) => ({ claim: c.claim, value: hex(c.value), at: `${c.at.line}:${c.at.column}`, ...(c.checked ? { field: c.field, agrees: true } : { checked: false }) })),
    side: { label: e.side.label, kind: e.side.kind, ...(e.side.handler !== undefined ? { handler: e.side.handler } : {}) },
    ...(e.side.steps !== undefined ? { path: e.side.steps.map(stepToJson) } : {}),
    ...(e.side.instructions !== undefined ? { [e.side.traced === "calls" ? "calls" : "instructions"]: e.side.instructions.map(traceEntryToJson) } : {}),
    result: run,
  };
}
