// The access a trap set-up makes: from its guest instruction when it names one (the direction,
// size and permissions follow from the instruction), else from its generic access fields. When
// both are given they must agree. What each kind of instruction checks (Arm ARM pseudocode):
//  - loads and stores (acquire/release and exclusives included): their direction and size, a pair
//    both registers, with the permissions of the EL executing them;
//  - LDTR/STTR and their forms: at EL1, EL0's stage-1 permissions (AccType_UNPRIV), reported with
//    EL1's exception class;
//  - PRFM: translated, but a prefetch never generates a fault;
//  - DC ZVA: a write of the whole DCZID_EL0 block holding the address, aligned to its size;
//  - DC CIVAC, CVAC, CVAU: AccType_DC reads: above EL0 no Permission fault at either stage (at
//    stage 1 EL1 may read whatever it maps); at EL0 read permission. DC IVAC: an AccType_DC write
//    (write permission at both stages; UNDEFINED at EL0). IC IVAU: an AccType_IC read (read
//    permission at both stages). Their syndrome has CM=1 and WnR=1, whatever the direction
//    (ARMv8.5's ASL, AArch64.CheckPermission, AArch64.CheckS2Permission, DC_IVAC, DC_CIVAC,
//    AArch64.FaultSyndrome);
//  - BR/BLR: an instruction fetch at the register's address.
import { parseGuestInstruction, type GuestInstruction } from "./guest-instruction.ts";
import { hex, ScenarioError } from "./scenario.ts";
import type { GuestAccessTrapInput } from "./trap.ts";

/** DCZID_EL0.BS of QEMU's Cortex-A57 (4: 16 words), the default DC ZVA block. */
export const DEFAULT_DCZVA_BYTES = 64;

/** The trap input's fields that say what access is made (trap.ts documents them). */
export type GuestAccessFields = Pick<GuestAccessTrapInput, "va" | "access" | "kind" | "el" | "size" | "instruction" | "dczvaBytes">;

export interface ResolvedAccess {
  readonly kind: "data" | "instruction";
  readonly access: "read" | "write";
  /** The first byte accessed (DC ZVA: the block's start). */
  readonly start: bigint;
  readonly size: number;
  /** The EL executing the access (its exception class). */
  readonly el: 0 | 1;
  /** The EL whose stage-1 permissions apply. */
  readonly permissionEl: 0 | 1;
  readonly cacheMaintenance?: "dc" | "ic";
  /** A prefetch: a fault on its translation is not reported. */
  readonly prefetch: boolean;
  readonly instruction?: GuestInstruction;
}

function fail(message: string): never {
  throw new ScenarioError(`trap: ${message}`);
}

/** The generic access of a set-up that names no instruction (today's input form). */
function genericAccess(input: GuestAccessFields): ResolvedAccess {
  if (input.access === undefined || input.kind === undefined) fail("an access without an 'instruction' needs 'access' and 'kind'");
  const size = input.size ?? 1;
  if (!Number.isInteger(size) || size < 1 || size > 64) fail(`access size ${size} is not 1-64 bytes`);
  if (input.kind === "instruction" && input.access === "write") fail("an instruction fetch is a read");
  if (input.kind === "instruction" && size !== 1 && size !== 4) fail("an instruction fetch is 4 bytes");
  const el = input.el ?? 1;
  return { kind: input.kind, access: input.access, start: input.va, size, el, permissionEl: el, prefetch: false };
}

/** The access of `input`, from its instruction when it has one. */
export function resolveGuestAccess(input: GuestAccessFields): ResolvedAccess {
  if (input.instruction === undefined) return genericAccess(input);
  const insn = parseGuestInstruction(input.instruction);
  const el = input.el ?? 1;
  let size = insn.bytes;
  let start = input.va;
  let cacheMaintenance: "dc" | "ic" | undefined;
  if (insn.operation === "dc-zva") {
    size = input.dczvaBytes ?? DEFAULT_DCZVA_BYTES;
    if (!Number.isInteger(size) || size < 4 || size > 2048 || (size & (size - 1)) !== 0) fail(`dczvaBytes ${size} is not a DCZID_EL0 block size (a power of two, 4-2048 bytes)`);
    start = input.va & ~BigInt(size - 1);
  } else if (input.dczvaBytes !== undefined) {
    fail(`'dczvaBytes' is for DC ZVA, not ${named(insn)}`);
  }
  if (insn.operation === "cache-maintenance") {
    if (insn.cacheOperation === "ivac" && el === 0) fail(`${named(insn)} is UNDEFINED at EL0`);
    cacheMaintenance = insn.cacheOperation === "ivau" ? "ic" : "dc";
  }
  if (insn.exclusive || insn.acquireRelease) {
    const align = BigInt(insn.bytes);
    if (input.va % align !== 0n) fail(`${named(insn)} at ${hex(input.va)}: an exclusive or acquire/release access must be aligned to ${align} bytes (the Alignment fault it takes otherwise is not modelled)`);
  }
  const resolved: ResolvedAccess = {
    kind: insn.kind,
    access: insn.access,
    start,
    size,
    el,
    permissionEl: insn.unprivileged ? 0 : el,
    ...(cacheMaintenance !== undefined ? { cacheMaintenance } : {}),
    prefetch: insn.operation === "prefetch",
    instruction: insn,
  };
  if (input.kind !== undefined && input.kind !== resolved.kind) disagree(insn, "kind", input.kind, resolved.kind === "data" ? "data access" : "instruction fetch");
  if (input.access !== undefined && input.access !== resolved.access) disagree(insn, "access", input.access, resolved.access);
  if (input.size !== undefined && input.size !== resolved.size) disagree(insn, "size", input.size, resolved.size);
  return resolved;
}

/** How an error names the instruction (made only for an error: the access is resolved for every trap). */
function named(insn: GuestInstruction): string {
  return `instruction '${insn.text}'`;
}

function disagree(insn: GuestInstruction, field: string, given: string | number, derived: string | number): never {
  return fail(`'${field}' ${JSON.stringify(given)} disagrees with ${named(insn)}, which makes ${field === "size" ? `a ${derived}-byte access` : `a ${derived}`}`);
}
