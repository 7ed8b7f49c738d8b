// The concrete AArch64 machine state a handler runs on: X0-X30, SP_EL2, NZCV, the current EL, the
// system registers of the table, physical memory, CPU capabilities, and the AT hook. It implements
// the semantics' ArchState over Bits/boolean, so the concrete interpreter runs the same instruction
// semantics a symbolic executor does.
//
// Memory accesses by the handler use the virtual address as the physical address: the model does
// not run EL2's own stage-1 translation (KVM's hyp mappings are linear); only AT goes through an MMU.
import { PhysicalMemory, type AccessSize } from "../memory.ts";
import { bits, type Bits } from "../semantics/concrete-domain.ts";
import type { Nzcv } from "../semantics/flags.ts";
import type { AccessBytes } from "../semantics/instruction.ts";
import type { ArchState, AtKind } from "../semantics/state.ts";
import { addressTranslateS1E1 } from "../mmu/at.ts";
import type { AddressTranslator } from "./address-translator.ts";
import { capabilitiesFromMidr, hypRunsWithE2H } from "./cpu-features.ts";
import { HCR_EL2_E2H, resolveSysregAccess } from "./sysreg-access.ts";
import { storageRegisters, sysregByName } from "./sysreg-table.ts";

const MASK64 = (1n << 64n) - 1n;

/** Cortex-A57 r1p3 (MIDR 0x411FD073): the first A57 revision without erratum 834220. */
export const DEFAULT_MIDR = 0x411fd073n;

export interface MachineConfig {
  midr?: bigint;
  /** Capabilities the kernel detected (Linux cpucaps names). */
  capabilities?: Iterable<string>;
  /** Also add the capabilities Linux derives from MIDR_EL1's errata ranges. */
  deriveCapabilitiesFromMidr?: boolean;
  memory?: PhysicalMemory;
  /** The MMU behind AT; defaults to the model's stage-1 walk (src/runtime/mmu/at.ts). */
  translator?: AddressTranslator;
  /** Initial values of system registers, by architectural name. */
  sysregs?: Record<string, bigint>;
  /** Initial X registers, by index. */
  x?: Record<number, bigint>;
  sp?: bigint;
  el?: number;
}

export class MachineStateError extends Error {}

export class Machine implements ArchState<Bits, boolean> {
  readonly memory: PhysicalMemory;
  readonly capabilities: ReadonlySet<string>;
  translator: AddressTranslator;
  el: number;
  private readonly x: bigint[] = new Array<bigint>(31).fill(0n);
  private sp = 0n;
  private flags: Nzcv<boolean> = { n: false, z: false, c: false, v: false };
  private readonly sysregs = new Map<string, bigint>();
  private readonly written = new Set<string>();

  constructor(config: MachineConfig = {}) {
    this.memory = config.memory ?? new PhysicalMemory();
    this.translator = config.translator ?? addressTranslateS1E1;
    this.el = config.el ?? 2;
    for (const reg of storageRegisters()) this.sysregs.set(reg.name, reg.reset === "unknown" ? 0n : reg.reset);
    const midr = config.midr ?? DEFAULT_MIDR;
    this.sysregs.set("MIDR_EL1", midr & MASK64);
    const caps = new Set(config.capabilities ?? []);
    if (config.deriveCapabilitiesFromMidr) for (const c of capabilitiesFromMidr(midr)) caps.add(c);
    this.capabilities = caps;
    for (const [name, value] of Object.entries(config.sysregs ?? {})) this.setSysreg(name, value);
    // Linux running with VHE keeps HCR_EL2.E2H set at all times (the host lives at EL2), and so
    // does its nVHE hypervisor under hVHE.
    if (hypRunsWithE2H(caps)) this.setSysreg("HCR_EL2", this.getSysreg("HCR_EL2") | HCR_EL2_E2H);
    for (const [index, value] of Object.entries(config.x ?? {})) this.setX(Number(index), value);
    if (config.sp !== undefined) this.sp = config.sp & MASK64;
  }

