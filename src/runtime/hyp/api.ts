// What the C-like variants generated from rule files call: the few things kernel C does at
// EL2 (mrs, msr, AT, isb, a store into the vcpu, a patch-time capability test), over an
// abstract bit-vector domain. The concrete machine implements it (machine-api.ts); the
// equivalence checker implements it over z3 terms, so the same generated function is both
// run and proven.
import type { BitVecDomain } from "../semantics/domain.ts";
import type { AtOperationName } from "../semantics/at-operations.ts";

/** S1E1R, ..., S12E0W (dsl/arch/aarch64-at.fault). */
export type AtOperation = AtOperationName;

export type Outcome =
  | { kind: "exit"; code: bigint; name: string }
  | { kind: "retry" }
  | { kind: "handoff"; target: string };

export interface HypApi<V, B> {
  readonly d: BitVecDomain<V, B>;
  /** Was the kernel patched for this capability at boot? A plain boolean: never run-time data. */
  cap(name: string): boolean;
  /** `mrs`: reads the register the encoding `name` reaches at EL2 (VHE redirection included). */
  mrs(name: string): V;
  /** `msr`: writes the register the encoding `name` reaches at EL2. */
  msr(name: string, value: V): void;
  /** `at <op>, va`: PAR_EL1 receives the result. */
  at(op: AtOperation, va: V): void;
  isb(): void;
  /** A store of `size` bytes at TPIDR_EL2 + offset (the vcpu structure). */
  storeVcpu(offset: number, size: 4 | 8, value: V): void;
  /** Which way a conditional goes. A symbolic implementation explores both. */
  branch(cond: B, label: string): boolean;
  /** Trace: a rule was entered. */
  enterRule(name: string, line: number): void;
}
