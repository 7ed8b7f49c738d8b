// docs/HISTORY.md: the diff tables of consecutive versions of the logic (2016 -> 6.1 -> 6.12 ->
// 6.15), Xen against 6.15, and 6.15 against the same rule file with the level -1 address size
// FSC corrected to the Arm ARM's 0x29. Each table is `faultc diff --markdown` of the pair, with
// the options printed as a command line; each row names the upstream change that made it where
// it is known (../shared/FACTS.md's versions, the rule files' `source` lines). Written by
// `faultc diff --history`; test/diff/history.test.ts fails when the committed file is stale.
import { parseFieldMap } from "../equiv/fields.ts";
import { diff } from "./diff.ts";
import { pairsFromOptions } from "./outcome-mapping.ts";
import { renderDiffMarkdownSection } from "./render.ts";
import type { DiffRow } from "./types.ts";

/** A known upstream change and the rows it made: the first whose test holds names a row's change. */
interface Change {
  rows: (r: DiffRow) => boolean;
  change: string;
}

export interface HistoryPair {
  title: string;
  a: string;
  b: string;
  /** --map A_FIELD=B_FIELD options. */
  map?: string[];
  /** --map-outcome A=B options. */
  mapping?: string[];
  /** A paragraph: what the two sides are. */
  about: string;
  changes: Change[];
}

/** The row's class constrains `feature`, to a set containing `value` when given. */
const has = (r: DiffRow, feature: string, value?: number) => r.class.conditions.some((c) => c.feature === feature && (value === undefined || c.values.includes(value)));
const differs = (r: DiffRow, item: string) => r.differs.some((d) => d.startsWith(item));
const outcomes = (r: DiffRow, a: RegExp, b: RegExp) => a.test(r.a.outcome) && b.test(r.b.outcome);
const WATCHPT_LOW = 0x34;

export const HISTORY: readonly HistoryPair[] = [
  {
    title: "Linux 2016 -> Linux 6.1",
    a: "dsl/kvm-2016.fault#c",
    b: "dsl/linux-6.1.fault#c",
    mapping: ["exit ARM_EXCEPTION_TRAP=exit ARM_EXCEPTION_TRAP"],
    about:
      "The 2016 __populate_fault_info (the seed's C version, with el1_sync's dispatch before it) against Debian's 6.1.192 __get_fault_info. ARM_EXCEPTION_TRAP is 1 in 2016 and 2 in 6.1 (the exit codes were renumbered in between); the mapping pairs the exit by its name, so that a row is a change of decision, not of numbering.",
    changes: [
      { rows: (r) => has(r, "EC", WATCHPT_LOW) && !has(r, "EC", 0x24), change: "811154e234db (v6.4, backported to 6.1.y): the watchpoint exit handler decodes the fault too" },
      { rows: (r) => has(r, "ESR[63:32]", 1), change: "the syndrome kept as 64 bits (u64 esr_el2) and the EC taken with ESR_ELx_EC (Linux 4.20), not a u8 cast of a 32-bit value" },
      { rows: (r) => differs(r, "field hpfar_el2"), change: "Linux 4.20: PAR_TO_HPFAR masks GENMASK(PHYS_MASK_SHIFT-1, 12) (2016: 36 bits from bit 12 of PAR)" },
      { rows: (r) => has(r, "cap ARM64_HAS_VIRT_HOST_EXTN"), change: "the VHE alternative for reading ESR and FAR (2016) replaced by read_sysreg_el2" },
      { rows: (r) => /^handoff kvm_hyp_handle_/.test(r.b.outcome), change: "6.1 handles this EC in hyp (the kvm_hyp_handle_* early exit handlers) before any exit to the host" },
    ],
  },
  {
    title: "Linux 6.1 -> Linux 6.12",
    a: "dsl/linux-6.1.fault#c",
    b: "dsl/linux-6.12.fault#c",
    about: "Debian's 6.1.192 __get_fault_info against Debian's 6.12.117 (arch/arm64/kvm/hyp/include/hyp/fault.h).",
    changes: [
      { rows: (r) => differs(r, "field hpfar_el2"), change: "a0d37784bfd7 (v6.2): PAR_TO_HPFAR masks GENMASK(51, 12) regardless of the PA size" },
      { rows: (r) => has(r, "cap ARM64_HAS_S1POE", 1), change: "6.12: AT S1E1A instead of S1E1R when system_supports_poe() (FEAT_S1POE)" },
    ],
  },
  {
    title: "Linux 6.12 -> Linux 6.15",
    a: "dsl/linux-6.12.fault#c",
    b: "dsl/linux-6.15.fault#c",
    about: "Debian's 6.12.117 against 6.15 with the kvmarm fixes of 2025-04-03.",
    changes: [
      { rows: (r) => outcomes(r, /^retry/, /^exit/), change: "26fbdf369227 \"Don't translate FAR if invalid/unsafe\": no AT after an external abort on a walk; HPFAR_EL2 trusted where the Arm ARM makes it valid" },
      { rows: (r) => outcomes(r, /^exit/, /^retry/), change: "fb8a3eba9c81 \"Only read HPFAR_EL2 when value is architecturally valid\": AT on FAR where 6.12 read HPFAR_EL2" },
      { rows: (r) => differs(r, "field hpfar_el2"), change: "fb8a3eba9c81 and 1cf3e126f152: the recorded IPA marked valid with HPFAR_EL2.NS (bit 63), 0 when not translated" },
      { rows: (r) => differs(r, "field far_el2"), change: "26fbdf369227: FAR_EL2 recorded for every memory abort before deciding whether to translate it" },
    ],
  },
  {
    title: "Xen -> Linux 6.15",
    a: "dsl/xen.fault#c",
    b: "dsl/linux-6.15.fault#c",
    map: ["gva=far_el2"],
    mapping: ["retry=retry", "handoff stage2_abort_handler=exit ARM_EXCEPTION_TRAP", "handoff do_trap_guest_serror=exit ARM_EXCEPTION_TRAP", "handoff do_trap_guest_sync_other=exit ARM_EXCEPTION_TRAP"],
    about:
      "Xen's do_trap_stage2_abort_guest against 6.15's __get_fault_info: two implementations, not versions of one, so a row is a difference of design rather than an upstream change. Xen's gva is Linux's far_el2; Xen's gpa (an IPA with the page offset) and Linux's hpfar_el2 (HPFAR's format) are not the same quantity and are not compared. Xen's re-entry is Linux's retry; each of its handoffs (the abort handler, the SError path, the rest of the trap switch) is Linux's exit to the host.",
    changes: [
      { rows: (r) => /do_trap_guest_sync_other/.test(r.a.outcome), change: "Linux 811154e234db (v6.4) decodes watchpoint aborts; Xen hands them to the rest of its trap switch without decoding" },
      { rows: (r) => /do_trap_guest_serror/.test(r.a.outcome), change: "Xen 4.9: an abort with EA set goes to the SError path before any decoding" },
      { rows: (r) => has(r, "cap ARM64_HAS_S1POE", 1) && has(r, "AT s1e1a", 0), change: "Linux 6.12: AT S1E1A under FEAT_S1POE; Xen's AT is S1E1R only" },
      { rows: (r) => has(r, "S1PTW", 1), change: "Xen trusts HPFAR_EL2 whenever S1PTW is set (hpfar_is_valid); 6.15 only for a translation, access-flag or address-size fault, or a permission fault on the walk" },
      { rows: (r) => outcomes(r, /^retry/, /^exit/), change: "6.15 trusts HPFAR_EL2 for access-flag and address-size faults and does not translate after an external abort on a walk (fb8a3eba9c81, 26fbdf369227); Xen translates with AT" },
    ],
  },
  {
    title: "Linux 6.15 -> Linux 6.15 with ESR_ELx_FSC_ADDRSZ_nL(-1) = 0x29",
    a: "dsl/linux-6.15.fault#c",
    b: "test/fixtures/findings/linux-6.15-addrsz-arm-arm.fault#c",
    about:
      "6.15 as merged, whose esr.h defines ESR_ELx_FSC_ADDRSZ_nL(-1) as 0x25, against the same rule file testing the Arm ARM's level -1 address size fault 0x29 (the copy docs/FINDINGS.md describes).",
    changes: [{ rows: () => true, change: "b877075d0baa \"arm64: Correct value returned by ESR_ELx_FSC_ADDRSZ_nL()\" (mainline July 2026; 7.1.y, 6.18.y)" }],
  },
];