  /** An independent copy (memory included), so a scenario can run many times from one start. */
  clone(): Machine {
    const copy = new Machine({
      midr: this.getSysreg("MIDR_EL1"),
      capabilities: this.capabilities,
      memory: this.memory.clone(),
      translator: this.translator,
      el: this.el,
    });
    for (const [name, value] of this.sysregs) copy.sysregs.set(name, value);
    for (let i = 0; i < 31; i++) copy.x[i] = this.x[i];
    copy.sp = this.sp;
    copy.flags = { ...this.flags };
    return copy;
  }

  // ---- Convenience accessors on plain bigints (setup and inspection; not recorded as writes) ----

  getX(index: number): bigint {
    checkXIndex(index);
    return this.x[index];
  }
  setX(index: number, value: bigint): void {
    checkXIndex(index);
    this.x[index] = value & MASK64;
  }
  getSP(): bigint {
    return this.sp;
  }
  setSP(value: bigint): void {
    this.sp = value & MASK64;
  }
  getFlags(): Nzcv<boolean> {
    return { ...this.flags };
  }
  setFlags(flags: Nzcv<boolean>): void {
    this.flags = { ...flags };
  }
  /** Reads an architectural register by name (no VHE aliasing). */
  getSysreg(name: string): bigint {
    const value = this.sysregs.get(name.toUpperCase());
    if (value === undefined) throw new MachineStateError(`no system register ${name}`);
    return value;
  }
  setSysreg(name: string, value: bigint): void {
    const reg = sysregByName(name);
    if (reg === undefined || reg.el12Of !== undefined) throw new MachineStateError(`no system register ${name}`);
    this.sysregs.set(reg.name, value & MASK64);
  }
  get e2h(): boolean {
    return (this.getSysreg("HCR_EL2") & HCR_EL2_E2H) !== 0n;
  }

  /** The registers written through the ArchState interface since the last clearWrittenSysregs. */
  writtenSysregs(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const name of [...this.written].sort()) out.set(name, this.getSysreg(name));
    return out;
  }
  clearWrittenSysregs(): void {
    this.written.clear();
  }

  // ---- ArchState<Bits, boolean> ----

  readX(index: number): Bits {
    return bits(this.getX(index), 64);
  }
  writeX(index: number, value: Bits): void {
    this.setX(index, expect64(value));
  }
  readSP(): Bits {
    return bits(this.sp, 64);
  }
  writeSP(value: Bits): void {
    this.sp = expect64(value);
  }
  readFlags(): Nzcv<boolean> {
    return this.getFlags();
  }
  writeFlags(flags: Nzcv<boolean>): void {
    this.setFlags(flags);
  }
  load(address: Bits, size: AccessBytes): Bits {
    return bits(this.memory.read(expect64(address), size as AccessSize), size * 8);
  }
  store(address: Bits, size: AccessBytes, value: Bits): void {
    if (value.width !== size * 8) throw new MachineStateError(`store of ${value.width} bits as ${size} bytes`);
    this.memory.write(expect64(address), size as AccessSize, value.value);
  }
  resolveSysreg(accessName: string, direction: "read" | "write"): string {
    return resolveSysregAccess(accessName, direction, { el: this.el, e2h: this.e2h });
  }
  readSysreg(name: string): Bits {
    return bits(this.getSysreg(name), 64);
  }
  writeSysreg(name: string, value: Bits): void {
    this.setSysreg(name, expect64(value));
    this.written.add(name.toUpperCase());
  }
  addressTranslate(kind: AtKind, va: Bits): Bits {
    const par = this.translator({
      va: expect64(va),
      access: kind === "s1e1a" ? "any" : kind.endsWith("w") ? "write" : "read",
      el: kind.startsWith("s1e0") ? 0 : 1,
      sysreg: (name) => this.getSysreg(name),
      memory: this.memory,
    });
    return bits(par, 64);
  }
}

function checkXIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 30) throw new MachineStateError(`X${index} is not a register`);
}

function expect64(v: Bits): bigint {
  if (v.width !== 64) throw new MachineStateError(`expected a 64-bit value, got ${v.width} bits`);
  return v.value;
}
