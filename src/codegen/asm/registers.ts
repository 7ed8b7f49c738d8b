// Registers and the stack frame of one handler while isel.ts selects its instructions. Values
// live in x0-x17; when a handler needs more at once, some live in 8-byte slots of a frame the
// handler keeps below its saved registers:
// - a *binding* (a let, an AT result, a parameter of an inlined function or predicate) has one
//   home for its whole scope: its own register while at most BINDING_REGISTERS registers are
//   bindings', else a slot. A home never moves, so every path through a condition agrees on
//   where a binding is;
// - a *temporary* (an expression's value on its way to its consumer) is in a register, and is
//   spilled to a slot (str) when a register is needed and none is free, then reloaded (ldr) where
//   it is used. Temporaries never live across a branch or a label (isel.ts consumes them before
//   it branches), so a spill and its reload are always on one straight path;
// - the registers and slots of a binding that the rest of the path no longer reads (the caller
//   says which) are taken back before anything is spilled.
// Without pressure nothing here emits code or changes which register a value gets: the
// lowest-numbered free one, as before there was a frame.
import { IselError } from "./isel-error.ts";

/** Registers the allocator may use: x0-x17 (x18 is the platform register, x19+ callee-saved). */
export const POOL: readonly number[] = Array.from({ length: 18 }, (_, i) => i);

/**
 * At most this many registers are bindings'; the other four are left to temporaries, which is
 * what one instruction's operands, result and scratch need at most (`not` of 64 bits: operand,
 * result, all-ones), so that an allocation always finds a free register or a temporary to spill.
 */
export const BINDING_REGISTERS = POOL.length - 4;

/**
 * The frame may hold at most this many bytes: half of a 4 KiB page, the size of KVM's nVHE hyp
 * stack, and within reach of one `sub sp, sp, #imm`.
 */
export const MAX_FRAME_BYTES = 2048;

/** A value on its way to its consumer: a temporary it owns (in a register or spilled), or a binding's register. */
export interface Value {
  reg: number | undefined;
  slot: number | undefined;
  /** Freed by whoever consumes it; false for a binding's register. */
  readonly owned: boolean;
}

/** A let, an AT result or a parameter: where it lives for its scope. */
export interface Binding {
  readonly id: string;
  readonly home: { reg: number; slot?: undefined } | { slot: number; reg?: undefined };
  /** False for a parameter bound to the caller's binding (its home is the caller's). */
  readonly owned: boolean;
}

/** What a path owns: restored for each rule of a decision, as every rule starts from the same point. */
export interface PathState {
  free: Set<number>;
  /** Registers that are bindings' homes. */
  bound: Set<number>;
  slots: Set<number>;
  /** Bindings whose home was taken back on this path. */
  reclaimed: Set<Binding>;
}

export class Registers {
  private state: PathState = { free: new Set(POOL), bound: new Set(), slots: new Set(), reclaimed: new Set() };
  /** Live temporaries, oldest first (the first to spill: the deepest operand, used last). */
  private readonly temps = new Set<Value>();
  private readonly locked = new Set<Value>();
  /** Bytes pushed below the frame by stp ..., [sp, #-16]! and not yet popped. */
  private pushed = 0;
  /** Highest register handed out (x0-x3 are always saved). */
  maxUsed = 3;
  /** Slots the frame needs: one more than the highest slot any path used. */
  slotCount = 0;

  constructor(
    private readonly emit: (insn: string) => void,
    /** Bindings (owned) that the rest of the current path does not read. */
    private readonly deadBindings: () => Binding[],
  ) {}

  // ------------------------------------------------------------ registers

  /** A free register (the lowest), taking back dead bindings' or spilling a temporary if none is. */
  alloc(): number {
    let r = this.lowestFree();
    if (r === undefined) {
      this.reclaim("reg");
      r = this.lowestFree();
    }
    if (r === undefined) return this.spill();
    this.state.free.delete(r);
    this.maxUsed = Math.max(this.maxUsed, r);
    return r;
  }

