// Register values in text as the kernel prints it: a dmesg excerpt pasted on standard input.
// Every value is kept with the line and column it was read from, so that the report can say
// where each value came from and two lines that disagree are an error naming both.
//
// What is read (the formats of Linux's arch/arm64/mm/fault.c, arch/arm64/kernel/traps.c and
// arch/arm64/kvm/, matched by shape, not copied):
//   - NAME = VALUE, NAME=VALUE, NAME: VALUE and NAME 0xVALUE for the registers below (ESR, ESR_EL2, FAR_EL2,
//     HPFAR_EL2, PAR_EL1, MIDR_EL1, ... and "esr: 0x..." of KVM's unknown-exception-class message);
//     hex with 0x, or without it when at least 8 digits long (the HYP panic's "ESR:%016llx");
//   - "Unable to handle kernel ... at virtual address VALUE": the faulting address, FAR;
//   - "Internal error: Oops: VALUE [#N]": die() prints the ESR of the fault that killed the kernel;
//   - inside a "Mem abort info:" or "Data abort info:" block, and in KVM's "Unsupported FSC:"
//     line, the fields the kernel decoded itself (EC = 0x25: ..., IL = 32 bits, FSC = 0x05,
//     xFSC=0x..., WnR = 1, ...): not values of their own but claims about the ESR, checked
//     against it (checks.ts);
//   - MIDR from "MIDR = ..." or MIDR_EL1 lines.
// A dmesg timestamp ("[   12.345678] ") and a syslog level ("<1>") before the text are skipped.
// Every other line is ignored.

/** A register a value is for, under its name in a scenario. */
export type LogRegister = "esr" | "far" | "hpfar" | "par" | "midr";

