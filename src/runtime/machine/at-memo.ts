// AT results remembered across a machine and its copies (MachineConfig.from, clone): scenario
// machines of one shape walk the same tables for the same FAR, and the walk is most of what a
// C-like handler's run costs.
//
// A translation is a function of its input (the operation and the VA), of the registers it reads
// through input.sysreg and of the memory it reads (the MMU model writes nothing). The memo keeps,
// per (translator, operation, VA), the registers and pages one walk read and the PAR it gave; a
// later AT reuses that PAR only when each of those registers holds the same value and each of
// those pages is the same never-written page (PhysicalMemory.stablePage) on the machine asking;
// for a machine whose memory shares the same pages object as the walk's did (copies of one
// template do), that is: none of those pages is one of its own.
// A walk that read a page of the machine's own (one it may write in place) or threw is not kept.
import type { MemoryMap } from "../memory-map.ts";
import type { PhysicalMemory } from "../memory.ts";
import type { AddressTranslator } from "./address-translator.ts";

interface Walk {
  readonly translator: AddressTranslator;
  readonly map: MemoryMap;
  /** The registers the walk read, by slot (WalkState.sysregSlot), and the value each held. */
  readonly slots: readonly number[];
  readonly values: readonly bigint[];
  readonly pages: readonly (readonly [number, object])[];
  /** The same pages as a set, and the memory's shared pages when they were read (PhysicalMemory.sharedPages). */
  readonly pageSet: ReadonlySet<number>;
  readonly shared: object;
  readonly par: bigint;
}

/** Walks kept per (operation, VA): a few register states (seeds that drew a register the walk reads). */
const WALKS_PER_KEY = 4;
/** Keys kept per memo: a machine lineage translates few VAs; a long run must not grow without bound. */
const KEYS = 1024;

/** What a walk is given besides the operation and VA. */
export interface WalkState {
  readonly memory: PhysicalMemory;
  /** A register's slot: a number that names it on this state and its copies (undefined: no such register). */
  sysregSlot(name: string): number | undefined;
  getSysreg(name: string): bigint;
  /** The register in a slot sysregSlot gave. */
  sysregAt(slot: number): bigint;
}

export class AtMemo {
  private readonly walks = new Map<string, Map<bigint, Walk[]>>();
  private keys = 0;

  /**
   * The PAR of `operation` on `va`: a kept walk's when it holds on `state`, else `walk(sysreg)`'s,
   * which reads registers only through the `sysreg` it is given.
   */
  translate(translator: AddressTranslator, operation: string, va: bigint, state: WalkState, walk: (sysreg: (name: string) => bigint) => bigint): bigint {
    const kept = this.walks.get(operation)?.get(va);
    if (kept !== undefined) {
      for (const w of kept) if (holds(w, translator, state)) return w.par;
    }
    const registers = new Map<number, bigint>();
    const pages = new Set<number>();
    state.memory.observeReads((page) => pages.add(page));
    let par: bigint;
    try {
      par = walk((name) => {
        const value = state.getSysreg(name);
        const slot = state.sysregSlot(name);
        if (slot !== undefined) registers.set(slot, value);
        return value;
      });
    } finally {
      state.memory.observeReads(undefined);
    }
    const stable: [number, object][] = [];
    for (const page of pages) {
      const identity = state.memory.stablePage(page);
      if (identity === undefined) return par; // a page this machine may write in place: not kept
      stable.push([page, identity]);
    }
    this.keep(operation, va, { translator, map: state.memory.map, slots: [...registers.keys()], values: [...registers.values()], pages: stable, pageSet: pages, shared: state.memory.sharedPages(), par });
    return par;
  }

  private keep(operation: string, va: bigint, w: Walk): void {
    let byVa = this.walks.get(operation);
    if (byVa === undefined) this.walks.set(operation, (byVa = new Map()));
    const kept = byVa.get(va);
    if (kept !== undefined) {
      if (kept.length >= WALKS_PER_KEY) kept.shift();
      kept.push(w);
      return;
    }
    if (this.keys >= KEYS) {
      this.walks.clear();
      this.keys = 0;
      this.walks.set(operation, (byVa = new Map()));
    }
    byVa.set(va, [w]);
    this.keys++;
  }
}

function holds(w: Walk, translator: AddressTranslator, state: WalkState): boolean {
  if (w.translator !== translator || w.map !== state.memory.map) return false;
  const { slots, values } = w;
  for (let i = 0; i < slots.length; i++) if (state.sysregAt(slots[i]) !== values[i]) return false;
  // Copies of one template share its pages as one object: then only a page of the machine's own can differ.
  if (w.shared === state.memory.sharedPages()) return !state.memory.ownsAnyOf(w.pageSet);
  for (const [page, identity] of w.pages) if (state.memory.stablePage(page) !== identity) return false;
  return true;
}
