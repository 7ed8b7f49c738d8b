// A scenario: the state of the PE when a guest trap reaches the EL2 synchronous vector, as the
// fault-decoding logic sees it. Its JSON form (docs/RUN.md):
//
//   {"esr":"0x92000045","far":"0x1234","hpfar":"0x10","par":"0x0","at":{"ok":"0x80001000"},
//    "caps":["ARM64_WORKAROUND_834220"],"midr":"0x411fd072","seed":7}
//
// Every key but "esr" is optional. Numbers are hex strings ("0x..."), so that 64-bit values
// survive JSON; "seed" is a plain JSON integer. parseScenario is strict: unknown keys, values that
// are not hex strings or do not fit in 64 bits, unknown capability names and malformed "at" values
// are reported as one ScenarioError with a one-line message; nothing else is ever thrown.
import { sysregByName } from "../machine/sysreg-table.ts";
import { JsonSyntaxError, parseJsonWithPositions, type JsonPath, type PositionedJson } from "./json-positions.ts";
import { AT_KINDS, type AtKind } from "../semantics/at-operations.ts";

export const ARM64_HAS_S1POE = "ARM64_HAS_S1POE";

/**
 * The CPU capabilities (Linux cpucaps names) a scenario may name. The last two matter only to the
 * alternatives of compiled kernel objects (PATH.o:SYMBOL): ARM64_ALWAYS_SYSTEM (set on every
 * system, which an object target adds itself) and ARM64_WORKAROUND_1508412 (barriers around
 * PAR_EL1 reads), so that a proof's counterexample over them replays.
 */
export const KNOWN_CAPABILITIES: readonly string[] = ["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220", ARM64_HAS_S1POE, "ARM64_KVM_HVHE", "ARM64_ALWAYS_SYSTEM", "ARM64_WORKAROUND_1508412"];

/** The kind of stage-2 fault a stage-1 table fetch meets. */
export type TableFaultKind = "translation" | "permission" | "access-flag";

/**
 * What AT S1E1R on FAR finds in the guest's stage-1 tables:
 *  - ok: FAR's page maps to the page of this IPA (the IPA's low 12 bits are ignored);
 *  - "fault": FAR's page is not mapped (its neighbours are: the walk fails at the last level);
 *  - s2fault: FAR's page maps to itself, but the stage-1 table the walk reads at `level` meets a
 *    stage-2 fault of `fault` kind (PAR_EL1.F=1, S=1, PTW=1).
 */
export type ScenarioAt =
  | { readonly ok: bigint }
  | "fault"
  | { readonly s2fault: { readonly level: number; readonly fault: TableFaultKind } }
  /**
   * AT on FAR returns exactly this PAR_EL1 (a counterexample's replay: any value the format
   * allows); `ops` gives another value for some operations (AT S1E1A, which checks no
   * permission, may succeed where AT S1E1R meets a permission fault).
   */
  | { readonly par: bigint; readonly ops?: Readonly<Partial<Record<AtOperationName, bigint>>> };

/** The AT operations a scenario's {"par":...} may answer differently, as the assembler spells them (dsl/arch's AtOperation). */
export const AT_OPERATION_NAMES: readonly AtKind[] = AT_KINDS;
export type AtOperationName = AtKind;

/** The {"par":...} answer of one operation. */
export function parFor(at: { readonly par: bigint; readonly ops?: Readonly<Partial<Record<AtOperationName, bigint>>> }, op: AtOperationName): bigint {
  return at.ops?.[op] ?? at.par;
}

/** "par:PAR" followed by ",OP:PAR" for each operation answered differently: --at's form of {"par":...}. */
export function parAtText(at: { readonly par: bigint; readonly ops?: Readonly<Partial<Record<AtOperationName, bigint>>> }): string {
  return [`par:${hex(at.par)}`, ...AT_OPERATION_NAMES.filter((op) => at.ops?.[op] !== undefined).map((op) => `${op}:${hex(at.ops![op]!)}`)].join(",");
}

