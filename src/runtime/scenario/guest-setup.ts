// The guest-access form of a scenario: {"guest":{...}} states a guest access and its translation
// tables (the trap builder's input, GuestAccessTrapInput), and the trap builder computes the
// registers the EL2 handler sees (docs/RUN.md, "The guest-access form"). readScenario reads either
// form; the guest's fields are GUEST_SCHEMA's rows (input-schema.ts), from which the reading, the
// checks, the errors and the documentation's table all come.
import { atPath, checkSysregsKeys, describe, KEYS, parseCaps, parseHex64, parseScenario, parseScenarioJson, parseSeed, parseSysregs, scenario, ScenarioError, scenarioToJson, hex, type Scenario } from "./scenario.ts";
import { positionAt, type TextPosition } from "./json-positions.ts";
import { readObject, schemaTable, type SchemaOf } from "./input-schema.ts";
import { trapFromGuestAccess, type GuestAccessTrapInput, type Stage1MappingSpec, type Stage2MappingSpec, type TableFaultSpec, type TrapOutcome } from "./trap.ts";
import { BEYOND_OUTPUT_SIZE_ADDRESSES, PA_SIZES, type BeyondOutputSizeSpec, type TranslationSizesSpec } from "./address-sizes.ts";
import { MAX_INPUT_SIZE, MIN_INPUT_SIZE } from "../mmu/implementation.ts";
import { WALK_FAULT_KINDS, type Stage2WalkAbortSpec } from "./walk-faults.ts";


/** Input fields given beside "guest" at the top level, as in the registers form: they mean the same there. */
type SharedField = "midr" | "caps" | "seed";
/** The scenario keys the trap builder computes from "guest": giving one as well is an error. */
export const COMPUTED_KEYS = ["esr", "far", "hpfar", "par", "at"] as const;

const STAGE1: SchemaOf<Stage1MappingSpec> = {
  va: { type: { kind: "hex" }, required: true, doc: "first VA of the mapping" },
  ipa: { type: { kind: "hex" }, required: true, doc: "the IPA it maps to" },
  size: { type: { kind: "hex" }, fallback: '`"0x1000"`', doc: "bytes, a multiple of the leaf size" },
  level: { type: { kind: "integer", min: 1, max: 3 }, fallback: "3", doc: "leaf level: 3 pages, 2 for 2M blocks, 1 for 1G blocks" },
  ap: { type: { kind: "integer", min: 0, max: 3 }, fallback: "0 (EL1 read/write)", doc: "AP[2:1]: 0 EL1 RW, 1 EL1 and EL0 RW, 2 EL1 RO, 3 EL1 and EL0 RO" },
  af: { type: { kind: "boolean" }, fallback: "`true`", doc: "access flag (`false`: an access-flag fault at stage 1)" },
  pxn: { type: { kind: "boolean" }, fallback: "`false`", doc: "privileged execute-never" },
  uxn: { type: { kind: "boolean" }, fallback: "`true`", doc: "unprivileged execute-never" },
  attrIndx: { type: { kind: "integer", min: 0, max: 7 }, fallback: "0", doc: "MAIR_EL1 attribute index" },
};

const STAGE2: SchemaOf<Stage2MappingSpec> = {
  ipa: { type: { kind: "hex" }, required: true, doc: "first IPA of the mapping" },
  pa: { type: { kind: "hex" }, required: true, doc: "the PA it maps to" },
  size: { type: { kind: "hex" }, fallback: '`"0x1000"`', doc: "bytes, a multiple of the leaf size" },
  level: { type: { kind: "integer", min: 1, max: 3 }, fallback: "3", doc: "leaf level: 3 pages, 2 for 2M blocks, 1 for 1G blocks" },
  s2ap: { type: { kind: "integer", min: 0, max: 3 }, fallback: "3 (read/write)", doc: "S2AP: 0 none, 1 read-only, 2 write-only, 3 read/write" },
  af: { type: { kind: "boolean" }, fallback: "`true`", doc: "access flag (`false`: an access-flag fault at stage 2)" },
  xn: { type: { kind: "boolean" }, fallback: "`false`", doc: "execute-never at stage 2" },
  memAttr: { type: { kind: "integer", min: 0, max: 15 }, fallback: "15 (Normal Write-Back)", doc: "stage-2 MemAttr[3:0]; 0-3 is Device memory (a stage-1 table there faults under `hcrPtw`)" },
};

