// The trap harness's guest stubs (src/oracle/guest-stubs.ts) and the input that indexes them: one
// stub per distinct instruction, the address register set from x0 and every other register given
// its known value, a store-exclusive preceded by its load-exclusive, and the base register value
// that makes the instruction's effective address the case's VA. No QEMU needed.
import { describe, expect, it } from "vitest";
import { guestStubsSource, guestStubTexts, knownRegisterValue } from "../../src/oracle/guest-stubs.ts";
import { addressRegisterValue, parseGuestInstruction } from "../../src/runtime/scenario/guest-instruction.ts";

const stubOf = (source: string, index: number): string[] => {
  const lines = source.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`faultc_guest_stub_${index}:`));
  const end = lines.indexOf("\t.ltorg", start);
  return lines.slice(start + 1, end);
};

describe("guest stubs", () => {
  it("one stub per distinct instruction text, in order of first use", () => {
    expect(guestStubTexts(["ldrb w2, [x0]", " strb w2, [x0]", "ldrb w2, [x0] ", "br x0"])).toEqual(["ldrb w2, [x0]", "strb w2, [x0]", "br x0"]);
    const src = guestStubsSource(["ldrb w2, [x0]", "br x0"]);
    expect(src).toMatch(/faultc_guest_stub_count:\n\t\.quad\t2\n/);
    expect(src).toMatch(/faultc_guest_stubs:\n\t\.quad\tfaultc_guest_stub_0\n\t\.quad\tfaultc_guest_stub_1\n/);
  });

  it("the address register comes from x0, every other register holds its known value, then the instruction and hvc #0x52", () => {
    const body = stubOf(guestStubsSource(["ldrsh w5, [x2]"]), 0);
    expect(body.slice(0, 4)).toEqual(["\tmov\tx9, #(3 << 20)", "\tmsr\tcpacr_el1, x9", "\tisb", "\tmov\tx2, x0"]);
    const loads = body.filter((l) => l.startsWith("\tldr\tx"));
    expect(loads.length).toBe(30);
    expect(loads).not.toContain(`\tldr\tx2, =0x${knownRegisterValue(2).toString(16)}`);
    expect(loads).toContain(`\tldr\tx5, =0x${knownRegisterValue(5).toString(16)}`);
    expect(body.slice(-2)).toEqual(["\tldrsh w5, [x2]", "\thvc\t#0x52"]);
    expect(new Set(Array.from({ length: 31 }, (_, n) => knownRegisterValue(n))).size).toBe(31);
  });

  it("a store-exclusive is preceded by a load-exclusive of its address and size, into a register it does not use", () => {
    expect(stubOf(guestStubsSource(["stxrh w9, w8, [x0]"]), 0).slice(-3)).toEqual(["\tldxrh\tw10, [x0]", "\tstxrh w9, w8, [x0]", "\thvc\t#0x52"]);
    expect(stubOf(guestStubsSource(["stlxr w4, x5, [x1]"]), 0).slice(-3)).toEqual(["\tldxr\tx9, [x1]", "\tstlxr w4, x5, [x1]", "\thvc\t#0x52"]);
  });

  it("an instruction the model does not read is refused before it reaches the assembler", () => {
    expect(() => guestStubsSource(["ldrb w2, [x0]; hvc #0"])).toThrow(/unexpected character ';'/);
  });

  it("the base register's value makes the effective address the VA (offset, pre-index, post-index)", () => {
    const va = 0xffff_ff80_0000_1000n;
    expect(addressRegisterValue(parseGuestInstruction("ldur x10, [x0, #-8]"), va)).toBe(va + 8n);
    expect(addressRegisterValue(parseGuestInstruction("ldp x9, x10, [x0, #16]!"), va)).toBe(va - 16n);
    expect(addressRegisterValue(parseGuestInstruction("stp x1, x2, [x3], #16"), va)).toBe(va);
    expect(addressRegisterValue(parseGuestInstruction("dc zva, x5"), va)).toBe(va);
  });
});
