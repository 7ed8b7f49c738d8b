// mrs, msr, at, isb/dsb/dmb, nop.
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

const AT_OPERATIONS = ["s1e1r", "s1e1w", "s1e1a", "s1e0r", "s1e0w"] as const;

const at: MnemonicHandler = (ops) => {
  ops.expectCount(2);
  const kind = ops.keyword(0);
  if (!(AT_OPERATIONS as readonly string[]).includes(kind)) {
    throw ops.error(0, `unsupported AT operation '${kind}' (the model has ${AT_OPERATIONS.join(", ")})`);
  }
  const rt = ops.register(1, { width: 64 });
  return [{ op: "at", kind: kind as (typeof AT_OPERATIONS)[number], rt: rt.reg }];
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

export const SYSTEM: Record<string, MnemonicHandler> = {
  mrs, msr, at, isb: barrier("isb"), dsb: barrier("dsb"), dmb: barrier("dmb"), nop,
};
