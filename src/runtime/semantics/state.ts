// What an instruction's semantics may touch: the abstract architectural state. The concrete machine
// (src/runtime/machine) implements it over Bits/boolean; a symbolic executor implements it over z3
// terms. Names of system registers passed to readSysreg/writeSysreg are the architectural registers
// (ESR_EL2, PAR_EL1, ...) after resolveSysreg has applied the EL and VHE rules to the encoding the
// instruction names.
import type { Nzcv } from "./flags.ts";
import type { AccessBytes } from "./instruction.ts";

/** AT operations of the EL1&0 regime (dsl/arch/aarch64-at.fault): s1e1r, ..., s12e0w. */
export type { AtKind } from "./at-operations.ts";
import type { AtKind } from "./at-operations.ts";

export interface ArchState<V, B> {
  /** X[n] for n in 0..30, 64 bits. */
  readX(index: number): V;
  /** X[n] = value (64 bits; the caller has already zero-extended a W result). */
  writeX(index: number, value: V): void;
  /** SP of the current exception level (SP_EL2 during a handler run), 64 bits. */
  readSP(): V;
  writeSP(value: V): void;
  readFlags(): Nzcv<B>;
  writeFlags(flags: Nzcv<B>): void;
  /** A little-endian load of `size` bytes from a virtual address of the current regime. */
  load(address: V, size: AccessBytes): V;
  store(address: V, size: AccessBytes, value: V): void;
  /**
   * Maps the register named by an mrs/msr (its canonical name, e.g. "ESR_EL1" or "FAR_EL12") to the
   * architectural register that access reaches, or throws for an UNDEFINED access.
   */
  resolveSysreg(accessName: string, direction: "read" | "write"): string;
  readSysreg(name: string): V;
  writeSysreg(name: string, value: V): void;
  /** Performs the AT operation's translation on `va` and returns the new PAR_EL1 value (64 bits). */
  addressTranslate(kind: AtKind, va: V): V;
}
