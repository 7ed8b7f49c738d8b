// One fault explained: the registers decoded into their fields (Arm ARM names, values, meanings),
// where each value came from (an option, a line of a kernel log, the model's default), the
// kernel's own decoding of it checked, the MIDR's part and errata, and the path a side took on
// it. Built from values, not from files, so that the page in the browser builds the same thing;
// its JSON (json.ts) and its text (report.ts) are two views of it.
import type { DecodedMidr, DecodedRegister } from "../decode/types.ts";
import type { RunResult, TraceEntry } from "../runtime/run/types.ts";
import type { Scenario } from "../runtime/scenario/scenario.ts";
import type { ClaimCheck } from "./claims.ts";
import type { LogPlace } from "./kernel-log.ts";
import type { PathStep } from "./rule-path.ts";

/** Where a value came from: an option, a place in a text (file, line, column, the line as written), or the model's default. */
export type ValueSource =
  | { readonly kind: "option"; readonly option: string }
  | { readonly kind: "log"; readonly file: string; readonly written: string; readonly at: LogPlace; readonly also: readonly LogPlace[] }
  | { readonly kind: "default" };

export interface ExplainedRegister {
  readonly decoded: DecodedRegister;
  readonly source: ValueSource;
}

export interface SideRun {
  /** The side as named (dsl/linux-6.12.fault#c, PATH.o:SYMBOL). */
  readonly label: string;
  readonly kind: string;
  /** For a rule file: the handler and its decision path. */
  readonly handler?: string;
  readonly steps?: readonly PathStep[];
  /**
   * For machine code (an assembly file, an asm-like variant, an object function): the instructions
   * executed; for a function over HypApi (a reference in TypeScript): its calls of HypApi.
   */
  readonly instructions?: readonly TraceEntry[];
  /** What `instructions` holds: "instructions" or HypApi "calls". */
  readonly traced?: "instructions" | "calls";
  readonly run: RunResult;
}

export interface Explanation {
  readonly scenario: Scenario;
  readonly esr: ExplainedRegister;
  readonly far: ExplainedRegister;
  readonly hpfar: ExplainedRegister | { readonly unknown: true; readonly source: ValueSource };
  readonly par: ExplainedRegister;
  readonly midr: { readonly decoded: DecodedMidr; readonly source: ValueSource };
  /** The kernel's own decoding in the log, field by field against the decoded ESR. */
  readonly checks: readonly ClaimCheck[];
  readonly side: SideRun;
}

/** The capabilities the run had that were not asked for: those the model derives from MIDR. */
export function derivedCapabilities(e: Explanation): string[] {
  return e.side.run.meta.capabilities.filter((c) => !e.scenario.caps.includes(c));
}