  private lowestFree(): number | undefined {
    return POOL.find((r) => this.state.free.has(r));
  }

  /** Frees a register handed out by alloc() that no Value holds. */
  freeRegister(r: number): void {
    this.state.free.add(r);
  }

  /** Spills the oldest unlocked temporary in a register and hands its register over. */
  private spill(): number {
    for (const v of this.temps) {
      if (v.reg === undefined || this.locked.has(v)) continue;
      const r = v.reg;
      const slot = this.allocSlot();
      this.emit(`str x${r}, ${this.slotAddress(slot)}`);
      v.reg = undefined;
      v.slot = slot;
      return r;
    }
    throw new IselError("internal: no register is free and no temporary can be spilled");
  }

  // ------------------------------------------------------------ values

  /** A temporary in register `reg` (handed out by alloc()). */
  temp(reg: number): Value {
    const v: Value = { reg, slot: undefined, owned: true };
    this.temps.add(v);
    return v;
  }

  /** A binding's register, not owned by the value. */
  borrowed(reg: number): Value {
    return { reg, slot: undefined, owned: false };
  }

  /** The register of each value, reloading spilled ones; they stay there until unlock(). */
  lock(...vs: Value[]): number[] {
    return vs.map((v) => {
      if (v.reg === undefined) {
        const slot = v.slot;
        if (slot === undefined) throw new IselError("internal: a value with neither register nor slot");
        const r = this.alloc();
        this.emit(`ldr x${r}, ${this.slotAddress(slot)}`);
        this.freeSlot(slot);
        v.slot = undefined;
        v.reg = r;
      }
      this.locked.add(v);
      return v.reg;
    });
  }

  unlock(...vs: Value[]): void {
    for (const v of vs) this.locked.delete(v);
  }

  release(v: Value): void {
    if (!v.owned) return;
    this.locked.delete(v);
    this.temps.delete(v);
    if (v.reg !== undefined) this.state.free.add(v.reg);
    if (v.slot !== undefined) this.freeSlot(v.slot);
    v.reg = undefined;
    v.slot = undefined;
  }

  /** A new temporary in `d`, the operands consumed (one of them may already be `d`). */
  result(d: number, ...operands: Value[]): Value {
    for (const v of operands) {
      if (v.owned && v.reg === d) {
        this.locked.delete(v);
        this.temps.delete(v);
      } else this.release(v);
    }
    return this.temp(d);
  }

  /** A temporary that a consumer keeps as its own (it takes the register over, or the slot). */
  private adopt(v: Value): void {
    this.locked.delete(v);
    this.temps.delete(v);
  }

  // ------------------------------------------------------------ bindings

  /** Whether a new binding may have a register of its own (taking back dead bindings' if not). */
  roomForBinding(): boolean {
    if (this.state.bound.size < BINDING_REGISTERS) return true;
    this.reclaim("reg");
    return this.state.bound.size < BINDING_REGISTERS;
  }

  /** Binds `id` to the value: its register or slot if it owns one (room permitting), else a copy. */
  bind(id: string, v: Value): Binding {
    if (v.owned) {
      if (v.reg !== undefined && this.roomForBinding()) {
        this.adopt(v);
        this.state.bound.add(v.reg);
        return { id, home: { reg: v.reg }, owned: true };
      }
      if (v.reg === undefined && v.slot !== undefined) {
        this.adopt(v);
        return { id, home: { slot: v.slot }, owned: true };
      }
    }
    // A borrowed register (or no room for another binding register): copied.
    const [src] = this.lock(v);
    let b: Binding;
    if (this.roomForBinding()) {
      const d = this.alloc();
      this.emit(`mov x${d}, x${src}`);
      this.state.bound.add(d);
      b = { id, home: { reg: d }, owned: true };
    } else {
      const slot = this.allocSlot();
      this.emit(`str x${src}, ${this.slotAddress(slot)}`);
      b = { id, home: { slot }, owned: true };
    }
    this.unlock(v);
    this.release(v);
    return b;
  }