/** The command line that prints a pair's table. */
export function historyCommand(p: HistoryPair): string {
  const q = (s: string) => (/^[\w./#:=-]+$/.test(s) ? s : `'${s}'`);
  return ["faultc diff --markdown", ...(p.map ?? []).map((m) => `--map ${q(m)}`), ...(p.mapping ?? []).map((m) => `--map-outcome ${q(m)}`), q(p.a), q(p.b)].join(" ");
}

export interface HistoryResult {
  text: string;
  /** Per pair: solver calls and wall time (for the bench and the test's figure, never in the text). */
  figures: { title: string; solverCalls: number; ms: number; verdict: string }[];
}

const HEADER = [
  "# The history of the logic, as diff tables",
  "",
  "<!-- Generated by `faultc diff --history` (src/diff/history.ts); test/diff/history.test.ts fails when it is stale. Do not edit. -->",
  "",
  "Each section is `faultc diff` of two versions (docs/RUN.md says what a row, exact and complete mean).",
  "The last column names the upstream change that made the row, where it is known",
  "(../shared/FACTS.md's versions and sources; the rule files cite theirs); an empty cell is a row",
  "no known change is matched to.",
  "",
];

export async function historyMarkdown(pairs: readonly HistoryPair[] = HISTORY): Promise<HistoryResult> {
  const out = [...HEADER];
  const figures: HistoryResult["figures"] = [];
  for (const p of pairs) {
    const t0 = performance.now();
    const report = await diff(p.a, p.b, { strict: false, map: parseFieldMap(p.map ?? []), mapping: pairsFromOptions(p.mapping ?? []) });
    figures.push({ title: p.title, solverCalls: report.solverCalls, ms: Math.round(performance.now() - t0), verdict: report.verdict });
    const note = (r: DiffRow) => p.changes.find((c) => c.rows(r))?.change;
    out.push(`## ${p.title}`, "", p.about, "", `Computed by \`${historyCommand(p)}\`.`, "", ...renderDiffMarkdownSection(report, note), "");
  }
  return { text: out.join("\n").replace(/\n+$/, "\n"), figures };
}
