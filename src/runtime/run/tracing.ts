// Per-instruction traces by replay: the run itself goes through runProgram (the one concrete
// interpreter); when a trace is asked for, the executed path is replayed instruction by instruction
// on a second machine built from the same start, through an ArchState wrapper that logs every write.
// Replay ends where the run ended; a replay whose final registers differ from the run's is a bug.
import type { LoadedProgram } from "../asm/program.ts";
import { formatLocation } from "../asm/errors.ts";
import type { Machine } from "../machine/machine.ts";
import { concreteDomain, type Bits } from "../semantics/concrete-domain.ts";
import { executeInstruction } from "../semantics/execute.ts";
import type { Nzcv } from "../semantics/flags.ts";
import type { AccessBytes } from "../semantics/instruction.ts";
import type { ArchState, AtKind } from "../semantics/state.ts";
import { HandlerRunError, type TraceEntry } from "./types.ts";

class LoggingState implements ArchState<Bits, boolean> {
  writes = new Map<string, bigint>();
  stores: { address: bigint; size: number; value: bigint }[] = [];
  constructor(private readonly m: Machine) {}
  readX(i: number): Bits { return this.m.readX(i); }
  writeX(i: number, v: Bits): void { this.m.writeX(i, v); this.writes.set(`x${i}`, v.value); }
  readSP(): Bits { return this.m.readSP(); }
  writeSP(v: Bits): void { this.m.writeSP(v); this.writes.set("sp", v.value); }
  readFlags(): Nzcv<boolean> { return this.m.readFlags(); }
  writeFlags(f: Nzcv<boolean>): void {
    this.m.writeFlags(f);
    this.writes.set("nzcv", (f.n ? 8n : 0n) | (f.z ? 4n : 0n) | (f.c ? 2n : 0n) | (f.v ? 1n : 0n));
  }
  load(a: Bits, size: AccessBytes): Bits { return this.m.load(a, size); }
  store(a: Bits, size: AccessBytes, v: Bits): void { this.m.store(a, size, v); this.stores.push({ address: a.value, size, value: v.value }); }
  resolveSysreg(name: string, dir: "read" | "write"): string { return this.m.resolveSysreg(name, dir); }
  readSysreg(name: string): Bits { return this.m.readSysreg(name); }
  writeSysreg(name: string, v: Bits): void { this.m.writeSysreg(name, v); this.writes.set(name, v.value); }
  addressTranslate(kind: AtKind, va: Bits): Bits { return this.m.addressTranslate(kind, va); }
}

/** Replays `path` (instruction indices) on `machine` and returns one entry per instruction. */
export function replayTrace(program: LoadedProgram, machine: Machine, path: readonly number[], expectedFinal: Machine): TraceEntry[] {
  const state = new LoggingState(machine);
  const entries: TraceEntry[] = [];
  for (const index of path) {
    const insn = program.instructions[index];
    state.writes = new Map();
    state.stores = [];
    executeInstruction(concreteDomain, state, insn.insn);
    entries.push({ index, loc: formatLocation(insn.loc), text: insn.text.replace(/\s+/g, " "), writes: state.writes, stores: state.stores });
  }
  for (let i = 0; i <= 30; i++) {
    if (machine.getX(i) !== expectedFinal.getX(i)) throw new HandlerRunError(`internal error: trace replay diverged at x${i}`);
  }
  if (machine.getSP() !== expectedFinal.getSP()) throw new HandlerRunError("internal error: trace replay diverged at sp");
  return entries;
}