  /** A new binding with a register of its own, alloc()'d here (the caller must have asked roomForBinding()). */
  bindRegister(id: string): Binding {
    const r = this.alloc();
    this.state.bound.add(r);
    return { id, home: { reg: r }, owned: true };
  }

  /** A new binding in a slot of its own. */
  bindSlot(id: string): Binding {
    return { id, home: { slot: this.allocSlot() }, owned: true };
  }

  /** A parameter bound to the caller's binding: the same home, not owned. */
  alias(id: string, of: Binding): Binding {
    return { id, home: of.home, owned: false };
  }

  /** The binding's value to read: its register, or a temporary loaded from its slot. */
  read(b: Binding): Value {
    if (b.home.reg !== undefined) return this.borrowed(b.home.reg);
    const r = this.alloc();
    this.emit(`ldr x${r}, ${this.slotAddress(b.home.slot)}`);
    return this.temp(r);
  }

  /** Stores register `src` into a slot-homed binding. */
  store(b: Binding, src: number): void {
    if (b.home.slot === undefined) throw new IselError("internal: store to a register binding");
    this.emit(`str x${src}, ${this.slotAddress(b.home.slot)}`);
  }

  /** Ends a parameter's binding whose register a result takes over: the register becomes a temporary. */
  handOver(b: Binding): Value {
    if (!b.owned || b.home.reg === undefined) throw new IselError("internal: only an owned register binding can be handed over");
    this.state.bound.delete(b.home.reg);
    return this.temp(b.home.reg);
  }

  /** The end of a binding's scope: its register or slot is free again. */
  unbind(b: Binding): void {
    if (!b.owned || this.state.reclaimed.has(b)) return;
    if (b.home.reg !== undefined) {
      this.state.bound.delete(b.home.reg);
      this.state.free.add(b.home.reg);
    } else this.freeSlot(b.home.slot);
  }

  /** Takes back the homes of dead bindings: registers (`reg`) or slots. */
  private reclaim(kind: "reg" | "slot"): void {
    for (const b of this.deadBindings()) {
      if (!b.owned || this.state.reclaimed.has(b) || (kind === "reg") !== (b.home.reg !== undefined)) continue;
      this.unbind(b);
      this.state.reclaimed.add(b);
    }
  }

  // ------------------------------------------------------------ the frame

  private allocSlot(): number {
    let s = this.lowestFreeSlot();
    if (s >= this.slotCount) {
      this.reclaim("slot");
      s = this.lowestFreeSlot();
    }
    this.state.slots.add(s);
    this.slotCount = Math.max(this.slotCount, s + 1);
    return s;
  }

  private lowestFreeSlot(): number {
    let s = 0;
    while (this.state.slots.has(s)) s++;
    return s;
  }

  private freeSlot(s: number): void {
    this.state.slots.delete(s);
  }

  /** The frame's size: its slots, rounded up to keep SP 16-byte aligned. */
  frameBytes(): number {
    return Math.ceil((8 * this.slotCount) / 16) * 16;
  }

  /** A slot's address as an operand, counting what has been pushed below the frame since. */
  slotAddress(slot: number): string {
    return `[sp, #${8 * slot + this.pushed}]`;
  }

  /** Notes a push (negative: a pop) of `bytes` below the frame. */
  pushedBytes(bytes: number): void {
    this.pushed += bytes;
  }

  // ------------------------------------------------------------ paths

  /** The state at a point where a path forks; no temporary may be live there. */
  save(): PathState {
    if (this.temps.size > 0 || this.pushed !== 0) throw new IselError("internal: a temporary or a push is live across a branch");
    return clone(this.state);
  }

  restore(s: PathState): void {
    this.state = clone(s);
  }
}

function clone(s: PathState): PathState {
  return { free: new Set(s.free), bound: new Set(s.bound), slots: new Set(s.slots), reclaimed: new Set(s.reclaimed) };
}
