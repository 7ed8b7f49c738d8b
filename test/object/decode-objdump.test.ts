// The decoder and the disassembler against binutils: every word faultc decodes is printed the way
// aarch64-linux-gnu-objdump prints it (normalized: see normalizeObjdump), and every word objdump
// calls undefined faultc refuses. Three sources of words: random words in each encoding class the
// decoder handles (seeded, so a failure reproduces), an assembly file with one line per
// instruction form the model executes (each must decode, and to exactly what faultc's own
// assembler makes of the same line), and C compiled by gcc at several optimization levels.
import { describe, expect, it } from "vitest";
import { decodeA64 } from "../../src/object/decode.ts";
import { disassemble } from "../../src/object/disassemble.ts";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { SYSREG_TABLE } from "../../src/runtime/machine/sysreg-table.ts";
import { compile, describeWithCross, normalizeObjdump, objdumpLines, objdumpWords, scratchDir, type ObjdumpLine } from "./cross-toolchain.ts";

function ours(word: number, address: bigint): string | undefined {
  const d = decodeA64(word, address);
  if (!d.ok) return undefined;
  return disassemble(d.insn, { target: (t) => `0x${t.toString(16)}`, ...(d.unscaled ? { unscaled: true } : {}) });
}

const UNDEFINED = /^(\.inst|udf)\b|undefined/;

/** Compares one objdump line; returns a message for a disagreement. */
function disagreement(l: ObjdumpLine): string | undefined {
  const mine = ours(l.word, l.address);
  const theirs = normalizeObjdump(l.text);
  if (UNDEFINED.test(l.text)) return mine === undefined ? undefined : `${l.word.toString(16)}: objdump: undefined, faultc: ${mine}`;
  if (mine === undefined) return undefined;
  return normalizeObjdump(mine) === theirs ? undefined : `${l.word.toString(16).padStart(8, "0")} at 0x${l.address.toString(16)}: objdump '${theirs}', faultc '${mine}'`;
}

/** mulberry32: small, seeded, good enough to spread bits over every field. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Encoding classes the decoder handles: fixed bits (mask, value); the other bits are random. The
 * random MRS/MSR words mostly name registers the model does not hold (they check refusals); the
 * modelled registers come from the table below.
 */
const CLASSES: readonly [string, number, number][] = [
  ["adr/adrp", 0x1f000000, 0x10000000],
  ["add/sub immediate", 0x1f800000, 0x11000000],
  ["logical immediate", 0x1f800000, 0x12000000],
  ["move wide", 0x1f800000, 0x12800000],
  ["bitfield", 0x1f800000, 0x13000000],
  ["b", 0xfc000000, 0x14000000],
  ["b.cond", 0xff000010, 0x54000000],
  ["cbz/cbnz", 0x7e000000, 0x34000000],
  ["tbz/tbnz", 0x7e000000, 0x36000000],
  ["brk", 0xffe0001f, 0xd4200000],
  ["hints", 0xfffff01f, 0xd503201f],
  ["barriers", 0xfffff01f, 0xd503301f],
  // SYS #0, C7, C8/C9, #op2: the AT block (the rest of SYS is cache and TLB maintenance)
  ["sys (AT)", 0xfffffe00, 0xd5087800],
  ["msr (any register)", 0xfff00000, 0xd5100000],
  ["mrs (any register)", 0xfff00000, 0xd5300000],
  // op3 = op4 = 0, opc < 8: BR, BLR, RET, ERET and unallocated neighbours
  ["branch register", 0xff1ffc1f, 0xd61f0000],
  ["load/store unsigned offset", 0x3f000000, 0x39000000],
  ["load/store imm9", 0x3f200000, 0x38000000],
  ["load/store pair", 0x3e000000, 0x28000000],
  ["logical shifted register", 0x1f000000, 0x0a000000],
  ["add/sub shifted register", 0x1f200000, 0x0b000000],
  ["conditional compare", 0x1fe00000, 0x1a400000],
  ["conditional select", 0x1fe00000, 0x1a800000],
  ["data processing 2 source", 0x5fe00000, 0x1ac00000],
];

const PER_CLASS = 250;
const REFUSAL_ONLY = new Set(["msr (any register)", "mrs (any register)"]);

/** MRS and MSR of every register the model holds, with random transfer registers. */
function sysregWords(next: () => number): number[] {
  const words: number[] = [];
  for (const reg of SYSREG_TABLE) {
    const e = reg.encoding;
    const sysreg = ((e.op0 - 2) << 19) | (e.op1 << 16) | (e.crn << 12) | (e.crm << 8) | (e.op2 << 5);
    for (const l of [0, 1]) words.push((0xd5100000 | (l << 21) | sysreg | (next() & 31)) >>> 0);
  }
  return words;
}