const TABLE_FAULT: SchemaOf<TableFaultSpec> = {
  va: { type: { kind: "hex" }, required: true, doc: "a VA whose stage-1 walk reads the table" },
  level: { type: { kind: "integer", min: 0, max: 3 }, required: true, doc: "the stage-1 lookup level whose table meets the fault" },
  fault: {
    type: { kind: "enum", values: WALK_FAULT_KINDS },
    required: true,
    doc: "what the table's page meets at stage 2: a hole, no access, access flag clear, Device memory, read-only, a PA outside memory (an External abort on the stage-1 walk), or a stage-2 walk fetching outside memory",
  },
  s2Level: { type: { kind: "integer", min: 0, max: 3 }, fallback: "3", doc: '`"translation"`: the stage-2 level of the hole; `"walk-external-abort"`: the stage-2 level whose descriptor fetch is outside memory' },
};

const STAGE2_WALK_ABORT: SchemaOf<Stage2WalkAbortSpec> = {
  ipa: { type: { kind: "hex" }, required: true, doc: "an IPA whose stage-2 walk fetches a descriptor outside memory" },
  level: { type: { kind: "integer", min: 0, max: 3 }, required: true, doc: "the stage-2 lookup level of that fetch, below the start level" },
};

const TRANSLATION_SIZES: SchemaOf<TranslationSizesSpec> = {
  vaBits: { type: { kind: "integer", min: MIN_INPUT_SIZE, max: MAX_INPUT_SIZE }, fallback: "48", doc: "TTBR0 VA size (TCR_EL1.T0SZ = 64 - vaBits)" },
  upperVaBits: { type: { kind: "integer", min: MIN_INPUT_SIZE, max: MAX_INPUT_SIZE }, fallback: "48", doc: "TTBR1 VA size (TCR_EL1.T1SZ = 64 - upperVaBits)" },
  ipsBits: { type: { kind: "enum", values: PA_SIZES }, fallback: "48", doc: "TCR_EL1.IPS as a size: stage 1's output (IPA) size" },
  ipaBits: { type: { kind: "integer", min: MIN_INPUT_SIZE, max: MAX_INPUT_SIZE }, fallback: "40", doc: "IPA size (VTCR_EL2.T0SZ = 64 - ipaBits): an IPA beyond it is a level-0 Translation fault" },
  paBits: { type: { kind: "enum", values: PA_SIZES }, fallback: "48", doc: "VTCR_EL2.PS as a size: stage 2's output (PA) size" },
  sl0: { type: { kind: "integer", min: 0, max: 3 }, fallback: "the deepest start level with at most 16 concatenated tables", doc: "VTCR_EL2.SL0 (4K granule: start level 2 - SL0), written as given" },
};

const BEYOND_OUTPUT_SIZE: SchemaOf<BeyondOutputSizeSpec> = {
  address: {
    type: { kind: "enum", values: BEYOND_OUTPUT_SIZE_ADDRESSES },
    required: true,
    doc: "whose address gets `bit` set: the stage-1 table the walk of `at` reads at `level`, the stage-2 table of IPA `at` at `level`, or the stage-2 leaf mapping the page of that stage-1 table (S1PTW)",
  },
  at: { type: { kind: "hex" }, required: true, doc: "the VA (or, for `s2-table`, the IPA) whose walk meets the fault" },
  level: { type: { kind: "integer", min: 0, max: 3 }, required: true, doc: "the lookup level of the table" },
  bit: { type: { kind: "integer", min: 0, max: 51 }, required: true, doc: "the address bit set, at or above the stage's output size" },
};

/**
 * The fields of "guest": GuestAccessTrapInput's, one row each (midr, caps and seed are the
 * scenario's own top-level keys). A field added to GuestAccessTrapInput and not here is a type
 * error, so that the form states every set-up the builder can compute.
 */
