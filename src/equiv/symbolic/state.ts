// The machine state of a symbolic run: what the instruction semantics (ArchState) and the
// C-like variants (HypApi) read and write, over the symbolic domain. Forks copy it.
import { resolveSysregAccess } from "../../runtime/machine/sysreg-access.ts";
import type { AtOperation, HypApi } from "../../runtime/hyp/api.ts";
import type { Nzcv } from "../../runtime/semantics/flags.ts";
import type { AccessBytes } from "../../runtime/semantics/instruction.ts";
import type { ArchState, AtKind } from "../../runtime/semantics/state.ts";
import { isConcrete, type SymbolicDomain, type SymBool, type SymValue } from "./domain.ts";
import { SYM_STACK_TOP, SYM_VCPU, type SymbolicInputs } from "./inputs.ts";

/** A byte of memory as stored: byte `index` (0 the least significant) of a value written whole. */
interface StoredByte {
  value: SymValue;
  index: number;
}

/** The run needs something the symbolic model does not support (the verdict becomes unknown). */
export class SymbolicUnsupported extends Error {}

export class SymbolicState implements ArchState<SymValue, SymBool> {
  x: SymValue[];
  sp: SymValue;
  flags: Nzcv<SymBool>;
  // Changed only through writeSysreg and store: a fork shares them until either writes.
  private ownSysregs: Map<string, SymValue>;
  private ownWritten: Set<string>;
  /** Bytes written, by address: kept as parts of the values stored, so that reading a value back is that value, not a concatenation of its bytes. */
  private ownMemory: Map<bigint, StoredByte>;

  /** System registers written, by name, with their last values. */
  get sysregs(): ReadonlyMap<string, SymValue> {
    return this.ownSysregs;
  }
  /** The names of the system registers written. */
  get written(): ReadonlySet<string> {
    return this.ownWritten;
  }

  /**
   * Whether sysregs, written and memory may be another state's too (a fork shares them until
   * either writes: most forks store nothing more, and the stack's bytes are hundreds of entries).
   */
  private shared = false;

  constructor(
    readonly inputs: SymbolicInputs,
    readonly caps: ReadonlySet<string>,
    copy?: SymbolicState,
  ) {
    const d = inputs.d;
    this.x = copy ? [...copy.x] : Array.from({ length: 31 }, (_, i) => inputs.x(i));
    this.sp = copy ? copy.sp : d.const(SYM_STACK_TOP, 64);
    // PSTATE.NZCV at the vector is whatever the guest left: arbitrary, not zero.
    this.flags = copy ? { ...copy.flags } : inputs.entryFlags();
    if (copy) {
      this.ownSysregs = copy.ownSysregs;
      this.ownWritten = copy.ownWritten;
      this.ownMemory = copy.ownMemory;
      this.shared = copy.shared = true;
    } else {
      this.ownSysregs = new Map();
      this.ownWritten = new Set();
      this.ownMemory = new Map();
    }
  }

  /** Makes sysregs, written and memory this state's own before it changes one. */
  private own(): void {
    if (!this.shared) return;
    this.ownSysregs = new Map(this.ownSysregs);
    this.ownWritten = new Set(this.ownWritten);
    this.ownMemory = new Map(this.ownMemory);
    this.shared = false;
  }

  get d(): SymbolicDomain {
    return this.inputs.d;
  }

  clone(): SymbolicState {
    return new SymbolicState(this.inputs, this.caps, this);
  }

  readX(index: number): SymValue {
    return this.x[index];
  }
  writeX(index: number, value: SymValue): void {
    this.x[index] = value;
  }
  readSP(): SymValue {
    return this.sp;
  }
  writeSP(value: SymValue): void {
    this.sp = value;
  }
  readFlags(): Nzcv<SymBool> {
    return this.flags;
  }
  writeFlags(flags: Nzcv<SymBool>): void {
    this.flags = flags;
  }

