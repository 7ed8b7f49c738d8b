// Which outcome of side A is which of side B's, for rule files whose outcomes are named
// differently (Xen re-enters the guest where Linux retries; Xen hands an external abort to its
// SError path where Linux exits to the host). Given as `--map-outcome A=B` options or as a small
// file (`--mapping FILE`): one `A = B` per line, `#` comments. An outcome is written `retry`,
// `exit N` or `exit NAME` (an exit code the side's rule file names), `handoff NAME` or NAME alone
// (an external handler). Unmapped outcomes are compared by name.
import { readFileSync } from "node:fs";
import { readFailure } from "../io/read-failure.ts";
import type { Side } from "../sides/side.ts";
import type { OutcomePair } from "./types.ts";

/** A mapping that cannot be used: a located message; `usage` for a bad option (exit 2), else bad input (exit 1). */
export class MappingError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
    this.name = "MappingError";
  }
}

/** A pair as written, before its outcomes are resolved against the sides. */
export interface WrittenPair {
  a: string;
  b: string;
  /** "--map-outcome" or FILE:LINE. */
  from: string;
  /** Where each half starts, for located errors: "FILE:LINE:COL" or "--map-outcome 'TEXT'". */
  whereA: string;
  whereB: string;
}

function splitPair(text: string): [string, string, number] | undefined {
  const eq = text.indexOf("=");
  if (eq < 0 || text.indexOf("=", eq + 1) >= 0) return undefined;
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim(), eq];
}

export function pairsFromOptions(texts: readonly string[]): WrittenPair[] {
  return texts.map((t) => {
    const s = splitPair(t);
    if (s === undefined || s[0] === "" || s[1] === "") throw new MappingError(`--map-outcome must be A_OUTCOME=B_OUTCOME (e.g. retry=retry, "handoff do_trap_guest_serror=exit 2"), got '${t}'`, true);
    return { a: s[0], b: s[1], from: "--map-outcome", whereA: `--map-outcome '${t}'`, whereB: `--map-outcome '${t}'` };
  });
}

export function pairsFromFile(file: string): WrittenPair[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new MappingError(`${file}: error: cannot read the mapping file (${readFailure(e)})`, false);
  }
  const out: WrittenPair[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "");
    if (line.trim() === "") return;
    const s = splitPair(line);
    const col = raw.length - raw.trimStart().length + 1;
    if (s === undefined || s[0] === "" || s[1] === "") throw new MappingError(`${file}:${i + 1}:${col}: error: expected A_OUTCOME = B_OUTCOME (one '=' between an outcome of side A and one of side B)`, false);
    const colB = s[2] + 2 + (line.slice(s[2] + 1).length - line.slice(s[2] + 1).trimStart().length);
    out.push({ a: s[0], b: s[1], from: `${file}:${i + 1}`, whereA: `${file}:${i + 1}:${col}`, whereB: `${file}:${i + 1}:${colB}` });
  });
  return out;
}

/** `text` as an outcome key of `side` ("exit 0x2", "retry", "handoff NAME"), or why it is none. */
function resolve(text: string, side: Side, known: ReadonlySet<string>): string | { error: string } {
  const words = text.split(/\s+/);
  const m = side.module;
  if (words.length === 1 && words[0] === "retry") return "retry";
  if (words[0] === "exit" && words.length === 2) {
    const n = words[1];
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(n)) return `exit 0x${BigInt(n).toString(16)}`;
    const named = m?.exitCodes.find((x) => x.name === n);
    if (named !== undefined) return `exit 0x${named.value.toString(16)}`;
    return { error: `no exit code '${n}' in ${m?.file ?? side.label}${m && m.exitCodes.length ? ` (it names ${m.exitCodes.map((x) => x.name).join(", ")})` : ""}` };
  }
  const target = words[0] === "handoff" && words.length === 2 ? words[1] : words.length === 1 && words[0] !== "exit" && words[0] !== "handoff" ? words[0] : undefined;
  if (target === undefined) return { error: `'${text}' is no outcome: write retry, exit N, exit NAME, handoff NAME or NAME` };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(target) && (m === undefined || m.externals.includes(target) || known.has(`handoff ${target}`))) return `handoff ${target}`;
  return { error: `no external handler '${target}' in ${m?.file ?? side.label}${m && m.externals.length ? ` (it hands over to ${m.externals.join(", ")})` : ""}` };
}

/**
 * The pairs resolved against the sides: each outcome one its side can have (`outcomesA`/`outcomesB`:
 * the outcomes the exploration found), each A outcome mapped once.
 */
export function resolveMapping(written: readonly WrittenPair[], a: Side, b: Side, outcomesA: ReadonlySet<string>, outcomesB: ReadonlySet<string>): OutcomePair[] {
  const out: OutcomePair[] = [];
  const fail = (where: string, message: string, fromOption: boolean) => {
    throw new MappingError(fromOption ? `${where}: ${message}` : `${where}: error: ${message}`, false);
  };
  for (const w of written) {
    const opt = w.from === "--map-outcome";
    const ra = resolve(w.a, a, outcomesA);
    if (typeof ra !== "string") fail(w.whereA, `side A: ${ra.error}`, opt);
    const rb = resolve(w.b, b, outcomesB);
    if (typeof rb !== "string") fail(w.whereB, `side B: ${rb.error}`, opt);
    const [ka, kb] = [ra as string, rb as string];
    const list = (s: ReadonlySet<string>) => [...s].sort().join(", ");
    if (!outcomesA.has(ka)) fail(w.whereA, `side A (${a.label}) never ends with ${ka} (its outcomes: ${list(outcomesA)})`, opt);
    if (!outcomesB.has(kb)) fail(w.whereB, `side B (${b.label}) never ends with ${kb} (its outcomes: ${list(outcomesB)})`, opt);
    const twice = out.find((p) => p.a === ka);
    if (twice !== undefined) fail(w.whereA, `side A's ${ka} is mapped twice (first at ${twice.from})`, opt);
    out.push({ a: ka, b: kb, from: w.from });
  }
  return out;
}

/** A's outcome key in B's vocabulary. */
export function mapOutcome(mapping: readonly OutcomePair[], key: string): string {
  return mapping.find((p) => p.a === key)?.b ?? key;
}
