// The decoders an explanation uses, by register name: the one place src/explain meets src/decode.
import { decodeEsr, decodeFar, decodeHpfar, decodeMidr, decodePar, type DecodedMidr, type DecodedRegister } from "../decode/index.ts";

const BY_PREFIX: readonly [RegExp, (value: bigint, register: string) => DecodedRegister][] = [
  [/^ESR_EL[12]$/, decodeEsr],
  [/^FAR_EL[12]$/, decodeFar],
  [/^HPFAR_EL2$/, decodeHpfar],
  [/^PAR_EL1$/, decodePar],
  [/^MIDR_EL1$/, decodeMidr],
];

/** `register`'s value decoded, or undefined for a register no decoder knows. */
export function decodeKnownRegister(register: string, value: bigint): DecodedRegister | undefined {
  const d = BY_PREFIX.find(([re]) => re.test(register));
  return d === undefined ? undefined : d[1](value, register);
}

/** `register`'s value decoded; for a register no decoder knows, the value alone. */
export function decodeRegister(register: string, value: bigint): DecodedRegister {
  return decodeKnownRegister(register, value) ?? { register, value, fields: [], summary: "(no decoder for this register)" };
}

export { decodeMidr };
export type { DecodedMidr };
