// The guest instruction of a trap set-up, read from its A64 text (GNU as syntax) into the
// properties the architecture's report of a fault depends on: the access's direction and size,
// the registers it transfers (the instruction syndrome's SAS, SSE, SRT, SF and AR), and its kind
// (unprivileged, exclusive, SIMD/FP, pair, writeback, prefetch, cache maintenance, branch). The
// operands are read with the runtime assembler's operand parser (src/runtime/asm), not a second one.
//
// The effective address of the access is `register value + offset` (offset 0 for post-index, and
// for DC/IC, whose register holds the address). The trap builder's `va` is that address.
import { AsmError } from "../asm/errors.ts";
import { Operands, splitOperands } from "../asm/operands.ts";
import { tokenize, type Token } from "../asm/tokens.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { ScenarioError } from "./scenario.ts";

/** What the instruction does with memory. */
export type GuestOperation = "load" | "store" | "prefetch" | "dc-zva" | "cache-maintenance" | "fetch";

/** DC/IC operations by VA the model knows. */
export type CacheOperation = "civac" | "cvac" | "ivac" | "cvau" | "ivau";

export interface GuestInstruction {
  /** The text as given, trimmed. */
  readonly text: string;
  readonly mnemonic: string;
  readonly operation: GuestOperation;
  /** A branch fetches at the register's address; everything else is a data access. */
  readonly kind: "data" | "instruction";
  /** The direction of the access's permission checks (a store, DC ZVA, DC IVAC: write). */
  readonly access: "read" | "write";
  /** Bytes one register transfers (a byte, halfword, word, doubleword or quadword); 0 if none. */
  readonly elementBytes: number;
  /** Registers transferred: 2 for a pair (LDP, STP, LDXP, STXP, LDPSW). */
  readonly registerCount: 0 | 1 | 2;
  /** Bytes accessed from the effective address (0 for DC ZVA: the block size is the machine's, DCZID_EL0). */
  readonly bytes: number;
  /** The (first) transfer register's number: SRT; 31 for XZR/WZR. For SIMD/FP, the V register. */
  readonly rt?: number;
  readonly rt2?: number;
  /** A store-exclusive's status register. */
  readonly rs?: number;
  /** The transfer register is 64 bits wide (X), the syndrome's SF. */
  readonly sf: boolean;
  /** A load that sign-extends (LDRSB, LDRSH, LDRSW and their forms), the syndrome's SSE. */
  readonly signExtend: boolean;
  /** Load-acquire or store-release semantics (LDAR, STLR, LDAPR, LDAXR, STLXR ...), the syndrome's AR. */
  readonly acquireRelease: boolean;
  readonly exclusive: boolean;
  /** A SIMD/FP register is transferred (B, H, S, D or Q). */
  readonly simdFp: boolean;
  /** LDTR/STTR and their forms: EL0's permissions when executed at EL1. */
  readonly unprivileged: boolean;
  /** Base register writeback: pre-index (`[xn, #i]!`) or post-index (`[xn], #i`). */
  readonly writeback: "none" | "pre" | "post";
  /** The address register: the base of a load/store/prefetch, Xt of DC/IC, Xn of BR/BLR. */
  readonly addressRegister: number | "sp";
  /** Effective address minus the address register's value. */
  readonly offset: bigint;
  /** DC/IC by VA (not DC ZVA). */
  readonly cacheOperation?: CacheOperation;
  /** General-purpose registers the instruction names (numbers; SP not included). */
  readonly gprs: readonly number[];
}

/** Single-register load/store families: the letters after LD/ST, with what they allow. */
interface Family {
  readonly load: boolean;
  readonly store: boolean;
  readonly writebackForms: boolean;
  /** Only `[xn]` (or `[xn, #0]`). */
  readonly baseOnly: boolean;
  readonly unprivileged?: boolean;
  readonly acquireRelease?: boolean;
  readonly exclusive?: boolean;
  readonly signed: boolean;
  readonly simd: boolean;
}

const FAMILIES: Record<string, Family> = {
  r: { load: true, store: true, writebackForms: true, baseOnly: false, signed: true, simd: true },
  ur: { load: true, store: true, writebackForms: false, baseOnly: false, signed: true, simd: true },
  tr: { load: true, store: true, writebackForms: false, baseOnly: false, unprivileged: true, signed: true, simd: false },
  ar: { load: true, store: false, writebackForms: false, baseOnly: true, acquireRelease: true, signed: false, simd: false },
  apr: { load: true, store: false, writebackForms: false, baseOnly: true, acquireRelease: true, signed: false, simd: false },
  lr: { load: false, store: true, writebackForms: false, baseOnly: true, acquireRelease: true, signed: false, simd: false },
  xr: { load: true, store: true, writebackForms: false, baseOnly: true, exclusive: true, signed: false, simd: false },
  axr: { load: true, store: false, writebackForms: false, baseOnly: true, exclusive: true, acquireRelease: true, signed: false, simd: false },
  lxr: { load: false, store: true, writebackForms: false, baseOnly: true, exclusive: true, acquireRelease: true, signed: false, simd: false },
};

