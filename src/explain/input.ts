// The values a fault is explained from, and where each came from: a kernel log's lines (one value
// per register; two lines that disagree are an error naming both) and options, an option winning
// over a line. The scenario itself is made by the scenario module's own checks.
import type { Scenario } from "../runtime/scenario/scenario.ts";
import type { ValueSource } from "./explanation.ts";
import { parseKernelLog, valuesByRegister, type LogClaim, type LogRegister } from "./kernel-log.ts";

export interface ExplainInput {
  /** The scenario's values from the log (the caller adds its options and defaults). */
  readonly base: Partial<Pick<Scenario, "esr" | "far" | "hpfar" | "par" | "midr">>;
  readonly sources: ReadonlyMap<LogRegister, ValueSource>;
  readonly claims: readonly LogClaim[];
}

/** The registers of `text` as the kernel prints them; `file` names the text in errors and sources. */
export function inputFromLog(text: string, file: string): ExplainInput {
  const log = parseKernelLog(text, file);
  const byRegister = valuesByRegister(log, file);
  const base: Record<string, bigint> = {};
  const sources = new Map<LogRegister, ValueSource>();
  for (const [register, { value, also }] of byRegister) {
    base[register] = value.value;
    sources.set(register, { kind: "log", file, written: value.written, at: value.at, also: also.map((a) => a.at) });
  }
  return { base, sources, claims: log.claims };
}

/** A pasted value alone (`0x96000045`, `96000045`) is an ESR; anything else is a log. */
export function inputFromText(text: string, file: string): ExplainInput {
  const bare = /^\s*(0[xX])?([0-9a-fA-F]{1,16})\s*$/.exec(text);
  if (bare === null) return inputFromLog(text, file);
  return { base: { esr: BigInt(`0x${bare[2]}`) }, sources: new Map([["esr", { kind: "log", file, written: "value", at: { line: 1, column: text.indexOf(bare[2]) + 1 - (bare[1]?.length ?? 0), text: text.replace(/\n.*/s, "") }, also: [] }]]), claims: [] };
}
