// A fault explained from its values: each register decoded, the kernel's own decoding checked,
// the MIDR's part and errata, and the side's run. No files and no node modules: `faultc explain`
// and the page (page/main.ts) both build their Explanation here.
import { DEFAULT_MIDR } from "../runtime/machine/machine.ts";
import type { Scenario } from "../runtime/scenario/scenario.ts";
import { checkClaims } from "./claims.ts";
import { decodeMidr, decodeRegister } from "./decoders.ts";
import type { Explanation, ExplainedRegister, SideRun, ValueSource } from "./explanation.ts";
import type { LogClaim, LogRegister } from "./kernel-log.ts";

const DEFAULT: ValueSource = { kind: "default" };

/** What was read from a text: each register's source, the kernel's own decoding, and the text's name (<stdin>). */
export interface TextValues {
  readonly file: string;
  readonly sources: ReadonlyMap<LogRegister, ValueSource>;
  readonly claims: readonly LogClaim[];
}

export function explain(scenario: Scenario, text: TextValues, side: SideRun): Explanation {
  const sources = text.sources;
  const source = (r: LogRegister): ValueSource => sources.get(r) ?? DEFAULT;
  const reg = (name: string, value: bigint, r: LogRegister): ExplainedRegister => ({ decoded: decodeRegister(name, value), source: source(r) });
  const esr = reg("ESR_EL2", scenario.esr, "esr");
  const esrSource = esr.source;
  const checks = checkClaims(text.claims, esr.decoded, {
    file: text.file,
    at: esrSource.kind === "log" ? esrSource.at : undefined,
    what: esrSource.kind === "option" ? esrSource.option : "the ESR",
  });
  return {
    scenario,
    esr,
    far: reg("FAR_EL2", scenario.far, "far"),
    hpfar: scenario.hpfar === "unknown" ? { unknown: true, source: source("hpfar") } : reg("HPFAR_EL2", scenario.hpfar, "hpfar"),
    par: reg("PAR_EL1", scenario.par, "par"),
    midr: { decoded: decodeMidr(scenario.midr ?? DEFAULT_MIDR), source: source("midr") },
    checks,
    side,
  };
}
