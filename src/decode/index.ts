// The decoders of faultc explain: ESR_ELx, MIDR_EL1, FAR_ELx, HPFAR_EL2 and PAR_EL1, driven by
// the tables generated from dsl/arch (generated/arch-facts.ts).
export { decodeEsr } from "./esr.ts";
export { decodeMidr } from "./midr.ts";
export { decodeFar, decodeHpfar, decodePar } from "./registers.ts";
export type { DecodedField, DecodedMidr, DecodedRegister, ErratumMatch } from "./types.ts";
