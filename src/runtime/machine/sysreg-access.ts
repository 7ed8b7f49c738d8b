// Which register an mrs/msr reaches: the EL and VHE rules of the Arm ARM applied to the table.
import { SYSREG_TABLE, sysregByName } from "./sysreg-table.ts";

/** HCR_EL2.E2H, bit 34: EL2 Host (VHE). */
export const HCR_EL2_E2H = 1n << 34n;
/** HCR_EL2.TGE, bit 27: Trap General Exceptions (with E2H, the host runs at EL2). */
export const HCR_EL2_TGE = 1n << 27n;
/** HCR_EL2.VM, bit 0: stage-2 translation enabled. */
export const HCR_EL2_VM = 1n;

/** An access the architecture makes UNDEFINED (it would take an exception to the same EL). */
export class UndefinedSysregAccess extends Error {}

export interface SysregAccessContext {
  readonly el: number;
  readonly e2h: boolean;
}

/** What an access resolves to: the register it reaches, or why it is UNDEFINED. */
type Resolution = string | { readonly undefinedAccess: string };

/**
 * The architectural register that an access by `accessName` reaches:
 *  - below EL2, EL2 registers and *_EL12 encodings are UNDEFINED;
 *  - at EL2 with E2H == 1, an *_EL1 encoding with an EL2 counterpart reaches the *_EL2 register and
 *    an *_EL12 encoding reaches the EL1 register;
 *  - at EL2 with E2H == 0, *_EL12 encodings are UNDEFINED and *_EL1 encodings reach EL1;
 *  - writes to read-only registers are UNDEFINED.
 */
export function resolveSysregAccess(accessName: string, direction: "read" | "write", ctx: SysregAccessContext): string {
  const el = ctx.el;
  const known = el === 0 || el === 1 || el === 2 || el === 3 ? RESOLVED[el * 4 + (ctx.e2h ? 2 : 0) + (direction === "write" ? 1 : 0)].get(accessName) : undefined;
  if (known === undefined) return resolveUncached(accessName, direction, ctx);
  if (typeof known === "string") return known;
  throw new UndefinedSysregAccess(known.undefinedAccess);
}

/**
 * Every table name's resolution in every context (EL 0-3, E2H, direction), worked out once: a
 * handler's every mrs and msr asks. Other spellings (lower case) are worked out when asked.
 */
const RESOLVED: readonly ReadonlyMap<string, Resolution>[] = Array.from({ length: 16 }, (_, i) => {
  const ctx = { el: i >> 2, e2h: (i & 2) !== 0 };
  const direction = i & 1 ? "write" : "read";
  return new Map(SYSREG_TABLE.map((r) => [r.name, resolution(r.name, direction, ctx)]));
});

function resolution(name: string, direction: "read" | "write", ctx: SysregAccessContext): Resolution {
  try {
    return resolveUncached(name, direction, ctx);
  } catch (e) {
    if (e instanceof UndefinedSysregAccess) return { undefinedAccess: e.message };
    throw e;
  }
}

function resolveUncached(accessName: string, direction: "read" | "write", ctx: SysregAccessContext): string {
  const reg = sysregByName(accessName);
  if (reg === undefined) throw new UndefinedSysregAccess(`unknown system register ${accessName}`);
  if (ctx.el < reg.minEl) throw new UndefinedSysregAccess(`${reg.name} is UNDEFINED at EL${ctx.el}`);
  let target = reg;
  if (reg.el12Of !== undefined) {
    if (!ctx.e2h) throw new UndefinedSysregAccess(`${reg.name} is UNDEFINED at EL2 when HCR_EL2.E2H == 0`);
    target = sysregByName(reg.el12Of) ?? reg;
  } else if (reg.vheRedirect !== undefined && ctx.el === 2 && ctx.e2h) {
    target = sysregByName(reg.vheRedirect) ?? reg;
  }
  if (direction === "write" && target.access === "ro") {
    throw new UndefinedSysregAccess(`${target.name} is read-only`);
  }
  return target.name;
}