export interface Scenario {
  /** ESR_EL2 (64 bits; ARMv8.0 keeps [63:32] RES0, the model does not enforce it). */
  readonly esr: bigint;
  /** FAR_EL2: the guest VA of the abort. Default 0. */
  readonly far: bigint;
  /** HPFAR_EL2, or "unknown": architecturally UNKNOWN, drawn from the seed. Default 0. */
  readonly hpfar: bigint | "unknown";
  /** PAR_EL1: the guest's own value, which a handler using AT must preserve. Default 0. */
  readonly par: bigint;
  /** Default: FAR's page mapped to the IPA of the same number (identity). */
  readonly at: ScenarioAt | undefined;
  /** Capabilities the kernel detected; machineForScenario adds those MIDR implies. */
  readonly caps: readonly string[];
  /** MIDR_EL1; default the machine's (Cortex-A57 r1p3, no erratum 834220). */
  readonly midr?: bigint;
  /** Seed of the arbitrary values (guest registers, UNKNOWN registers, stack). Default 0. */
  readonly seed: number;
  /** System registers set to these values instead of seeded ones (e.g. VTTBR_EL2, the guest's ESR_EL1). */
  readonly sysregs?: Readonly<Record<string, bigint>>;
}

export class ScenarioError extends Error {
  /**
   * Where in the scenario's JSON the error is, when known: the path of the value it is about (of
   * its key for `of: "key"`, e.g. an unknown key), or the text offset of a JSON syntax error.
   * Readers of a scenario file turn it into `file:line:col` (json-positions.ts).
   */
  path?: JsonPath;
  of?: "value" | "key";
  offset?: number;
  constructor(message: string, where: { path?: JsonPath; of?: "value" | "key"; offset?: number } = {}) {
    super(message);
    this.name = "ScenarioError";
    if (where.path !== undefined) this.path = where.path;
    if (where.of !== undefined) this.of = where.of;
    if (where.offset !== undefined) this.offset = where.offset;
  }
}

/** Runs `parse` on the value at `path`: a ScenarioError it throws is placed under `path`. */
export function atPath<T>(path: JsonPath, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ScenarioError && e.offset === undefined) e.path = [...path, ...(e.path ?? [])];
    throw e;
  }
}

/** The keys of the registers form. */
export const KEYS = ["esr", "far", "hpfar", "par", "at", "caps", "midr", "seed", "sysregs"] as const;
const MAX64 = (1n << 64n) - 1n;
/** IPA space of the guest tables the scenario machine builds (TCR_EL1.IPS = 48 bits). */
export const SCENARIO_IPA_BITS = 48;

/** Makes a Scenario from a partial one, with the documented defaults. */
export function scenario(fields: Partial<Scenario> & { esr: bigint }): Scenario {
  // Keys in this order, midr and sysregs only when given: two literals rather than a spread of a
  // temporary object per optional key (a few scenarios are made per trap).
  const esr = fields.esr;
  const far = fields.far ?? 0n;
  const hpfar = fields.hpfar ?? 0n;
  const par = fields.par ?? 0n;
  const caps = fields.caps ?? [];
  const seed = fields.seed ?? 0;
  const s: { -readonly [K in keyof Scenario]: Scenario[K] } =
    fields.midr !== undefined ? { esr, far, hpfar, par, at: fields.at, caps, midr: fields.midr, seed } : { esr, far, hpfar, par, at: fields.at, caps, seed };
  if (fields.sysregs !== undefined && Object.keys(fields.sysregs).length > 0) s.sysregs = fields.sysregs;
  return s;
}

const DESCRIBE_LIMIT = 40;

/**
 * A value as it is quoted in an error: its JSON text, cut to 40 characters with "...". The text is
 * written only as far as the cut, so a value nested 200,000 arrays deep costs a few dozen steps
 * (JSON.stringify or String would recurse through all of it and overflow the stack).
 */