/** One line per instruction form the model executes; `*` marks lines faultc's assembler does not take. */
const FORMS = `
mov x0, #0x1234
mov x1, #-2
mov w2, #0xffff0000
movk x3, #0xbeef, lsl #48
movz x4, #0x0, lsl #16
movn w5, #0x0, lsl #16
mov x6, #0x5555555555555555
mov x7, x8
mov sp, x9
mov x10, sp
add x11, x12, #0x10
add sp, sp, #0x20
sub x13, x14, #0x1, lsl #12
adds w15, w16, #0xfff
subs x17, x18, #0x3
cmp x19, #0x24
cmn w20, #0x1
add x21, x22, x23, lsl #3
sub w24, w25, w26, asr #5
subs x27, x28, x29
cmp x0, x1, lsr #2
cmn w2, w3
neg x4, x5
negs w6, w7
and x8, x9, #0xff
orr w10, w11, #0x80000000
eor x12, x13, #0xf0f0f0f0f0f0f0f0
ands x14, x15, #0x3c
tst w16, #0x1
and x17, x18, x19
bic w20, w21, w22, ror #4
orr x23, x24, x25, lsl #1
orn x26, x27, x28
eor w29, w30, w0
eon x1, x2, x3
ands x4, x5, x6
bics w7, w8, w9
tst x10, x11, lsl #2
mvn x12, x13
lsl x14, x15, #3
lsr w16, w17, #31
asr x18, x19, #63
lsl x20, x21, x22
lsr w23, w24, w25
asr x26, x27, x28
ror w29, w30, w0
ubfx x1, x2, #26, #6
sbfx w3, w4, #4, #8
ubfiz x5, x6, #12, #20
sbfiz w7, w8, #1, #3
bfi x9, x10, #8, #16
bfxil w11, w12, #0, #5
ubfm x13, x14, #0, #7
sbfm w15, w16, #0, #15
ccmp x0, #0x3, #0x4, ne
ccmp w1, w2, #0x0, eq
ccmn x3, #0x1f, #0xf, hi
ccmn w4, w5, #0x8, lt
csel x6, x7, x8, eq
csinc w9, w10, w11, ne
csinv x12, x13, x14, cs
csneg w15, w16, w17, ge
cset w18, eq
csetm x19, lo
cinc x20, x21, mi
cinv w22, w23, vs
cneg x24, x25, le
ldr x0, [x1]
ldr x2, [x3, #8]
ldr w4, [sp, #16380]
ldrb w5, [x6, #4095]
ldrh w7, [x8, #2]
str x9, [x10, #-8]
ldr x11, [x12, #3]
strb w13, [x14, #1]!
strh w15, [x16], #-2
ldr x17, [x18, #-256]!
ldr w19, [x20], #255
stp x29, x30, [sp, #-16]!
ldp x29, x30, [sp], #16
stp x2, x3, [x1, #8]
stp w4, w5, [x6, #-256]
ldp w7, w8, [x9, #252]
mrs x0, esr_el2
mrs x1, far_el1
mrs x2, hpfar_el2
mrs x3, par_el1
msr par_el1, x4
msr spsr_el2, x5
mrs x6, tpidr_el2
msr far_el12, x7
at s1e1r, x8
at s1e1w, x9
at s1e0r, x10
at s1e0w, x11
* sys #0, c7, c9, #2, x12
at s12e1r, x13
at s12e1w, x14
at s12e0r, x15
at s12e0w, x16
isb
dsb sy
dsb ish
dmb ishld
dmb oshst
nop
paciasp
autiasp
bti c
bti j
bti jc
bti
csdb
esb
xpaclri
hint #8
brk #0x800
ret
ret x5
eret
* b .
* b.ne .+8
* cbz w0, .-4
* tbnz x1, #40, .+16
* tbz w2, #3, .
* adr x3, .+20
* adrp x4, .
`.trim().split("\n");