export const GUEST_SCHEMA: SchemaOf<Omit<GuestAccessTrapInput, SharedField>> = {
  va: { type: { kind: "hex" }, required: true, doc: "the VA the guest accesses (FAR of a fault)" },
  access: { type: { kind: "enum", values: ["read", "write"] }, fallback: "`instruction`'s", doc: "what the access does; required without `instruction`" },
  kind: { type: { kind: "enum", values: ["data", "instruction"] }, fallback: "`instruction`'s", doc: "a data access or an instruction fetch (a read of 4 bytes); required without `instruction`" },
  el: { type: { kind: "enum", values: [0, 1] }, fallback: "1", doc: "the guest's exception level (0: EL0 permissions, EL1's exception class _LOW)" },
  size: { type: { kind: "integer", min: 1, max: 64 }, fallback: "1, or `instruction`'s", doc: "bytes accessed; a data access crossing a page is done in two parts, in address order" },
  instruction: {
    type: { kind: "text", example: "ldrsh w5, [x2]" },
    fallback: "a generic access (ISV 0)",
    doc: "the A64 instruction making the access (GNU as syntax): its direction, size, kind, permissions and syndrome (ISV, SAS, SSE, SRT, SF, AR; CM for cache maintenance) follow from it; `va` is its effective address",
  },
  dczvaBytes: { type: { kind: "integer", min: 4, max: 2048 }, fallback: "64", doc: "DC ZVA's block size in bytes (DCZID_EL0), a power of two" },
  stage1: { type: { kind: "list", of: STAGE1 }, required: true, doc: "the guest's stage-1 mappings (its tables at IPA = PA, mapped at stage 2)" },
  stage2: { type: { kind: "list", of: STAGE2 }, required: true, doc: "the stage-2 mappings" },
  tableFaults: { type: { kind: "list", of: TABLE_FAULT }, fallback: "`[]`", doc: "stage-1 tables whose page meets a stage-2 fault (an S1PTW fault on the walk)" },
  erratum834220: { type: { kind: "enum", values: ["misreport", "architectural"] }, fallback: '`"misreport"`', doc: "what an erratum-834220 part (by `midr`) reports when the erratum's conditions hold" },
  hcrPtw: { type: { kind: "boolean" }, fallback: "`false`", doc: "HCR_EL2.PTW: a stage-1 table in stage-2 Device memory is a stage-2 Permission fault on the walk" },
  stage2WalkAborts: { type: { kind: "list", of: STAGE2_WALK_ABORT }, fallback: "`[]`", doc: "IPAs whose stage-2 walk meets a synchronous External abort" },
  translation: { type: { kind: "object", fields: TRANSLATION_SIZES }, fallback: "`{}`", doc: "the VA, IPA and PA sizes and VTCR_EL2.SL0" },
  stage1TableIpa: { type: { kind: "hex" }, fallback: "each table at IPA = PA", doc: "IPA from which the stage-1 table pages are placed, a page each in allocation order (so that HPFAR_EL2 of an S1PTW fault names an IPA other than the table's PA)" },
  beyondOutputSize: { type: { kind: "list", of: BEYOND_OUTPUT_SIZE }, fallback: "`[]`", doc: "table addresses set beyond TCR_EL1.IPS or VTCR_EL2.PS: Address size faults at a chosen level" },
};

/** The documentation's table of the guest's fields (docs/RUN.md holds it; a test checks it is this). */
export function guestSchemaTable(): string {
  return schemaTable(GUEST_SCHEMA, "guest");
}

/** A scenario as read: stated by its registers, or computed from a guest access. */
export type ScenarioInput =
  | { readonly form: "registers"; readonly scenario: Scenario }
  | {
      readonly form: "guest";
      readonly input: GuestAccessTrapInput;
      readonly trap: TrapOutcome;
      /** The scenario the handler runs on, when the access traps to EL2 (the top-level sysregs added). */
      readonly scenario: Scenario | undefined;
    };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a scenario in either form from JSON text or an already parsed value; throws ScenarioError
 * with the path (or text offset) of what is wrong (scenarioErrorPosition makes it line:col).
 */
