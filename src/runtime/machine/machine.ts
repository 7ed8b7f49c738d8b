// The concrete AArch64 machine state a handler runs on: X0-X30, SP_EL2, NZCV, the current EL, the
// system registers of the table, physical memory, CPU capabilities, and the AT hook. It implements
// the semantics' ArchState over Bits/boolean, so the concrete interpreter runs the same instruction
// semantics a symbolic executor does.
//
// Memory accesses by the handler use the virtual address as the physical address: the model does
// not run EL2's own stage-1 translation (KVM's hyp mappings are linear); only AT goes through an MMU.
import { PhysicalMemory, type AccessSize } from "../memory.ts";
import { bits, bitsInRange, type Bits } from "../semantics/concrete-domain.ts";
import type { Nzcv } from "../semantics/flags.ts";
import type { AccessBytes } from "../semantics/instruction.ts";
import type { ArchState, AtKind } from "../semantics/state.ts";
import { translateAtOperation } from "../mmu/at-operation.ts";
import { atTraits } from "../semantics/at-operations.ts";
import type { AddressTranslator } from "./address-translator.ts";
import { AtMemo } from "./at-memo.ts";
import { capabilitiesFromMidr, hypRunsWithE2H } from "./cpu-features.ts";
import { HCR_EL2_E2H, resolveSysregAccess } from "./sysreg-access.ts";
import { storageRegisters } from "./sysreg-table.ts";

const MASK64 = (1n << 64n) - 1n;

