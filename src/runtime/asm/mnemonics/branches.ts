// b, b.<cond> (and b<cond>), cbz/cbnz, tbz/tbnz, ret, eret.
import { CONDITION_NAMES } from "../../semantics/flags.ts";
import { conditionCode } from "../../semantics/flags.ts";
import { checkRange } from "../operands.ts";
import type { MnemonicHandler } from "./handler.ts";

const b: MnemonicHandler = (ops) => {
  ops.expectCount(1);
  return [{ op: "b", target: ops.label(0) }];
};

function bcond(cond: number): MnemonicHandler {
  return (ops) => {
    ops.expectCount(1);
    return [{ op: "bcond", cond, target: ops.label(0) }];
  };
}

function cbz(nonzero: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(2);
    const rt = ops.register(0);
    return [{ op: "cbz", nonzero, width: rt.width, rt: rt.reg, target: ops.label(1) }];
  };
}

function tbz(nonzero: boolean): MnemonicHandler {
  return (ops) => {
    ops.expectCount(3);
    const rt = ops.register(0);
    const bit = checkRange(ops, 1, ops.immediate(1), 0n, BigInt(rt.width - 1), "bit number");
    return [{ op: "tbz", nonzero, rt: rt.reg, bit, target: ops.label(2) }];
  };
}

/** ret [xn]: x30 when no register is named. */
const ret: MnemonicHandler = (ops) => {
  ops.expectCount(0, 1);
  const rn = ops.length === 1 ? ops.register(0, { width: 64 }).reg : ({ kind: "x", index: 30 } as const);
  return [{ op: "ret", rn }];
};

const eret: MnemonicHandler = (ops) => {
  ops.expectCount(0);
  return [{ op: "eret" }];
};

function conditionalBranches(): Record<string, MnemonicHandler> {
  const out: Record<string, MnemonicHandler> = {};
  for (const name of [...CONDITION_NAMES, "hs", "lo"]) {
    const code = conditionCode(name);
    if (code === undefined) continue;
    out[`b.${name}`] = bcond(code);
    out[`b${name}`] = bcond(code);
  }
  return out;
}

export const BRANCHES: Record<string, MnemonicHandler> = {
  b, ...conditionalBranches(), cbz: cbz(false), cbnz: cbz(true), tbz: tbz(false), tbnz: tbz(true), ret, eret,
};