const CORPUS = `
typedef unsigned long u64; typedef unsigned int u32; typedef unsigned char u8;
struct rec { u64 a, b, c; u32 d; u8 e; };
u64 pick(u64 x, u64 y, int c) { return c ? x : y; }
int lt(long a, long b) { return a < b; }
u64 fields(u64 esr) { return ((esr >> 26) & 0x3f) == 0x24 ? (esr & 0x3c) >> 2 : ((esr >> 7) & 1) + 3; }
void store(struct rec *r, u64 v) { r->a = v; r->b = v << 12; r->d = (u32)v; r->e = (u8)(v >> 3); }
u64 load(const struct rec *r) { return r->a + r->c - r->d + r->e; }
u64 loop(const u64 *p, int n) { u64 s = 0; for (int i = 0; i < n; i++) s ^= p[i] >> (i & 7); return s; }
int classify(u64 esr) {
  switch ((esr >> 26) & 0x3f) { case 0x20: return 1; case 0x24: return 2; case 0x34: return 3; case 0x16: return 4; default: return 0; }
}
u64 mask52(u64 par) { return (par & 0x000ffffffffff000UL) >> 8; }
long sgn(long x) { return x < 0 ? -1 : x > 0; }
u32 rot(u32 x, u32 n) { return (x >> n) | (x << (32 - n)); }
`;

describeWithCross("decoding and disassembly agree with objdump", () => {
  const dir = scratchDir("decode");

  it(`random words: ${PER_CLASS} per encoding class`, () => {
    const next = prng(0x5eed);
    const words: number[] = [];
    for (const [, m, v] of CLASSES) for (let i = 0; i < PER_CLASS; i++) words.push(((next() & ~m) | v) >>> 0);
    const modelled = sysregWords(next);
    words.push(...modelled);
    const lines = objdumpWords(dir, words);
    expect(lines).toHaveLength(words.length);
    const problems = lines.map(disagreement).filter((p) => p !== undefined);
    expect(problems).toEqual([]);
    // Every class must contribute decoded words, or the comparison would test nothing there.
    CLASSES.forEach(([name], c) => {
      if (REFUSAL_ONLY.has(name)) return;
      const decoded = lines.slice(c * PER_CLASS, (c + 1) * PER_CLASS).filter((l) => decodeA64(l.word, l.address).ok).length;
      expect(decoded, name).toBeGreaterThanOrEqual(10);
    });
    // Every modelled system register decodes, both ways.
    expect(lines.slice(CLASSES.length * PER_CLASS).filter((l) => !decodeA64(l.word, l.address).ok)).toEqual([]);
  });

  it("every instruction form the model executes decodes, prints like objdump, and equals what faultc assembles", () => {
    const obj = compile(dir, "forms.S", `\t.arch armv8.5-a+ras\n${FORMS.map((l) => `\t${l.replace(/^\* /, "")}\n`).join("")}`);
    const lines = objdumpLines(obj);
    expect(lines).toHaveLength(FORMS.length);
    lines.forEach((l, i) => {
      const d = decodeA64(l.word, l.address);
      expect(d.ok ? "decoded" : d.reason, FORMS[i]).toBe("decoded");
      expect(disagreement(l), FORMS[i]).toBeUndefined();
      if (FORMS[i].startsWith("*") || !d.ok) return;
      const assembled = parseProgram(`\t${FORMS[i]}\n`, { file: "forms.S" }).items[0];
      expect(assembled.kind).toBe("instruction");
      if (assembled.kind === "instruction") expect(d.insn, FORMS[i]).toEqual(assembled.insn);
    });
  });

  it.each(["-O2", "-Os", "-O0", "-O3"])("C compiled with %s: every word faultc decodes prints like objdump", (opt) => {
    const obj = compile(dir, `corpus${opt}.c`, CORPUS, [opt, "-march=armv8.2-a", "-mbranch-protection=standard"]);
    const lines = objdumpLines(obj);
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.map(disagreement).filter((p) => p !== undefined)).toEqual([]);
    // Most of what gcc emits for such code is in the model's set (calls, multiplies and
    // sign-extending loads are not).
    const decoded = lines.filter((l) => decodeA64(l.word, l.address).ok).length;
    expect(decoded / lines.length).toBeGreaterThan(0.8);
  });
});

describe("decode failures say what the word is", () => {
  it.each([
    [0x94000000, /BL \(branch with link\)/],
    [0x9b027c20, /data-processing \(3 source\)/],
    [0xb9800020, /sign-extending load/],
    [0xd65f0bff, /pointer authentication/],
    [0xd503205f, /HINT #2/],
    [0x00000000, /UDF/],
    [0x1e202820, /SIMD and floating-point/],
    [0xd5381020, /MRS from S3_0_C1_C0_1, a system register the model does not hold/],
    [0xf8408c00, /CONSTRAINED UNPREDICTABLE/],
  ])("%s", (word, reason) => {
    const d = decodeA64(word, 0n);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(reason);
  });
});
