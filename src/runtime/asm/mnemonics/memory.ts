// ldr/str (and the b/h forms), ldp/stp: addressing modes and the offset ranges the encodings allow.
import type { AccessBytes, GpRegister, IndexMode } from "../../semantics/instruction.ts";
import type { Operands, ParsedRegister } from "../operands.ts";
import type { MnemonicHandler } from "./handler.ts";

interface Addressing {
  base: GpRegister;
  offset: bigint;
  mode: IndexMode;
  /** Operand index of the offset, for messages. */
  offsetIndex: number;
}

/** `[base, #off]`, `[base, #off]!` or `[base], #off`, starting at operand `index`. */
function addressing(ops: Operands, index: number): Addressing {
  const m = ops.memory(index);
  if (ops.length === index + 2) {
    if (m.hasOffset || m.writeBack) throw ops.error(index + 1, "post-index needs a plain '[base]' operand");
    return { base: m.base, offset: ops.immediate(index + 1), mode: "post", offsetIndex: index + 1 };
  }
  ops.expectCount(index + 1);
  return { base: m.base, offset: m.offset, mode: m.writeBack ? "pre" : "offset", offsetIndex: index };
}

function sameRegister(a: GpRegister, b: GpRegister): boolean {
  return a.kind === "x" && b.kind === "x" && a.index === b.index;
}

function singleTransfer(load: boolean, size: AccessBytes | "reg", name: string): MnemonicHandler {
  return (ops) => {
    ops.expectCount(2, 3);
    const rt: ParsedRegister = ops.register(0, size === "reg" ? {} : { width: 32 });
    const bytes: AccessBytes = size === "reg" ? (rt.width === 64 ? 8 : 4) : size;
    const a = addressing(ops, 1);
    if (a.mode === "offset") {
      const scaledMax = 4095n * BigInt(bytes);
      const scaled = a.offset >= 0n && a.offset <= scaledMax && a.offset % BigInt(bytes) === 0n;
      const unscaled = a.offset >= -256n && a.offset <= 255n; // the LDUR/STUR form GNU as picks
      if (!scaled && !unscaled) {
        throw ops.error(a.offsetIndex, `offset ${a.offset} out of range for ${name}: expected a multiple of ${bytes} in 0..${scaledMax}, or -256..255`);
      }
    } else {
      if (a.offset < -256n || a.offset > 255n) throw ops.error(a.offsetIndex, `${a.mode}-index offset ${a.offset} out of range -256..255`);
      if (sameRegister(a.base, rt.reg)) throw ops.error(0, `writeback base register is also the transfer register '${rt.name}' (unpredictable)`);
    }
    return [{ op: "ldst", load, size: bytes, rt: rt.reg, rn: a.base, offset: a.offset, mode: a.mode }];
  };
}

function pairTransfer(load: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(3, 4);
    const rt = ops.register(0);
    const rt2 = ops.register(1, { width: rt.width });
    const size = rt.width === 64 ? 8 : 4;
    const a = addressing(ops, 2);
    const lo = -64n * BigInt(size);
    const hi = 63n * BigInt(size);
    if (a.offset % BigInt(size) !== 0n || a.offset < lo || a.offset > hi) {
      throw ops.error(a.offsetIndex, `offset ${a.offset} out of range for ${ops.mnemonic}: expected a multiple of ${size} in ${lo}..${hi}`);
    }
    if (load && sameRegister(rt.reg, rt2.reg)) throw ops.error(1, `${ops.mnemonic} with identical transfer registers '${rt.name}' (unpredictable)`);
    if (a.mode !== "offset" && (sameRegister(a.base, rt.reg) || sameRegister(a.base, rt2.reg))) {
      throw ops.error(0, "writeback base register is also a transfer register (unpredictable)");
    }
    return [{ op: "ldstp", load, size, rt: rt.reg, rt2: rt2.reg, rn: a.base, offset: a.offset, mode: a.mode }];
  };
}

export const MEMORY: Record<string, MnemonicHandler> = {
  ldr: singleTransfer(true, "reg", "ldr"),
  str: singleTransfer(false, "reg", "str"),
  ldrb: singleTransfer(true, 1, "ldrb"),
  strb: singleTransfer(false, 1, "strb"),
  ldrh: singleTransfer(true, 2, "ldrh"),
  strh: singleTransfer(false, 2, "strh"),
  ldp: pairTransfer(true),
  stp: pairTransfer(false),
};
