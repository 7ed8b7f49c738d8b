// Loads and stores (Arm ARM aarch64/instrs/memory/single/general/immediate/*, memory/pair/general/*).
import type { BitVecDomain } from "./domain.ts";
import type { Instruction } from "./instruction.ts";
import { readReg, writeReg } from "./registers.ts";
import type { ArchState } from "./state.ts";

type Insn<K extends Instruction["op"]> = Extract<Instruction, { op: K }>;

/** The address before the access, and the write-back value, for the three index modes. */
function addressing<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"ldst"> | Insn<"ldstp">): { address: V; writeBack: V | undefined } {
  const base = readReg(d, s, i.rn, 64);
  const offset = d.const(i.offset, 64);
  const offsetAddress = d.add(base, offset);
  switch (i.mode) {
    case "offset": return { address: offsetAddress, writeBack: undefined };
    case "pre": return { address: offsetAddress, writeBack: offsetAddress };
    case "post": return { address: base, writeBack: offsetAddress };
  }
}

function completeWriteBack<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"ldst"> | Insn<"ldstp">, writeBack: V | undefined): void {
  if (writeBack !== undefined) writeReg(d, s, i.rn, writeBack);
}

/** LDR/LDRB/LDRH/STR/STRB/STRH (immediate): loads zero-extend into the register. */
export function loadStore<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"ldst">): void {
  const { address, writeBack } = addressing(d, s, i);
  const bitsWide = i.size * 8;
  if (i.load) {
    const data = s.load(address, i.size);
    writeReg(d, s, i.rt, d.zeroExtend(data, i.size === 8 ? 64 : 32));
  } else {
    const data = readReg(d, s, i.rt, i.size === 8 ? 64 : 32);
    s.store(address, i.size, bitsWide === d.width(data) ? data : d.extract(data, bitsWide - 1, 0));
  }
  completeWriteBack(d, s, i, writeBack);
}

/** LDP/STP: two registers at address and address + size. */
export function loadStorePair<V, B>(d: BitVecDomain<V, B>, s: ArchState<V, B>, i: Insn<"ldstp">): void {
  const { address, writeBack } = addressing(d, s, i);
  const second = d.add(address, d.const(BigInt(i.size), 64));
  const regWidth = i.size === 8 ? 64 : 32;
  if (i.load) {
    const data1 = s.load(address, i.size);
    const data2 = s.load(second, i.size);
    writeReg(d, s, i.rt, data1);
    writeReg(d, s, i.rt2, data2);
  } else {
    // Both registers are read before either store, as the pseudocode reads data1 and data2 first.
    const data1 = readReg(d, s, i.rt, regWidth);
    const data2 = readReg(d, s, i.rt2, regWidth);
    s.store(address, i.size, data1);
    s.store(second, i.size, data2);
  }
  completeWriteBack(d, s, i, writeBack);
}
