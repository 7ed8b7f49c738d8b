// mrs, msr, at, isb/dsb/dmb, nop, the hints the model runs as NOP (hint #n and their names), brk.
import { AT_KINDS, isAtKind } from "../../semantics/at-operations.ts";
import { NOP_HINTS, hintNumber } from "../../semantics/hints.ts";
import { checkRange } from "../operands.ts";
import type { MnemonicHandler } from "./handler.ts";

const mrs: MnemonicHandler = (ops) => {
  ops.expectCount(2);
  const rt = ops.register(0, { width: 64 });
  return [{ op: "mrs", rt: rt.reg, sysreg: ops.systemRegister(1) }];
};

const msr: MnemonicHandler = (ops) => {
  ops.expectCount(2);
  const sysreg = ops.systemRegister(0);
  const rt = ops.register(1, { width: 64 });
  return [{ op: "msr", sysreg, rt: rt.reg }];
};

const at: MnemonicHandler = (ops) => {
  ops.expectCount(2);
  const kind = ops.keyword(0);
  if (!isAtKind(kind)) {
    throw ops.error(0, `unsupported AT operation '${kind}' (the model has ${AT_KINDS.join(", ")})`);
  }
  const rt = ops.register(1, { width: 64 });
  return [{ op: "at", kind, rt: rt.reg }];
};

const BARRIER_OPTIONS = ["sy", "st", "ld", "ish", "ishst", "ishld", "nsh", "nshst", "nshld", "osh", "oshst", "oshld"];

function barrier(kind: "isb" | "dsb" | "dmb"): MnemonicHandler {
  return (ops) => {
    if (kind === "isb") {
      ops.expectCount(0, 1);
      if (ops.length === 1 && ops.keyword(0) !== "sy") throw ops.error(0, "isb takes only the option 'sy'");
      return [{ op: "barrier", kind, option: "sy" }];
    }
    ops.expectCount(1);
    const option = ops.keyword(0);
    if (!BARRIER_OPTIONS.includes(option)) throw ops.error(0, `unknown barrier option '${option}'`);
    return [{ op: "barrier", kind, option }];
  };
}

const nop: MnemonicHandler = (ops) => {
  ops.expectCount(0);
  return [{ op: "nop" }];
};

const hint: MnemonicHandler = (ops) => {
  ops.expectCount(1);
  const imm = checkRange(ops, 0, ops.immediate(0), 0n, 127n, "hint number");
  if (imm === 0) return [{ op: "nop" }];
  if (!NOP_HINTS.has(imm)) throw ops.error(0, `hint #${imm} is not modelled (the model runs ${[...NOP_HINTS.values()].join(", ")} as NOP)`);
  return [{ op: "hint", imm }];
};

/** A hint by name: paciasp, autiasp, csdb, ...; bti takes an optional c, j or jc. */
function namedHint(name: string): MnemonicHandler {
  return (ops) => {
    if (name === "bti") {
      ops.expectCount(0, 1);
      const full = ops.length === 1 ? `bti ${ops.keyword(0)}` : "bti";
      const n = hintNumber(full);
      if (n === undefined) throw ops.error(0, "bti takes c, j or jc");
      return [{ op: "hint", imm: n }];
    }
    ops.expectCount(0);
    return [{ op: "hint", imm: hintNumber(name)! }];
  };
}

const brk: MnemonicHandler = (ops) => {
  ops.expectCount(1);
  return [{ op: "brk", imm16: checkRange(ops, 0, ops.immediate(0), 0n, 0xffffn, "immediate") }];
};

function hintMnemonics(): Record<string, MnemonicHandler> {
  const out: Record<string, MnemonicHandler> = {};
  for (const name of NOP_HINTS.values()) out[name.split(" ")[0]] = namedHint(name.split(" ")[0]);
  return out;
}

export const SYSTEM: Record<string, MnemonicHandler> = {
  mrs, msr, at, isb: barrier("isb"), dsb: barrier("dsb"), dmb: barrier("dmb"), nop, hint, ...hintMnemonics(), brk,
};
