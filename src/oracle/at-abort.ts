// AT S1E1R at EL2 whose walk meets a synchronous External abort, on QEMU: the AT instruction takes
// a Data Abort to EL2 (Arm ARM D5.2.11; QEMU do_ats_write), which the AT harness reports as an EXC
// line from its current-EL synchronous vector and then stops (exit status 3). So each such probe
// is a boot of its own: the set-up is the trap builder's (a walk-fault input), its one probe the
// input's VA; the model's answer is AtExternalAbort's ESR_EL2 and FAR_EL2 = the VA.
import { addressTranslateS1E1 } from "../runtime/mmu/at.ts";
import { AtExternalAbort } from "../runtime/mmu/at-exception.ts";
import { SCENARIO_MEMORY_MAP } from "../runtime/scenario/machine-memory.ts";
import { buildTrapTables, type GuestAccessTrapInput } from "../runtime/scenario/trap.ts";
import { serialiseAtCases } from "./at-cases.ts";
import { ORACLE_AREA_BASE, ORACLE_AREA_END } from "./layout.ts";
import { buildHarness, disposeHarness, lastLines, OracleRunError, runQemu } from "./qemu.ts";
import { RecordingMemory } from "./recording-memory.ts";

const HEX = "0x[0-9a-f]{1,16}";
const EXC_LINE = new RegExp(`^EXC (\\d+) (${HEX}) (${HEX}) (${HEX})$`);
/** harness_el2_exception's exit status. */
const EXCEPTION_STATUS = 3;
/** start.S's vector entry for a synchronous exception from the current EL with SP_ELx. */
export const CURRENT_EL_SYNC = 4;

export interface AtAbortObservation {
  /** The model's exception (undefined: the model's AT writes PAR_EL1, which would be a finding). */
  readonly model: AtExternalAbort | undefined;
  readonly qemu: { readonly vector: number; readonly esr: bigint; readonly elr: bigint; readonly far: bigint };
}

/** Runs AT S1E1R on input.va at EL2 over the tables `input` describes, on QEMU and in the model. */
export function runAtAbortProbe(input: GuestAccessTrapInput): AtAbortObservation {
  const memory = new RecordingMemory(SCENARIO_MEMORY_MAP);
  const b = buildTrapTables(input, memory);
  const registers = b.registers();
  let model: AtExternalAbort | undefined;
  try {
    addressTranslateS1E1({ va: input.va, access: "read", sysreg: b.sysreg(), memory });
  } catch (e) {
    if (!(e instanceof AtExternalAbort)) throw e;
    model = e;
  }
  const image = buildHarness(serialiseAtCases([{ index: 0, summary: "", registers, memory, image: memory.image(ORACLE_AREA_BASE, ORACLE_AREA_END), probes: [input.va] }]));
  let run;
  try {
    run = runQemu(image.elf);
  } finally {
    disposeHarness(image);
  }
  const lines = run.stdout.split("\n").filter((l) => l.length > 0);
  const m = EXC_LINE.exec(lines.at(-1) ?? "");
  if (m === null || run.status !== EXCEPTION_STATUS) {
    throw new OracleRunError(`AT S1E1R on 0x${input.va.toString(16)} did not end in an exception report (status ${run.status}); last output: ${lastLines(run.stdout)}`);
  }
  return { model, qemu: { vector: Number(m[1]), esr: BigInt(m[2]), elr: BigInt(m[3]), far: BigInt(m[4]) } };
}
