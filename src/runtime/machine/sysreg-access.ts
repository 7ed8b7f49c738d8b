// Which register an mrs/msr reaches: the EL and VHE rules of the Arm ARM applied to the table.
import { sysregByName } from "./sysreg-table.ts";

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

/**
 * Accesses already resolved, per context (EL 0-3, E2H, direction) and name: a handler reaches the
 * same few registers on every run, and each mrs and msr asks.
 */
const RESOLVED: readonly Map<string, string>[] = Array.from({ length: 16 }, () => new Map());

/**
 * The architectural register that an access by `accessName` reaches:
 *  - below EL2, EL2 registers and *_EL12 encodings are UNDEFINED;
 *  - at EL2 with E2H == 1, an *_EL1 encoding with an EL2 counterpart reaches the *_EL2 register and
 *    an *_EL12 encoding reaches the EL1 register;
 *  - at EL2 with E2H == 0, *_EL12 encodings are UNDEFINED and *_EL1 encodings reach EL1;
 *  - writes to read-only registers are UNDEFINED.
 */
export function resolveSysregAccess(accessName: string, direction: "read" | "write", ctx: SysregAccessContext): string {
  const context = contextIndex(direction, ctx);
  const known = context === undefined ? undefined : RESOLVED[context].get(accessName);
  if (known !== undefined) return known;
  const target = resolveUncached(accessName, direction, ctx);
  // Kept only for a register's own spelling: the table bounds what is kept.
  if (context !== undefined && sysregByName(accessName)?.name === accessName) RESOLVED[context].set(accessName, target);
  return target;
}

function contextIndex(direction: "read" | "write", ctx: SysregAccessContext): number | undefined {
  if (!(ctx.el === 0 || ctx.el === 1 || ctx.el === 2 || ctx.el === 3)) return undefined;
  return ctx.el * 4 + (ctx.e2h ? 2 : 0) + (direction === "write" ? 1 : 0);
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