/** Where a value was read: 1-based line and column of its first character, and the line as written. */
export interface LogPlace {
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export interface LogValue {
  readonly register: LogRegister;
  /** The name as the line wrote it (ESR_EL2, ESR, esr, FAR, "virtual address"). */
  readonly written: string;
  readonly value: bigint;
  readonly at: LogPlace;
}

/** A field the kernel decoded and printed itself, by the kernel's name for it. */
export interface LogClaim {
  readonly field: string;
  readonly value: bigint;
  readonly at: LogPlace;
}

export interface KernelLog {
  /** Every value read, in line order. */
  readonly values: readonly LogValue[];
  readonly claims: readonly LogClaim[];
  /** How many lines the text has (ignored ones included). */
  readonly lines: number;
}

/** Bad input located in the text: `file:line:col: error: message`, and notes at other places. */
export class LogError extends Error {
  constructor(
    readonly file: string,
    readonly at: LogPlace,
    readonly reason: string,
    readonly notes: readonly { at: LogPlace; text: string }[] = [],
  ) {
    super([`${file}:${at.line}:${at.column}: error: ${reason}`, ...notes.map((n) => `${file}:${n.at.line}:${n.at.column}: note: ${n.text}`)].join("\n"));
  }
}

const NAMES: Readonly<Record<string, LogRegister>> = {
  ESR_EL2: "esr",
  ESR: "esr",
  esr: "esr",
  FAR_EL2: "far",
  FAR: "far",
  HPFAR_EL2: "hpfar",
  HPFAR: "hpfar",
  PAR_EL1: "par",
  PAR: "par",
  MIDR_EL1: "midr",
  MIDR: "midr",
};

// NAME, then '=' or ':' (spaces around allowed), then a hex value. The name stands alone: not
// the end of a longer word (xFSC, PC) and not followed by one (ESR_EL1 is the guest's register).
// "ESR 0x..." (a space, then 0x) is how traps.c's unhandled-exception and signal messages put it.
const VALUE = /(?<![A-Za-z0-9_])(ESR_EL2|HPFAR_EL2|FAR_EL2|PAR_EL1|MIDR_EL1|ESR|HPFAR|FAR|PAR|MIDR|esr)(?:\s*[=:]\s*|\s+(?=0[xX]))(0[xX][0-9a-fA-F]+|[0-9a-fA-F]{8,})(?![0-9a-zA-Z_])/g;
const VIRTUAL_ADDRESS = /Unable to handle kernel .* at virtual address (0[xX])?([0-9a-fA-F]{1,16})\b/;
// The kernel's own decoding: "EC = 0x25: DABT (current EL)", "IL = 32 bits", "WnR = 1", "xFSC=0x21".
const CLAIM = /(?<![A-Za-z0-9_])(EC|IL|SET|FnV|EA|S1PTW|FSC|xFSC|ISV|ISS|ISS2|SSE|SRT|SF|AR|CM|WnR|TnD|TagAccess|GCS|Overlay|DirtyBit|Xs|Access size)\s*=\s*(0[xX][0-9a-fA-F]+|\d+)(\s*(?:bits|byte\(s\)))?/g;
const OOPS = /Internal error: [^:]*: ([0-9a-fA-F]{8,16}) \[#\d+\]/;
const BLOCK_START = /^(Mem|Data) abort info:\s*$/;
const UNSUPPORTED_FSC = /Unsupported FSC:/;
const PREFIX = /^(<\d+>)?(\[\s*\d+\.\d+\]\s?)?(kvm \[\d+\]:\s*)?/;

const MAX64 = (1n << 64n) - 1n;

/** The kernel prints its decoded fields as %#x/0x%02lx (hex) or %lu/%u (decimal). */
function parseNumber(text: string): bigint {
  return BigInt(text);
}

/** The values and claims in `text`; `file` names it in errors (<stdin>). Throws LogError for a value that does not fit 64 bits. */
export function parseKernelLog(text: string, file: string): KernelLog {
  const values: LogValue[] = [];
  const claims: LogClaim[] = [];
  const lines = text.split(/\r?\n/);
  let inBlock = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const prefix = PREFIX.exec(raw)?.[0].length ?? 0;
    const body = raw.slice(prefix);
    const place = (offset: number): LogPlace => ({ line, column: prefix + offset + 1, text: raw });
    const take = (register: LogRegister, written: string, digits: string, offset: number): void => {
      const value = BigInt(/^0[xX]/.test(digits) ? digits : `0x${digits}`);
      if (value > MAX64) throw new LogError(file, place(offset), `${written} value ${digits} does not fit in 64 bits`);
      values.push({ register, written, value, at: place(offset) });
    };
    if (BLOCK_START.test(body.trim())) {
      inBlock = true;
      return;
    }
    // A block's lines are indented ("  ESR = ..."); the first line that is not ends it.
    if (inBlock && !/^\s/.test(body)) inBlock = false;
    for (const m of body.matchAll(VALUE)) take(NAMES[m[1]], m[1], m[2], m.index + m[0].length - m[2].length);
    const va = VIRTUAL_ADDRESS.exec(body);
    if (va !== null) take("far", "virtual address", (va[1] ?? "") + va[2], va.index + va[0].length - va[2].length - (va[1]?.length ?? 0));
    const oops = OOPS.exec(body);
    if (oops !== null) take("esr", "the Oops's ESR", oops[1], oops.index + oops[0].indexOf(oops[1], oops[0].indexOf(": ") + 2));
    if (inBlock || UNSUPPORTED_FSC.test(body)) {
      for (const m of body.matchAll(CLAIM)) {
        const at = place(m.index + m[0].length - m[2].length - (m[3]?.length ?? 0));
        const n = parseNumber(m[2]);
        if (n > MAX64) throw new LogError(file, at, `${m[1]} value ${m[2]} does not fit in 64 bits`);
        claims.push({ field: m[1], value: n, at });
      }
    }
  });
  return { values, claims, lines: lines.length };
}

/** One value per register: the first given; a later line with another value is an error naming both. */
export function valuesByRegister(log: KernelLog, file: string): Map<LogRegister, { value: LogValue; also: LogValue[] }> {
  const out = new Map<LogRegister, { value: LogValue; also: LogValue[] }>();
  for (const v of log.values) {
    const seen = out.get(v.register);
    if (seen === undefined) {
      out.set(v.register, { value: v, also: [] });
      continue;
    }
    if (seen.value.value !== v.value) {
      throw new LogError(file, v.at, `${v.written} is 0x${v.value.toString(16)} here but 0x${seen.value.value.toString(16)} at line ${seen.value.at.line} (one fault at a time: cut the excerpt to one)`, [
        { at: seen.value.at, text: `${seen.value.written} first given here` },
      ]);
    }
    seen.also.push(v);
  }
  return out;
}
