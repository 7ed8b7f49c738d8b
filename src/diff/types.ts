// The report of `faultc diff A B`: every class of inputs on which two versions of the logic
// behave differently, in field terms, one row per class, each with what either side does and a
// witness that replays with `faultc run`. This is the JSON form (`faultc diff --json`) as well as
// what the terminal, markdown and HTML renderings read: values are JSON-ready (hex strings for
// 64-bit values, scenarios and run results in docs/RUN.md's forms), so a page can embed it as is.

/** One condition of a class: a decision feature and the values it takes there. */
export interface ClassCondition {
  /**
   * The feature: "EC", "FSC", "S1PTW", "FnV", "EA", "ESR[63:32]", "AT s1e1r" (the AT answer's
   * PAR.F for that operation), "REG=0" for another register a side tests against zero, or
   * "cap NAME" for a capability.
   */
  feature: string;
  /**
   * The values the feature takes in the class, ascending: EC and FSC codes, 0/1 for a bit (AT:
   * 1 = the translation fails; ESR[63:32]: 1 = some bit above 31 is set; REG=0: 1 = the register
   * is zero; cap: 1 = present).
   */
  values: number[];
  /** The condition in words: "EC in {DABT_LOW, IABT_LOW}", "FSC access flag L0-L3", "S1PTW=0", "ARM64_WORKAROUND_834220". */
  text: string;
}

export interface DiffClass {
  /** Conditions on features a row constrains; a feature not listed takes any value. */
  conditions: ClassCondition[];
  /** The conditions joined: "EC in {DABT_LOW, IABT_LOW}, FSC access flag L0-L3, S1PTW=0" ("every input" when none). */
  text: string;
}

/** What one side does on a row's inputs. */
export interface SideBehaviour {
  /** The outcome in the side's own words: "exit 0x2", "retry", "handoff do_trap_guest_serror". */
  outcome: string;
  /** Side A only: its outcome in B's vocabulary through the outcome mapping, when the mapping renames it. */
  mapped?: string;
  /** The recorded fields (and system registers, as "sysreg NAME") that differ, with the witness's values. */
  values: Record<string, string>;
  /** The rules the witness's path enters, in order (rule-file sides; empty for machine code). */
  rules: string[];
  /**
   * Every path of this side that differing inputs of the class take, each as the rules it enters
   * in order (the witness's among them); for highlighting a decision graph.
   */
  paths: string[][];
}

export interface Witness {
  /** The scenario, as `faultc run` reads it (docs/RUN.md). */
  scenario: Record<string, unknown>;
  /** Both sides' concrete runs of it (faultc run's result form). */
  a: Record<string, unknown>;
  b: Record<string, unknown>;
  /** The concrete replay shows the row's difference (false is a bug in faultc, and exit 3). */
  replayed: boolean;
  /** Why not, when it does not. */
  mismatch?: string;
  /**
   * Set when the solver gave up minimising: the witness is a model of the class (it replays) but
   * not the smallest, and the report is undecided (verdict "unknown", exit 3). Says why.
   */
  undecided?: string;
}

export interface DiffRow {
  /** 1-based, in table order. */
  id: number;
  class: DiffClass;
  /** What differs: "outcome", or the fields ("field hpfar_el2", A=B names for a --map pair) and "sysreg PAR_EL1". */
  differs: string[];
  a: SideBehaviour;
  b: SideBehaviour;
  witness: Witness;
  /**
   * true: the solver proved every input of the class (under the contract's assumptions) differs
   * this way. false: a partial description: every input of the class that differs, differs this
   * way, but some inputs of the class do not differ (or differ in only some of the listed items).
   */
  exact: boolean;
}

/** One pair of the outcome mapping: A's outcome is taken to be B's. */
export interface OutcomePair {
  /** Outcome keys as in SideBehaviour.outcome. */
  a: string;
  b: string;
  /** "--map-outcome" or "FILE:LINE" of a --mapping file. */
  from: string;
}

export interface DiffReport {
  sides: { a: string; b: string };
  /** The `faultc run` targets that replay each side (an object function with its --binding). */
  replay: { a: string; b: string };
  strict: boolean;
  /** The contract used (whose observed fields are compared), or null (strict comparison). */
  contract: { file: string } | null;
  /** The outcome mapping used (empty: outcomes compared by name). */
  mapping: OutcomePair[];
  /** Record fields compared under other names (--map A_FIELD=B_FIELD). */
  fieldMap: { a: string; b: string }[];
  /** Fields in no pair (A.NAME or B.NAME): never compared. */
  notCompared: string[];
  /** Capabilities enumerated, and the ones either side's build fixes. */
  capabilities: { enumerated: string[]; fixed: { name: string; present: boolean }[] };
  /** "same": nothing differs; "different": rows; "unknown": the solver could not decide (exit 3). */
  verdict: "same" | "different" | "unknown";
  /** Why, when unknown. */
  reason?: string;
  rows: DiffRow[];
  /**
   * The solver proved the rows cover every difference: (A and B differ) with the negation of
   * every row's class is unsatisfiable, for every capability combination.
   */
  complete: boolean;
  /** Solver calls made (exploration, partition, completeness, witnesses). */
  solverCalls: number;
}