export function readScenario(input: string | unknown): ScenarioInput {
  const value: unknown = typeof input === "string" ? parseScenarioJson(input).value : input;
  if (!isRecord(value)) throw new ScenarioError(`a scenario must be a JSON object, got ${describe(value)}`);
  const known: readonly string[] = [...KEYS, "guest"];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new ScenarioError(`unknown key ${describe(key)} (expected one of ${known.join(", ")})`, { path: [key], of: "key" });
  }
  if (value.guest === undefined) return { form: "registers", scenario: parseScenario(value) };

  for (const key of COMPUTED_KEYS) {
    if (value[key] !== undefined) {
      throw new ScenarioError(`"${key}" and "guest" are both given: the trap builder computes "${key}" from "guest"; give one of them`, { path: [key], of: "key" });
    }
  }
  const fields = readObject(GUEST_SCHEMA, value.guest, ["guest"]);
  const caps = value.caps === undefined ? undefined : atPath(["caps"], () => parseCaps(value.caps));
  const midr = value.midr === undefined ? undefined : atPath(["midr"], () => parseHex64(value.midr, `"midr"`));
  const seed = atPath(["seed"], () => parseSeed(value.seed));
  const sysregs = value.sysregs === undefined ? undefined : atPath(["sysregs"], () => parseSysregs(value.sysregs));
  // The schema has a row for every field of the type (SchemaOf), and read each value by its row.
  const trapInput = {
    ...fields,
    ...(caps !== undefined ? { caps } : {}),
    ...(midr !== undefined ? { midr } : {}),
    ...(value.seed !== undefined ? { seed } : {}),
  } as unknown as GuestAccessTrapInput;
  // What the builder refuses (tables that overlap, an instruction fetch that writes) is the guest's.
  const trap = atPath(["guest"], () => trapFromGuestAccess(trapInput));
  let built: Scenario | undefined;
  if (trap.taken === "el2") {
    const merged = { ...(trap.scenario.sysregs ?? {}) };
    for (const [name, v] of Object.entries(sysregs ?? {})) {
      if (trap.scenario.sysregs?.[name] !== undefined) {
        throw new ScenarioError(`"sysregs.${name}" sets a register that "guest" sets (${hex(trap.scenario.sysregs[name])}); leave it out`, { path: ["sysregs", name], of: "key" });
      }
      merged[name] = v;
    }
    atPath(["sysregs"], () => checkSysregsKeys(merged));
    built = scenario({ ...trap.scenario, sysregs: merged });
  }
  return { form: "guest", input: trapInput, trap, scenario: built };
}

/** Where `e` is in `text` (the scenario it was read from): its key or value, or its JSON syntax error. */
export function scenarioErrorPosition(e: ScenarioError, text: string): TextPosition {
  if (e.offset !== undefined) return positionAt(text, e.offset);
  try {
    return parseScenarioJson(text).positionOf(e.path ?? [], e.of ?? "value");
  } catch {
    return { line: 1, column: 1 };
  }
}

/** A JSON value of the builder's answer: bigints as hex strings, a built scenario in its JSON form. */
function plainJson(value: unknown): unknown {
  if (typeof value === "bigint") return hex(value);
  if (Array.isArray(value)) return value.map(plainJson);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plainJson(v)]));
  return value;
}

/**
 * What the trap builder computed, as results show it (`"trap"` in docs/RUN.md): where the access is
 * taken ("el2", "el1" or "none") and the builder's answer, field by field: for "el2" the scenario
 * (the registers the handler sees) and the metadata (fault type, level, S1PTW, IPA, ...); for "el1"
 * ESR_EL1 and FAR_EL1 as `esr` and `far`; for "none" the IPA and PA the access reached.
 */
export function trapToJson(trap: TrapOutcome, built?: Scenario): Record<string, unknown> {
  if (trap.taken !== "el2") return plainJson(trap) as Record<string, unknown>;
  const { architectural, ...meta } = trap.meta;
  return {
    taken: trap.taken,
    scenario: scenarioToJson(built ?? trap.scenario),
    meta: { ...(plainJson(meta) as Record<string, unknown>), ...(architectural !== undefined ? { architectural: trapToJson(architectural) } : {}) },
  };
}