export function describe(value: unknown): string {
  let text = "";
  const full = (): boolean => text.length > DESCRIBE_LIMIT;
  const emit = (v: unknown): void => {
    if (full()) return;
    if (Array.isArray(v)) {
      text += "[";
      for (let i = 0; i < v.length && !full(); i++) {
        if (i > 0) text += ",";
        emit(v[i] === undefined ? null : v[i]);
      }
      text += "]";
    } else if (isRecord(v)) {
      text += "{";
      let first = true;
      for (const k of Object.keys(v)) {
        if (full()) break;
        if (v[k] === undefined) continue;
        text += `${first ? "" : ","}${JSON.stringify(k)}:`;
        first = false;
        emit(v[k]);
      }
      text += "}";
    } else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) {
      // A long string is cut before it is quoted (a 100 MB string is not copied to say so).
      text += JSON.stringify(typeof v === "string" && v.length > DESCRIBE_LIMIT ? v.slice(0, DESCRIBE_LIMIT + 1) : v);
    } else {
      text += String(v); // not JSON (a library caller's bigint, undefined, a function)
    }
  };
  emit(value);
  return cut(text);
}

/** `text`, cut to 40 characters with "..." (errors quote what they reject, never all of it). */
function cut(text: string): string {
  return text.length > DESCRIBE_LIMIT ? `${text.slice(0, DESCRIBE_LIMIT - 3)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A hex string "0x..." (1 to 16 significant digits) as a bigint; `what` names it in errors. */
export function parseHex64(value: unknown, what: string): bigint {
  if (typeof value !== "string" || !/^0[xX][0-9a-fA-F]+$/.test(value)) {
    throw new ScenarioError(`${what} must be a hex string like "0x1234", got ${describe(value)}`);
  }
  const n = BigInt(value);
  if (n > MAX64) throw new ScenarioError(`${what} value ${cut(value)} does not fit in 64 bits`);
  return n;
}

/**
 * How errors name a part of a scenario: as its JSON key (`"caps"`, `"sysregs.VTTBR_EL2"`) or as
 * the option of `faultc run` that gives it (`--caps`, `--sysregs VTTBR_EL2`). The options are
 * checked by the same code as the JSON, so that both accept and refuse the same values.
 */
export type Naming = "json" | "options";

function named(naming: Naming, key: string, sub?: string): string {
  if (naming === "options") return `--${key}${sub === undefined ? "" : ` ${sub}`}`;
  return `"${sub === undefined ? key : `${key}.${sub}`}"`;
}

/** A list of capability names: each known, none twice. */
export function parseCaps(value: unknown, naming: Naming = "json"): string[] {
  const where = named(naming, "caps");
  if (!Array.isArray(value) || value.some((c) => typeof c !== "string")) {
    throw new ScenarioError(`${where} must be an array of capability names, got ${describe(value)}`);
  }
  const seen = new Set<string>();
  for (const c of value as string[]) {
    if (!KNOWN_CAPABILITIES.includes(c)) {
      throw new ScenarioError(`unknown capability ${describe(c)} in ${where} (known: ${KNOWN_CAPABILITIES.join(", ")})`);
    }
    if (seen.has(c)) throw new ScenarioError(`capability ${describe(c)} appears twice in ${where}`);
    seen.add(c);
  }
  return [...seen];
}

const TABLE_FAULT_KINDS: readonly TableFaultKind[] = ["translation", "permission", "access-flag"];
const AT_FORMS = `{"ok":"0x<IPA>"}, "fault", {"par":"0x<PAR_EL1>"} or {"s2fault":{"level":0-3,"fault":"translation"|"permission"|"access-flag"}}`;

function parseAt(value: unknown): ScenarioAt {
  if (value === "fault") return "fault";
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "ok") {
      const ipa = parseHex64(value.ok, `"at.ok"`);
      if (ipa >> BigInt(SCENARIO_IPA_BITS) !== 0n) {
        throw new ScenarioError(`"at.ok" IPA ${cut(value.ok as string)} is outside the ${SCENARIO_IPA_BITS}-bit IPA space`);
      }
      return { ok: ipa };
    }
    if (keys.includes("par")) {
      const par = parseHex64(value.par, `"at.par"`);
      const ops: Partial<Record<AtOperationName, bigint>> = {};
      for (const k of keys.filter((x) => x !== "par")) {
        if (!(AT_OPERATION_NAMES as readonly string[]).includes(k)) throw new ScenarioError(`unknown key ${describe(k)} in "at" beside "par" (expected AT operations: ${AT_OPERATION_NAMES.join(", ")})`);
        ops[k as AtOperationName] = parseHex64(value[k], `"at.${k}"`);
      }
      return Object.keys(ops).length > 0 ? { par, ops } : { par };
    }
    if (keys.length === 1 && keys[0] === "s2fault" && isRecord(value.s2fault)) {
      const spec = value.s2fault;
      for (const k of Object.keys(spec)) {
        if (k !== "level" && k !== "fault") throw new ScenarioError(`unknown key ${describe(k)} in "at.s2fault" (expected level, fault)`);
      }
      const level = spec.level ?? 3;
      if (typeof level !== "number" || !Number.isInteger(level) || level < 0 || level > 3) {
        throw new ScenarioError(`"at.s2fault.level" must be a stage-1 lookup level 0-3, got ${describe(level)}`);
      }
      const fault = spec.fault ?? "translation";
      if (typeof fault !== "string" || !(TABLE_FAULT_KINDS as readonly string[]).includes(fault)) {
        throw new ScenarioError(`"at.s2fault.fault" must be "translation", "permission" or "access-flag", got ${describe(fault)}`);
      }
      return { s2fault: { level, fault: fault as TableFaultKind } };
    }
  }
  throw new ScenarioError(`"at" must be ${AT_FORMS}, got ${describe(value)}`);
}

/**
 * Registers a scenario sets through a key of its own. "sysregs" may not set them too: the machine
 * builds more than the register from such a key (FAR_EL2's page is in the guest tables, MIDR_EL1
 * implies capabilities), so a second value would silently win over only part of it.
 */
const REGISTER_KEYS: Readonly<Record<string, string>> = { ESR_EL2: "esr", FAR_EL2: "far", HPFAR_EL2: "hpfar", PAR_EL1: "par", MIDR_EL1: "midr" };

/** Throws when `sysregs` names a register that has its own scenario key. */
export function checkSysregsKeys(sysregs: Readonly<Record<string, unknown>>, naming: Naming = "json"): void {
  for (const name of Object.keys(sysregs)) {
    const key = REGISTER_KEYS[name];
    if (key !== undefined) {
      throw new ScenarioError(`${named(naming, "sysregs", name)} sets the register that ${named(naming, key)} sets; give it as ${named(naming, key)}`);
    }
  }
}

/** The system registers a scenario may set: names the model knows, checked by the machine's table. */
export function parseSysregs(value: unknown, naming: Naming = "json"): Record<string, bigint> {
  const where = named(naming, "sysregs");
  if (!isRecord(value)) throw new ScenarioError(`${where} must be an object of register names to hex values, got ${describe(value)}`);
  const out: Record<string, bigint> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name) || sysregByName(name) === undefined) throw new ScenarioError(`unknown system register ${describe(name)} in ${where}`);
    out[name] = parseHex64(v, named(naming, "sysregs", name));
  }
  checkSysregsKeys(out, naming);
  return out;
}

/**
 * Parses a scenario from JSON text or from an already parsed JSON value. A UTF-8 byte order mark
 * before the text (what some editors write at the start of a file) is accepted and ignored.
 */
export function parseScenario(input: string | unknown): Scenario {
  const value: unknown = typeof input === "string" ? parseScenarioJson(input).value : input;
  if (!isRecord(value)) throw new ScenarioError(`a scenario must be a JSON object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new ScenarioError(`unknown key ${describe(key)} (expected one of ${KEYS.join(", ")})`, { path: [key], of: "key" });
  }
  if (!("esr" in value)) throw new ScenarioError(`missing key "esr"`);
  const seed = atPath(["seed"], () => parseSeed(value.seed));
  const key = <T>(k: (typeof KEYS)[number], parse: (v: unknown) => T): T | undefined => (value[k] === undefined ? undefined : atPath([k], () => parse(value[k])));
  return scenario({
    esr: atPath(["esr"], () => parseHex64(value.esr, `"esr"`)),
    far: key("far", (v) => parseHex64(v, `"far"`)) ?? 0n,
    hpfar: key("hpfar", (v) => (v === "unknown" ? "unknown" : parseHex64(v, `"hpfar"`))) ?? 0n,
    par: key("par", (v) => parseHex64(v, `"par"`)) ?? 0n,
    at: key("at", parseAt),
    caps: key("caps", (v) => parseCaps(v)) ?? [],
    ...(value.midr !== undefined ? { midr: key("midr", (v) => parseHex64(v, `"midr"`)) } : {}),
    ...(value.sysregs !== undefined ? { sysregs: key("sysregs", (v) => parseSysregs(v)) } : {}),
    seed,
  });
}

