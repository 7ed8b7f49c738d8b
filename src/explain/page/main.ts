// The page's script (bundled by esbuild into the one page, page/html.ts): what is pasted (a value
// or a kernel log) explained by the same code as `faultc explain`, through a bundled rule file's
// IR, as the text changes. No network, no node modules.
import { explain } from "../explain.ts";
import type { Explanation, SideRun } from "../explanation.ts";
import { inputFromText } from "../input.ts";
import { explanationToJson } from "../json.ts";
import { pathLines, registerLines } from "../report.ts";
import { rulePath } from "../rule-path.ts";
import { decodeKnownRegister } from "../decoders.ts";
import { irFromJson } from "./ir-data.ts";
import { scenario as makeScenario, KNOWN_CAPABILITIES, ScenarioError } from "../../runtime/scenario/scenario.ts";
import type { IrModule } from "../../codegen/ir/types.ts";
import type { RecordLayout } from "../../runtime/run/types.ts";

const FILE = "<input>";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

function layoutOf(h: IrModule["handlers"][number]): RecordLayout {
  return Object.fromEntries(h.record.fields.map((f) => [f.name, { offset: f.offset, size: f.size }]));
}

function explainText(modules: readonly IrModule[], text: string, file: string, handlerKey: string, caps: string[]): Explanation {
  const input = inputFromText(text, FILE);
  if (input.base.esr === undefined) throw new ScenarioError("no ESR value in the input (paste a value, or lines such as \"ESR = 0x...\" or \"ESR_EL2=0x...\")");
  const s = makeScenario({ ...input.base, esr: input.base.esr, caps });
  const m = modules.find((x) => x.file === file) ?? modules[0];
  const h = m.handlers.find((x) => x.name === handlerKey) ?? m.handlers[0];
  const path = rulePath(m, h, s, layoutOf(h), decodeKnownRegister);
  const side: SideRun = { label: m.file, kind: "rule-file", handler: h.name, steps: path.steps, run: path.run };
  return explain(s, { file: FILE, sources: input.sources, claims: input.claims }, side);
}

function cell(row: HTMLTableRowElement, text: string, tag: "td" | "th" = "td"): void {
  const c = document.createElement(tag);
  c.textContent = text;
  row.appendChild(c);
}

function renderDecode(e: Explanation, into: HTMLElement): void {
  into.replaceChildren();
  for (const r of [e.esr, e.far, "unknown" in e.hpfar ? undefined : e.hpfar, e.par, e.midr]) {
    if (r === undefined) continue;
    const d = r.decoded;
    const h = document.createElement("h3");
    h.textContent = `${d.register} = 0x${d.value.toString(16)}`;
    const p = document.createElement("p");
    p.textContent = d.summary;
    const t = document.createElement("table");
    cell(t.insertRow(), "bits", "th");
    const head = t.rows[0];
    cell(head, "field", "th");
    cell(head, "value", "th");
    cell(head, "meaning", "th");
    for (const f of d.fields) {
      const row = t.insertRow();
      row.dataset.field = f.name;
      cell(row, f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`);
      cell(row, f.name);
      cell(row, `0x${f.value.toString(16)}`);
      cell(row, `${f.meaning ?? ""}${f.reserved ? " (reserved)" : ""}`);
    }
    into.append(h, p, t);
  }
}

function start(): void {
  const modules = irFromJson(byId<HTMLScriptElement>("faultc-ir").textContent ?? "[]");
  const input = byId<HTMLTextAreaElement>("input");
  const rules = byId<HTMLSelectElement>("rules");
  const capsBox = byId<HTMLElement>("caps");
  const decode = byId<HTMLElement>("decode");
  const path = byId<HTMLElement>("path");
  const error = byId<HTMLElement>("error");
  const json = byId<HTMLElement>("json");
  for (const m of modules) {
    for (const h of m.handlers) {
      const o = document.createElement("option");
      o.value = `${m.file}#${h.name}`;
      o.textContent = m.handlers.length > 1 ? `${m.file} (${h.name})` : m.file;
      rules.appendChild(o);
    }
  }
  const initial = modules.find((m) => m.file.endsWith("linux-6.12.fault"));
  if (initial !== undefined) rules.value = `${initial.file}#${initial.handlers[0].name}`;
  for (const c of KNOWN_CAPABILITIES) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = c;
    label.append(box, ` ${c}`);
    capsBox.appendChild(label);
  }
  const update = (): void => {
    const [file, handler] = rules.value.split("#");
    const caps = [...capsBox.querySelectorAll<HTMLInputElement>("input:checked")].map((b) => b.value);
    try {
      const e = explainText(modules, input.value, file, handler, caps);
      error.textContent = "";
      renderDecode(e, decode);
      path.textContent = [...registerLines(e).filter((l) => l.startsWith("capabilities") || l.startsWith("the kernel")), ...pathLines(e)].join("\n");
      json.textContent = JSON.stringify(explanationToJson(e), null, 1);
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      decode.replaceChildren();
      path.textContent = "";
      json.textContent = "";
    }
  };
  input.addEventListener("input", update);
  rules.addEventListener("change", update);
  capsBox.addEventListener("change", update);
  update();
}

start();