  private address(a: SymValue): bigint {
    if (!isConcrete(a)) throw new SymbolicUnsupported("a load or store at a symbolic address");
    return a.c.value;
  }

  load(address: SymValue, size: AccessBytes): SymValue {
    const base = this.address(address);
    // Consecutive bytes of one stored value, in order: that value's bits (an extract, or the value itself).
    const first = this.ownMemory.get(base);
    if (first !== undefined) {
      let whole = true;
      for (let i = 1; i < size && whole; i++) {
        const b = this.ownMemory.get(base + BigInt(i));
        whole = b !== undefined && b.value === first.value && b.index === first.index + i;
      }
      if (whole) return this.d.extract(first.value, 8 * (first.index + size) - 1, 8 * first.index);
    }
    let v: SymValue | undefined;
    for (let i = 0; i < size; i++) {
      const a = base + BigInt(i);
      const stored = this.ownMemory.get(a);
      const byte = stored !== undefined ? this.d.extract(stored.value, 8 * stored.index + 7, 8 * stored.index) : this.inputs.memoryByte(a);
      v = v === undefined ? byte : this.d.concat(byte, v);
    }
    return v!;
  }

  store(address: SymValue, size: AccessBytes, value: SymValue): void {
    const base = this.address(address);
    // The low `size` bytes of the value (a narrower store of a wider register).
    const stored = this.d.width(value) === 8 * size ? value : this.d.extract(value, 8 * size - 1, 0);
    this.own();
    for (let i = 0; i < size; i++) this.ownMemory.set(base + BigInt(i), { value: stored, index: i });
  }

  resolveSysreg(accessName: string, direction: "read" | "write"): string {
    return resolveSysregAccess(accessName, direction, { el: 2, e2h: this.inputs.vhe });
  }
  readSysreg(name: string): SymValue {
    return this.sysregs.get(name) ?? this.inputs.sysreg(name);
  }
  writeSysreg(name: string, value: SymValue): void {
    this.own();
    this.ownSysregs.set(name, value);
    this.ownWritten.add(name);
  }
  addressTranslate(kind: AtKind, va: SymValue): SymValue {
    return this.inputs.at(kind, va);
  }

  /** The value of a record field in the vcpu structure. */
  field(offset: number, size: 4 | 8): SymValue {
    return this.load(this.d.const(SYM_VCPU + BigInt(offset), 64), size);
  }
}

/**
 * HypApi over a symbolic state, for the C-like variants and references. `decide` chooses the
 * way of a branch whose condition is symbolic (the explorer re-runs the function for the other).
 */
export class SymbolicHypApi implements HypApi<SymValue, SymBool> {
  readonly trace: string[] = [];

  constructor(
    readonly state: SymbolicState,
    private readonly decide: (cond: SymBool, label: string) => boolean,
  ) {}

  get d(): SymbolicDomain {
    return this.state.d;
  }
  cap(name: string): boolean {
    return this.state.caps.has(name);
  }
  mrs(name: string): SymValue {
    return this.state.readSysreg(this.state.resolveSysreg(name, "read"));
  }
  msr(name: string, value: SymValue): void {
    this.state.writeSysreg(this.state.resolveSysreg(name, "write"), value);
  }
  at(op: AtOperation, va: SymValue): void {
    this.state.writeSysreg("PAR_EL1", this.state.addressTranslate(op.toLowerCase() as AtKind, va));
  }
  isb(): void {}
  storeVcpu(offset: number, size: 4 | 8, value: SymValue): void {
    this.state.store(this.d.const(SYM_VCPU + BigInt(offset), 64), size, value);
  }
  branch(cond: SymBool, label: string): boolean {
    const taken = "b" in cond ? cond.b : this.decide(cond, label);
    this.trace.push(`${label}: ${taken ? "taken" : "not taken"}`);
    return taken;
  }
  enterRule(name: string, line: number): void {
    this.trace.push(`rule ${name} (line ${line})`);
  }
}