/** Pair families: LDP/STP, LDNP/STNP, LDPSW, and the exclusive pairs. */
const PAIRS: Record<string, { load: boolean; writebackForms: boolean; exclusive?: boolean; acquireRelease?: boolean; signedWord?: boolean; simd: boolean }> = {
  ldp: { load: true, writebackForms: true, simd: true },
  stp: { load: false, writebackForms: true, simd: true },
  ldnp: { load: true, writebackForms: false, simd: true },
  stnp: { load: false, writebackForms: false, simd: true },
  ldpsw: { load: true, writebackForms: true, signedWord: true, simd: false },
  ldxp: { load: true, writebackForms: false, exclusive: true, simd: false },
  ldaxp: { load: true, writebackForms: false, exclusive: true, acquireRelease: true, simd: false },
  stxp: { load: false, writebackForms: false, exclusive: true, simd: false },
  stlxp: { load: false, writebackForms: false, exclusive: true, acquireRelease: true, simd: false },
};

const CACHE_OPERATIONS: Record<string, { dc: boolean; op: CacheOperation | "zva" }> = {
  "dc civac": { dc: true, op: "civac" },
  "dc cvac": { dc: true, op: "cvac" },
  "dc ivac": { dc: true, op: "ivac" },
  "dc cvau": { dc: true, op: "cvau" },
  "dc zva": { dc: true, op: "zva" },
  "ic ivau": { dc: false, op: "ivau" },
};

const SIMD_BYTES: Record<string, number> = { b: 1, h: 2, s: 4, d: 8, q: 16 };

const LOCATION = { file: "instruction", line: 1, column: 1 } as const;

function simdRegister(o: { tokens: readonly Token[] }): { bytes: number; index: number } | undefined {
  const t = o.tokens;
  if (t.length !== 1 || t[0].kind !== "ident") return undefined;
  const m = /^([bhsdq])([0-9]|[12][0-9]|3[01])$/i.exec(t[0].text);
  return m === null ? undefined : { bytes: SIMD_BYTES[m[1].toLowerCase()], index: Number(m[2]) };
}

/** Reads `text`; a ScenarioError names the instruction and what is wrong with it. */
/**
 * Instructions by their trimmed text: a batch of set-ups names a few instructions again and again
 * (the trap builder, the syndrome and the oracle's stubs each read them), and a GuestInstruction is
 * never changed. Text that does not parse is not kept (its error is thrown again each time).
 */
const parsed = new BoundedCache<GuestInstruction>(256);

export function parseGuestInstruction(text: string): GuestInstruction {
  const trimmed = text.trim();
  try {
    return parsed.get(trimmed, () => parse(trimmed));
  } catch (e) {
    if (e instanceof AsmError) throw new ScenarioError(`instruction '${trimmed}': column ${e.column}: ${e.reason}`);
    throw e;
  }
}

class Reader {
  readonly ops: Operands;
  constructor(
    readonly text: string,
    readonly mnemonic: string,
    tokens: readonly Token[],
    operandColumn: number,
  ) {
    const operandText = text.slice(operandColumn - 1);
    this.ops = new Operands(mnemonic, splitOperands(tokens, operandText, operandColumn, LOCATION), { ...LOCATION, column: 1 }, () => undefined);
  }
  fail(reason: string, index?: number): never {
    throw index === undefined ? new AsmError(LOCATION, reason) : this.ops.error(index, reason);
  }
}

function gprNumber(r: { reg: { kind: string; index?: number } }): number {
  return r.reg.kind === "x" ? (r.reg.index as number) : 31;
}

/** `[xn]`, `[xn, #i]`, `[xn, #i]!` at `index`, and a post-index `#i` after it. */
function address(rd: Reader, index: number, allowWriteback: boolean, baseOnly: boolean): { base: number | "sp"; offset: bigint; writeback: "none" | "pre" | "post"; operands: number } {
  const m = rd.ops.memory(index);
  const base = m.base.kind === "sp" ? ("sp" as const) : (m.base as { index: number }).index;
  const post = rd.ops.length > index + 1;
  if (post) rd.ops.expectCount(index + 2);
  if (baseOnly && (post || m.writeBack || m.offset !== 0n)) rd.fail(`'${rd.mnemonic}' takes only a base register address [xn]`, index);
  if (!allowWriteback && (post || m.writeBack)) rd.fail(`'${rd.mnemonic}' has no writeback form`, index);
  if (post) {
    if (m.hasOffset) rd.fail("a post-index address is [xn] followed by the offset", index);
    rd.ops.immediate(index + 1);
    return { base, offset: 0n, writeback: "post", operands: index + 2 };
  }
  return { base, offset: m.offset, writeback: m.writeBack ? "pre" : "none", operands: index + 1 };
}