/** "seed": a non-negative JSON integer, default 0. */
export function parseSeed(value: unknown): number {
  const seed = value ?? 0;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new ScenarioError(`"seed" must be a non-negative integer, got ${describe(seed)}`);
  }
  return seed;
}

/** A scenario's JSON text, read with the positions of its parts; a syntax error is a ScenarioError at its offset. */
export function parseScenarioJson(text: string): PositionedJson {
  try {
    return parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ScenarioError(`not valid JSON: ${e.message}`, { offset: e.offset });
    throw e;
  }
}

export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/**
 * The scenario as `faultc run` options, each key as the option of its name (keys at their
 * defaults left out), so that a counterexample replays from a command line as from its JSON.
 */
export function scenarioToOptions(s: Scenario): string[] {
  const out = ["--esr", hex(s.esr)];
  if (s.far !== 0n) out.push("--far", hex(s.far));
  if (s.hpfar !== 0n) out.push("--hpfar", s.hpfar === "unknown" ? "unknown" : hex(s.hpfar));
  if (s.par !== 0n) out.push("--par", hex(s.par));
  if (s.at !== undefined) {
    const at = s.at === "fault" ? "fault" : "ok" in s.at ? `ok:${hex(s.at.ok)}` : "par" in s.at ? parAtText(s.at) : `s2fault:${s.at.s2fault.level}:${s.at.s2fault.fault}`;
    out.push("--at", at);
  }
  if (s.caps.length > 0) out.push("--caps", s.caps.join(","));
  if (s.midr !== undefined) out.push("--midr", hex(s.midr));
  if (s.seed !== 0) out.push("--seed", String(s.seed));
  if (s.sysregs !== undefined) out.push("--sysregs", Object.entries(s.sysregs).map(([k, v]) => `${k}=${hex(v)}`).join(","));
  return out;
}

