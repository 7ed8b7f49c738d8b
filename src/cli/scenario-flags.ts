// The scenario options of `faultc run` (--esr, --far, --hpfar, --par, --at, --caps, --midr, --seed,
// --sysregs), parsed into a Scenario by the scenario module's own checks, so that a bad value is
// the same usage error wherever a command takes these options (`faultc run`, `faultc explain`).
import {
  AT_OPERATION_NAMES, parseCaps, parseHex64, parseScenario, parseSysregs, scenario, ScenarioError, type Scenario, type ScenarioAt, type TableFaultKind,
} from "../runtime/scenario/index.ts";
import { UsageError } from "./args.ts";

/** The options that make a scenario, as `faultc run` and `faultc explain` take them. */
export const SCENARIO_FLAGS = ["esr", "far", "hpfar", "par", "at", "caps", "midr", "seed", "sysregs"] as const;

function flagHex(value: string, flag: string): bigint {
  return optionValue(() => parseHex64(value, `--${flag}`));
}

/** The value forms of --at (ok:IPA, par:PAR), checked as the JSON's {"ok":...} and {"par":...}; what errors call the value. */
const AT_VALUE_FORMS = { ok: "IPA", par: "PAR_EL1" } as const;

function parseAtFlag(value: string): ScenarioAt {
  if (value === "fault") return "fault";
  const form = /^(ok|par):/.exec(value)?.[1] as keyof typeof AT_VALUE_FORMS | undefined;
  if (form !== undefined) {
    // par:PAR[,OP:PAR...]: the operations AT answers differently ({"par":...,"s1e1a":...}).
    const [first, ...rest] = form === "par" ? value.split(",") : [value];
    const ops: [string, string][] = [];
    for (const r of rest) {
      const m = /^([^:]*):(.*)$/.exec(r);
      if (m === null || !(AT_OPERATION_NAMES as readonly string[]).includes(m[1])) throw new UsageError(`--at ${value}: after par:PAR come OP:PAR for the AT operations answered differently (${AT_OPERATION_NAMES.join(", ")}), got '${r}'`);
      if (ops.some(([op]) => op === m[1])) throw new UsageError(`--at ${value}: ${m[1]} is given twice`);
      ops.push([m[1], m[2]]);
    }
    try {
      const parsed = parseScenario({ esr: "0x0", at: { [form]: first.slice(form.length + 1), ...Object.fromEntries(ops) } }).at;
      if (parsed !== undefined) return parsed;
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(`--at ${value}: ${e.message.replace(new RegExp(`^"at\\.${form}"( IPA)?`), AT_VALUE_FORMS[form]).replace(/^"at\.(s12?e\d[rwa])"/, "$1's PAR_EL1")}`);
      throw e;
    }
  }
  const m = /^s2fault:([0-3])(?::(translation|permission|access-flag))?$/.exec(value);
  if (m) return { s2fault: { level: Number(m[1]), fault: (m[2] ?? "translation") as TableFaultKind } };
  throw new UsageError(`--at must be ok:IPA, par:PAR, fault or s2fault:LEVEL[:translation|permission|access-flag], got '${value}'`);
}

/** A ScenarioError in an option's value is a usage error. */
function optionValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

/** --sysregs NAME=HEX,...: the JSON "sysregs" object, checked by the same code. */
function parseSysregsFlag(value: string): Record<string, bigint> {
  const entries: [string, string][] = [];
  for (const item of value.split(",")) {
    const m = /^([^=]*)=(.*)$/.exec(item);
    if (m === null) throw new UsageError(`--sysregs must be NAME=HEX[,NAME=HEX...], got '${item}'`);
    if (entries.some(([name]) => name === m[1])) throw new UsageError(`--sysregs: register '${m[1]}' given twice`);
    entries.push([m[1], m[2]]);
  }
  return optionValue(() => parseSysregs(Object.fromEntries(entries), "options"));
}

/**
 * The scenario the options give. `esr` (and any other field) may come from elsewhere (`faultc
 * explain` reads a kernel log): `base` holds those values, which an option given too overrides.
 */
export function scenarioFromFlags(flags: Map<string, string | true>, base: Partial<Scenario> = {}): Scenario {
  const get = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const esrText = get("esr");
  const esr = esrText !== undefined ? flagHex(esrText, "esr") : base.esr;
  if (esr === undefined) throw new UsageError("missing --esr (or read scenarios with --jsonl)");
  const capsText = get("caps");
  const caps = capsText === undefined ? base.caps ?? [] : optionValue(() => parseCaps(capsText.split(","), "options"));
  const sysregsText = get("sysregs");
  const seedText = get("seed");
  if (seedText !== undefined && !/^\d{1,15}$/.test(seedText)) throw new UsageError(`--seed must be a non-negative decimal integer, got '${seedText}'`);
  const hpfar = get("hpfar");
  const far = get("far");
  const par = get("par");
  const midr = get("midr");
  const at = get("at");
  return scenario({
    ...base,
    esr,
    ...(far !== undefined ? { far: flagHex(far, "far") } : {}),
    ...(hpfar !== undefined ? { hpfar: hpfar === "unknown" ? "unknown" : flagHex(hpfar, "hpfar") } : {}),
    ...(par !== undefined ? { par: flagHex(par, "par") } : {}),
    ...(at !== undefined ? { at: parseAtFlag(at) } : {}),
    caps,
    ...(midr !== undefined ? { midr: flagHex(midr, "midr") } : {}),
    ...(seedText !== undefined ? { seed: Number(seedText) } : {}),
    ...(sysregsText !== undefined ? { sysregs: parseSysregsFlag(sysregsText) } : {}),
  });
}