function parse(text: string): GuestInstruction {
  const tokens = tokenize(text, LOCATION, 1);
  const head = tokens[0];
  if (head === undefined) throw new AsmError(LOCATION, "the instruction is empty");
  if (head.kind !== "ident") throw new AsmError(LOCATION, `expected a mnemonic, got '${head.text}'`);
  const mnemonic = head.text.toLowerCase();
  const rd = new Reader(text, mnemonic, tokens.slice(1), head.column + head.text.length);
  const none = { sf: false, signExtend: false, acquireRelease: false, exclusive: false, simdFp: false, unprivileged: false, writeback: "none" as const };

  if (mnemonic === "br" || mnemonic === "blr") {
    rd.ops.expectCount(1);
    const r = rd.ops.register(0, { width: 64 });
    if (r.reg.kind !== "x") rd.fail(`'${mnemonic}' needs an X register`, 0);
    const n = gprNumber(r);
    return { text, mnemonic, operation: "fetch", kind: "instruction", access: "read", elementBytes: 0, registerCount: 0, bytes: 4, ...none, addressRegister: n, offset: 0n, gprs: [n] };
  }

  if (mnemonic === "dc" || mnemonic === "ic") {
    rd.ops.expectCount(2);
    const op = `${mnemonic} ${rd.ops.keyword(0)}`;
    const known = CACHE_OPERATIONS[op];
    if (known === undefined) rd.fail(`'${op}' is not a cache operation by VA the model knows (dc civac, dc cvac, dc ivac, dc cvau, dc zva, ic ivau)`, 0);
    const r = rd.ops.register(1, { width: 64 });
    if (r.reg.kind !== "x") rd.fail(`'${op}' needs an X register`, 1);
    const n = gprNumber(r);
    const common = { text, mnemonic: op, kind: "data" as const, elementBytes: 0, registerCount: 0 as const, ...none, addressRegister: n, offset: 0n, gprs: [n] };
    if (known.op === "zva") return { ...common, operation: "dc-zva", access: "write", bytes: 0 };
    // DC IVAC is a write for its permission checks (ARMv8's DC_IVAC: iswrite = TRUE); the others read.
    return { ...common, operation: "cache-maintenance", access: known.op === "ivac" ? "write" : "read", bytes: 1, cacheOperation: known.op };
  }

  if (mnemonic === "prfm" || mnemonic === "prfum") {
    rd.ops.expectCount(2);
    const named = rd.ops.op(0).tokens;
    if (named.length === 1 && named[0].kind === "ident") {
      if (!/^(pld|pli|pst)(l[123])(keep|strm)$/.test(rd.ops.keyword(0))) rd.fail(`unknown prefetch operation '${rd.ops.op(0).text}'`, 0);
    } else {
      const op = rd.ops.immediate(0);
      if (op < 0n || op > 31n) rd.fail(`prefetch operation ${op} out of range 0..31`, 0);
    }
    const a = address(rd, 1, false, false);
    return { text, mnemonic, operation: "prefetch", kind: "data", access: "read", elementBytes: 0, registerCount: 0, bytes: 1, ...none, addressRegister: a.base, offset: a.offset, gprs: a.base === "sp" ? [] : [a.base] };
  }

  const pair = PAIRS[mnemonic];
  if (pair !== undefined) return parsePair(rd, text, mnemonic, pair);

  const m = /^(ld|st)(r|ur|tr|ar|apr|lr|xr|axr|lxr)(s?)([bhw]?)$/.exec(mnemonic);
  const family = m === null ? undefined : FAMILIES[m[2]];
  if (m === null || family === undefined) return rd.fail(`'${mnemonic}' is not a load, store, prefetch, cache maintenance or branch instruction the model knows`);
  const load = m[1] === "ld";
  const signed = m[3] === "s";
  const width = m[4];
  if ((load && !family.load) || (!load && !family.store)) rd.fail(`unknown mnemonic '${mnemonic}'`);
  if (signed && (!load || !family.signed || width === "")) rd.fail(`unknown mnemonic '${mnemonic}'`);
  if (width === "w" && !signed) rd.fail(`unknown mnemonic '${mnemonic}'`);

  let index = 0;
  let rs: number | undefined;
  if (family.exclusive && !load) {
    const s = rd.ops.register(0, { width: 32 });
    rs = gprNumber(s);
    index = 1;
  }
  const simd = simdRegister(rd.ops.op(index));
  let rt: number;
  let sf: boolean;
  let elementBytes: number;
  if (simd !== undefined) {
    if (!family.simd || width !== "" || signed) rd.fail(`'${mnemonic}' does not transfer a SIMD/FP register`, index);
    rt = simd.index;
    sf = false;
    elementBytes = simd.bytes;
  } else {
    const r = rd.ops.register(index);
    rt = gprNumber(r);
    sf = r.width === 64;
    elementBytes = width === "b" ? 1 : width === "h" ? 2 : width === "w" ? 4 : sf ? 8 : 4;
    if (width === "w" && !sf) rd.fail(`'${mnemonic}' loads into an X register`, index);
    if (!signed && width !== "" && sf) rd.fail(`'${mnemonic}' transfers a W register`, index);
  }
  const a = address(rd, index + 1, family.writebackForms, family.baseOnly);
  rd.ops.expectCount(a.operands);
  if (rs !== undefined && (rs === rt || rs === a.base)) rd.fail("the status register must differ from the transfer and base registers", 0);
  const gprs = [...(rs !== undefined ? [rs] : []), ...(simd === undefined && rt !== 31 ? [rt] : []), ...(a.base === "sp" ? [] : [a.base])];
  return {
    text,
    mnemonic,
    operation: load ? "load" : "store",
    kind: "data",
    access: load ? "read" : "write",
    elementBytes,
    registerCount: 1,
    bytes: elementBytes,
    rt,
    ...(rs !== undefined ? { rs } : {}),
    sf,
    signExtend: signed,
    acquireRelease: family.acquireRelease ?? false,
    exclusive: family.exclusive ?? false,
    simdFp: simd !== undefined,
    unprivileged: family.unprivileged ?? false,
    writeback: a.writeback,
    addressRegister: a.base,
    offset: a.offset,
    gprs: [...new Set(gprs)],
  };
}