function parJson(at: { readonly par: bigint; readonly ops?: Readonly<Partial<Record<AtOperationName, bigint>>> }): Record<string, string> {
  return Object.fromEntries([["par", hex(at.par)], ...AT_OPERATION_NAMES.filter((op) => at.ops?.[op] !== undefined).map((op) => [op, hex(at.ops![op]!)])]);
}

/** The JSON value of a scenario (every key present except an absent midr; stable key order). */
export function scenarioToJson(s: Scenario): Record<string, unknown> {
  const at =
    s.at === undefined ? undefined : s.at === "fault" ? "fault" : "ok" in s.at ? { ok: hex(s.at.ok) } : "par" in s.at ? parJson(s.at) : { s2fault: { level: s.at.s2fault.level, fault: s.at.s2fault.fault } };
  return {
    esr: hex(s.esr),
    far: hex(s.far),
    hpfar: s.hpfar === "unknown" ? "unknown" : hex(s.hpfar),
    par: hex(s.par),
    ...(at !== undefined ? { at } : {}),
    caps: [...s.caps],
    ...(s.midr !== undefined ? { midr: hex(s.midr) } : {}),
    seed: s.seed,
    ...(s.sysregs !== undefined ? { sysregs: Object.fromEntries(Object.entries(s.sysregs).map(([k, v]) => [k, hex(v)])) } : {}),
  };
}
