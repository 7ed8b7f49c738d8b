// HypApi on the concrete machine: what a C-like variant does when it runs on the model.
import type { Machine } from "../machine/machine.ts";
import { bits, concreteDomain, type Bits } from "../semantics/concrete-domain.ts";
import { atKindOf } from "../semantics/at-operations.ts";
import type { AtOperation, HypApi } from "./api.ts";

export interface HypTraceEntry {
  kind: "rule" | "branch" | "mrs" | "msr" | "at" | "store";
  text: string;
}

export interface MachineHypApiOptions {
  /** Record a HypTraceEntry per call (default true); without, only `steps` counts them. */
  trace?: boolean;
}

/** A vcpu below this plus an offset below 2^32 is exact as a Number and does not wrap at 2^64. */
const VCPU_AS_NUMBER = 1n << 52n;

/** The trace of an api that does not trace: one frozen empty array for all (a run per scenario makes many). */
const NOT_TRACED: HypTraceEntry[] = Object.freeze([]) as unknown as HypTraceEntry[];

export class MachineHypApi implements HypApi<Bits, boolean> {
  readonly d = concreteDomain;
  /** One entry per mrs, msr, at, store, branch and rule entered, when tracing (else empty, and nothing is added). */
  readonly trace: HypTraceEntry[];
  /** The calls made (what `trace` would hold, counted even when not tracing). */
  steps = 0;
  private readonly tracing: boolean;
  /** TPIDR_EL2 as storeVcpu last read it, and as a Number when below VCPU_AS_NUMBER. */
  private vcpu: bigint | undefined;
  private vcpuNumber: number | undefined;

  constructor(
    private readonly m: Machine,
    options: MachineHypApiOptions = {},
  ) {
    this.tracing = options.trace ?? true;
    this.trace = this.tracing ? [] : NOT_TRACED;
  }

  cap(name: string): boolean {
    return this.m.capabilities.has(name);
  }

  mrs(name: string): Bits {
    const reg = this.m.resolveSysreg(name, "read");
    const v = this.m.readSysreg(reg);
    this.steps++;
    if (this.tracing) this.trace.push({ kind: "mrs", text: `mrs ${name}${reg === name ? "" : ` (${reg})`} = 0x${v.value.toString(16)}` });
    return v;
  }

  msr(name: string, value: Bits): void {
    const reg = this.m.resolveSysreg(name, "write");
    this.steps++;
    if (this.tracing) this.trace.push({ kind: "msr", text: `msr ${name}${reg === name ? "" : ` (${reg})`} = 0x${value.value.toString(16)}` });
    this.m.writeSysreg(reg, value);
  }

  at(op: AtOperation, va: Bits): void {
    const par = this.m.addressTranslate(atKindOf(op), va);
    this.m.writeSysreg("PAR_EL1", par);
    this.steps++;
    if (this.tracing) this.trace.push({ kind: "at", text: `at ${op.toLowerCase()}, 0x${va.value.toString(16)} -> PAR_EL1 = 0x${par.value.toString(16)}` });
  }

  isb(): void {}

  storeVcpu(offset: number, size: 4 | 8, value: Bits): void {
    const vcpu = this.m.getSysreg("TPIDR_EL2");
    if (vcpu !== this.vcpu) {
      this.vcpu = vcpu;
      this.vcpuNumber = vcpu < VCPU_AS_NUMBER ? Number(vcpu) : undefined;
    }
    // The vcpu's address as a Number where that is exact and cannot wrap (it is in every scenario
    // machine): a record's stores without BigInt sums.
    if (this.vcpuNumber !== undefined && Number.isInteger(offset) && offset >= 0 && offset < 2 ** 32) this.m.storeAt(this.vcpuNumber + offset, size, value);
    else this.m.store(bits(vcpu + BigInt(offset), 64), size, value);
    this.steps++;
    if (this.tracing) this.trace.push({ kind: "store", text: `vcpu+0x${offset.toString(16)} <- 0x${value.value.toString(16)} (${size} bytes)` });
  }

  branch(cond: boolean, label: string): boolean {
    this.steps++;
    if (this.tracing) this.trace.push({ kind: "branch", text: `${label}: ${cond ? "taken" : "not taken"}` });
    return cond;
  }

  enterRule(name: string, line: number): void {
    this.steps++;
    if (this.tracing) this.trace.push({ kind: "rule", text: `rule ${name} (line ${line})` });
  }
}
