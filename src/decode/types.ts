// What the decoders answer: a register's value split into its fields, each under its Arm ARM
// name with the meaning of its value. The tables behind them are generated from dsl/arch
// (generated/arch-facts.ts); nothing here restates a value of the architecture.

/** One field of a decoded register. */
export interface DecodedField {
  /** The Arm ARM's name: EC, IL, ISS, ISV, SAS, SSE, SRT, SF, AR, ..., DFSC, IFSC, imm16, Op0, CRn, Rt, Direction, TI, COND, IDS, AET, Comment. */
  name: string;
  /** Bit positions in the register (not in the ISS). */
  msb: number;
  lsb: number;
  value: bigint;
  /** What the field says of this value (its named value, or what the field is), when known. */
  meaning?: string;
  /** The value is reserved or unallocated by the architecture. */
  reserved?: boolean;
}

/** A register's value decoded. */
export interface DecodedRegister {
  /** The register's name as the decoder was asked for it: ESR_EL2, FAR_EL2, HPFAR_EL2, PAR_EL1, MIDR_EL1. */
  register: string;
  value: bigint;
  /** Fields from the most significant down; bits no field names are not listed. */
  fields: DecodedField[];
  /** One line, e.g. "DABT_LOW: data abort from a lower EL, translation fault level 1". */
  summary: string;
  /** SYS64 (and the AArch32 coprocessor traps where known): the accessed register's name. */
  sysreg?: string;
}

/** One erratum of the bundled rule files and whether a part is in its range. */
export interface ErratumMatch {
  /** The erratum's number, as Arm publishes it: "834220". */
  erratum: string;
  /** The capability the rule files gate on: ARM64_WORKAROUND_834220. */
  capability: string;
  /** Whether the decoded MIDR lies in one of the erratum's ranges. */
  applies: boolean;
  /** The affected ranges, e.g. "Cortex-A57 r0p0..r1p2". */
  ranges: string[];
  /** Where the ranges come from (file and line of the kernel source, as dsl/arch cites it). */
  citation: string;
}

/** MIDR_EL1 decoded, with the errata its part has. */
export interface DecodedMidr extends DecodedRegister {
  implementer: string | undefined;
  part: string | undefined;
  variant: number;
  revision: number;
  /** "r1p2". */
  rev: string;
  /** Every erratum dsl/arch declares, whether it applies or not. */
  errata: ErratumMatch[];
}