function parsePair(rd: Reader, text: string, mnemonic: string, pair: (typeof PAIRS)[string]): GuestInstruction {
  let index = 0;
  let rs: number | undefined;
  if (pair.exclusive && !pair.load) {
    rs = gprNumber(rd.ops.register(0, { width: 32 }));
    index = 1;
  }
  const first = simdRegister(rd.ops.op(index));
  let rt: number;
  let rt2: number;
  let sf = false;
  let elementBytes: number;
  if (first !== undefined) {
    const second = simdRegister(rd.ops.op(index + 1));
    if (!pair.simd) rd.fail(`'${mnemonic}' does not transfer SIMD/FP registers`, index);
    if (second === undefined || second.bytes !== first.bytes || first.bytes === 1 || first.bytes === 2) rd.fail(`'${mnemonic}' takes two S, D or Q registers of one size`, index + 1);
    rt = first.index;
    rt2 = second.index;
    elementBytes = first.bytes;
  } else {
    const r1 = rd.ops.register(index);
    const r2 = rd.ops.register(index + 1, { width: r1.width });
    if (pair.signedWord && r1.width !== 64) rd.fail("'ldpsw' loads into X registers", index);
    rt = gprNumber(r1);
    rt2 = gprNumber(r2);
    sf = r1.width === 64;
    elementBytes = pair.signedWord ? 4 : sf ? 8 : 4;
  }
  const a = address(rd, index + 2, pair.writebackForms, pair.exclusive ?? false);
  rd.ops.expectCount(a.operands);
  const gprs = [...(rs !== undefined ? [rs] : []), ...(first === undefined ? [rt, rt2].filter((r) => r !== 31) : []), ...(a.base === "sp" ? [] : [a.base])];
  return {
    text,
    mnemonic,
    operation: pair.load ? "load" : "store",
    kind: "data",
    access: pair.load ? "read" : "write",
    elementBytes,
    registerCount: 2,
    bytes: 2 * elementBytes,
    rt,
    rt2,
    ...(rs !== undefined ? { rs } : {}),
    sf,
    signExtend: pair.signedWord ?? false,
    acquireRelease: pair.acquireRelease ?? false,
    exclusive: pair.exclusive ?? false,
    simdFp: first !== undefined,
    unprivileged: false,
    writeback: a.writeback,
    addressRegister: a.base,
    offset: a.offset,
    gprs: [...new Set(gprs)],
  };
}

/** The address register's value for which the instruction's effective address is `va`. */
export function addressRegisterValue(insn: GuestInstruction, va: bigint): bigint {
  return (va - insn.offset) & ((1n << 64n) - 1n);
}