const STORAGE = storageRegisters();
/** Each register's slot in a machine's register array, by its canonical name. */
const SLOT: ReadonlyMap<string, number> = new Map(STORAGE.map((r, i) => [r.name, i]));
/** The registers at reset: a defined value, or undefined for an UNKNOWN one (drawn from MachineConfig.unknown when read). */
const RESET_UNDRAWN: readonly (bigint | undefined)[] = STORAGE.map((r) => (r.reset === "unknown" ? undefined : r.reset));
/** The registers at reset without an `unknown` source: an UNKNOWN one reads as 0. */
const RESET_ZERO: readonly bigint[] = STORAGE.map((r) => (r.reset === "unknown" ? 0n : r.reset));
/** Each slot's place in name order (writtenSysregs lists registers by name). */
const NAME_RANK: readonly number[] = (() => {
  const rank = new Array<number>(STORAGE.length);
  STORAGE.map((r, i) => [r.name, i] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .forEach(([, slot], i) => (rank[slot] = i));
  return rank;
})();
const HCR_SLOT = SLOT.get("HCR_EL2")!;
const NO_FLAGS: Nzcv<boolean> = Object.freeze({ n: false, z: false, c: false, v: false });

/** The slot of a register by (case-insensitive) name; undefined for a *_EL12 encoding or no register. */
function slotOf(name: string): number | undefined {
  return SLOT.get(name) ?? SLOT.get(name.toUpperCase());
}

/** A register's slot in every machine (Machine.sysregAt, setSysregAt); undefined: no such register. */
export function sysregSlotOf(name: string): number | undefined {
  return slotOf(name);
}

/** Where the values the architecture leaves UNKNOWN come from, drawn when first read (see MachineConfig.unknown). */
export interface UnknownValues {
  /** X`index` where MachineConfig.x gives no value. */
  x(index: number): bigint;
  /** A register with an UNKNOWN reset value that MachineConfig.sysregs does not set; undefined: it starts at 0. */
  sysreg(name: string): bigint | undefined;
}

/** Cortex-A57 r1p3 (MIDR 0x411FD073): the first A57 revision without erratum 834220. */
export const DEFAULT_MIDR = 0x411fd073n;

export interface MachineConfig {
  /**
   * Start as a copy of this machine: its registers (X, SP, flags, system registers, those not yet
   * drawn still undrawn), its memory (copy on write), capabilities, MIDR, translator and EL; then
   * `sysregs`, `x`, `sp`, `translator`, `el` and `unknown` apply on top, as they do to a reset machine.
   * Building many machines from one such template is much cheaper than building each from a
   * description. `midr`, `capabilities` and `deriveCapabilitiesFromMidr` are the template's
   * and may not be given with it; `memory`, given, replaces a copy of the template's (a template
   * shared by machines of many memories: the scenario machines of many guest tables).
   */
  from?: Machine;
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
  /**
   * Values of the X registers `x` does not give and of the UNKNOWN-reset registers `sysregs` does
   * not set, each drawn the first time it is read (the same value whenever that is, so only the
   * cost depends on it). Without it they start at 0.
   */
  unknown?: UnknownValues;
  sp?: bigint;
  el?: number;
}

export class MachineStateError extends Error {}

export class Machine implements ArchState<Bits, boolean> {
  readonly memory: PhysicalMemory;
  readonly capabilities: ReadonlySet<string>;
  /** The capabilities sorted and joined with commas: what a program's alternatives are patched by. */
  readonly capabilitiesKey: string;
  translator: AddressTranslator;
  el: number;
  /** X0-X30; undefined: not read yet, drawn from `unknown` when it is. */
  private x: (bigint | undefined)[];
  /**
   * Whether `x` is this machine's alone: a copy shares its template's array until either writes
   * to it (a C-like handler never touches X at all), and the first to write copies it.
   */
  private xOwn: boolean;
  private sp: bigint;
  /** Never changed in place (setFlags stores a copy), so a copy shares its template's. */
  private flags: Nzcv<boolean>;
  /**
   * System register values by slot (SLOT); undefined: an UNKNOWN-reset register not read yet,
   * drawn from `unknown` when it is. A copy (MachineConfig.from) starts with its template's array.
   */
  private readonly regs: (bigint | undefined)[];
  /** The slots written through the ArchState interface since the last clearWrittenSysregs. */
  private written: number[] | undefined;
  /** HCR_EL2.E2H, once read (undefined: not read since HCR_EL2 was last set). */
  private e2hKnown: boolean | undefined;
  private readonly unknown: UnknownValues | undefined;
  /** AT results, shared with this machine's copies (at-memo.ts says when one is reused). */
  private readonly atMemo: AtMemo;

  constructor(config: MachineConfig = {}) {
    const from = config.from;
    if (from !== undefined) {
      if (config.midr !== undefined || config.capabilities !== undefined || config.deriveCapabilitiesFromMidr !== undefined) {
        throw new MachineStateError("a machine built from another takes its MIDR and capabilities from it");
      }
      this.memory = config.memory ?? from.memory.clone();
      this.atMemo = from.atMemo;
      this.translator = config.translator ?? from.translator;
      this.el = config.el ?? from.el;
      this.unknown = config.unknown ?? from.unknown;
      this.x = from.x;
      this.xOwn = from.xOwn = false;
      this.sp = from.sp;
      this.flags = from.flags;
      this.regs = from.regs.slice();
      this.e2hKnown = from.e2hKnown;
      this.capabilities = from.capabilities;
      this.capabilitiesKey = from.capabilitiesKey;
    } else {
      this.memory = config.memory ?? new PhysicalMemory();
      this.atMemo = new AtMemo();
      this.translator = config.translator ?? translateAtOperation;
      this.el = config.el ?? 2;
      this.unknown = config.unknown;
      this.x = new Array<bigint | undefined>(31).fill(this.unknown === undefined ? 0n : undefined);
      this.xOwn = true;
      this.sp = 0n;
      this.flags = NO_FLAGS;
      this.regs = this.unknown === undefined ? RESET_ZERO.slice() : RESET_UNDRAWN.slice();
      const midr = config.midr ?? DEFAULT_MIDR;
      this.setSysreg("MIDR_EL1", midr);
      const caps = new Set(config.capabilities ?? []);
      if (config.deriveCapabilitiesFromMidr) for (const c of capabilitiesFromMidr(midr)) caps.add(c);
      this.capabilities = caps;
      this.capabilitiesKey = [...caps].sort().join(",");
    }
    this.written = undefined;
    let hcrGiven = false;
    if (config.sysregs !== undefined) {
      for (const name in config.sysregs) hcrGiven = this.setSysreg(name, config.sysregs[name]) === "HCR_EL2" || hcrGiven;
    }
    // Linux running with VHE keeps HCR_EL2.E2H set at all times (the host lives at EL2), and so
    // does its nVHE hypervisor under hVHE. (A copy keeps its template's HCR_EL2 unless given one.)
    if ((from === undefined || hcrGiven) && hypRunsWithE2H(this.capabilities)) this.setSysreg("HCR_EL2", this.getSysreg("HCR_EL2") | HCR_EL2_E2H);
    if (config.x !== undefined) for (const [index, value] of Object.entries(config.x)) this.setX(Number(index), value);
    if (config.sp !== undefined) this.sp = config.sp & MASK64;
  }

  /** An independent copy (memory included), so a scenario can run many times from one start. */
  clone(): Machine {
    return new Machine({ from: this });
  }

  // ---- Convenience accessors on plain bigints (setup and inspection; not recorded as writes) ----

  getX(index: number): bigint {
    checkXIndex(index);
    const v = this.x[index];
    if (v !== undefined) return v;
    const drawn = BigInt.asUintN(64, this.unknown?.x(index) ?? 0n);
    this.ownX()[index] = drawn;
    return drawn;
  }
  /** X`index` if it has been read or written, without drawing it; undefined: still its UNKNOWN value, untouched. */
  touchedX(index: number): bigint | undefined {
    checkXIndex(index);
    return this.x[index];
  }
  setX(index: number, value: bigint): void {
    checkXIndex(index);
    this.ownX()[index] = BigInt.asUintN(64, value);
  }
  /** `x`, copied first if it is shared with a copy or template. */
  private ownX(): (bigint | undefined)[] {
    if (!this.xOwn) {
      this.x = this.x.slice();
      this.xOwn = true;
    }
    return this.x;
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
    const slot = slotOf(name);
    if (slot === undefined) throw new MachineStateError(`no system register ${name}`);
    return this.sysregAt(slot);
  }
  /** Sets an architectural register by name (no VHE aliasing); returns its canonical name. */
  setSysreg(name: string, value: bigint): string {
    const slot = slotOf(name);
    if (slot === undefined) throw new MachineStateError(`no system register ${name}`);
    this.regs[slot] = BigInt.asUintN(64, value);
    if (slot === HCR_SLOT) this.e2hKnown = undefined;
    return STORAGE[slot].name;
  }
  /** setSysreg by slot (sysregSlotOf): a register set for every scenario without a name looked up. */
  setSysregAt(slot: number, value: bigint): void {
    if (!(slot >= 0 && slot < STORAGE.length && Number.isInteger(slot))) throw new MachineStateError(`no system register in slot ${slot}`);
    this.regs[slot] = BigInt.asUintN(64, value);
    if (slot === HCR_SLOT) this.e2hKnown = undefined;
  }
  get e2h(): boolean {
    // Every mrs and msr asks (sysreg-access.ts): kept until HCR_EL2 is written.
    return (this.e2hKnown ??= (this.sysregAt(HCR_SLOT) & HCR_EL2_E2H) !== 0n);
  }

  /** A register's slot in this machine and its copies (AT's memo compares registers by slot); undefined: no such register. */
  sysregSlot(name: string): number | undefined {
    return slotOf(name);
  }

  /** The register in a slot sysregSlot gave, drawn from `unknown` if it is UNKNOWN and not read before. */
  sysregAt(slot: number): bigint {
    const v = this.regs[slot];
    if (v !== undefined) return v;
    const drawn = BigInt.asUintN(64, this.unknown?.sysreg(STORAGE[slot].name) ?? 0n);
    this.regs[slot] = drawn;
    return drawn;
  }

  /**
   * The registers written through the ArchState interface since the last clearWrittenSysregs, by
   * name in name order; with `also`, that register too, written or not.
   */
  writtenSysregs(also?: string): Map<string, bigint> {
    const slots = this.written === undefined ? [] : this.written.slice();
    if (also !== undefined) {
      const slot = slotOf(also);
      if (slot === undefined) throw new MachineStateError(`no system register ${also}`);
      if (!slots.includes(slot)) slots.push(slot);
    }
    if (slots.length > 1) slots.sort((a, b) => NAME_RANK[a] - NAME_RANK[b]);
    const out = new Map<string, bigint>();
    for (const slot of slots) out.set(STORAGE[slot].name, this.sysregAt(slot));
    return out;
  }
  clearWrittenSysregs(): void {
    this.written = undefined;
  }

  // ---- ArchState<Bits, boolean> ----

  readX(index: number): Bits {
    return bitsInRange(this.getX(index), 64);
  }
  writeX(index: number, value: Bits): void {
    checkXIndex(index);
    // A 64-bit Bits is in range already (no BigInt.asUintN, which makes a new BigInt).
    this.ownX()[index] = expect64(value);
  }
  readSP(): Bits {
    return bitsInRange(this.sp, 64);
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
    return bitsInRange(this.memory.read(expect64(address), size as AccessSize), size * 8);
  }
  store(address: Bits, size: AccessBytes, value: Bits): void {
    if (value.width !== size * 8) throw new MachineStateError(`store of ${value.width} bits as ${size} bytes`);
    this.memory.write(expect64(address), size as AccessSize, value.value);
  }
  /** store() at an address held as a Number (exact: below 2^53). */
  storeAt(address: number, size: AccessBytes, value: Bits): void {
    if (value.width !== size * 8) throw new MachineStateError(`store of ${value.width} bits as ${size} bytes`);
    this.memory.writeAt(address, size as AccessSize, value.value);
  }
  resolveSysreg(accessName: string, direction: "read" | "write"): string {
    return resolveSysregAccess(accessName, direction, this);
  }
  readSysreg(name: string): Bits {
    return bitsInRange(this.getSysreg(name), 64);
  }
  writeSysreg(name: string, value: Bits): void {
    const slot = slotOf(name);
    if (slot === undefined) throw new MachineStateError(`no system register ${name}`);
    this.regs[slot] = expect64(value);
    if (slot === HCR_SLOT) this.e2hKnown = undefined;
    const written = (this.written ??= []);
    if (!written.includes(slot)) written.push(slot);
  }
  addressTranslate(kind: AtKind, va: Bits): Bits {
    const { stages, el, access } = atTraits(kind);
    const address = expect64(va);
    const translator = this.translator;
    const par = this.atMemo.translate(translator, kind, address, this, (sysreg) => translator({ va: address, access, el, stages, sysreg, memory: this.memory }));
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
