// The kernel's alternatives applied to objects gcc assembles here, with .altinstructions entries
// written by hand in the kernel's format (struct alt_instr: two PREL32 offsets, the cpucap, the
// two lengths): the plain replacement, a branch out of the replacement re-aimed as get_alt_insn
// does, branches inside it left alone, ADRP re-based to the new page, callback alternatives
// (alt_cb_patch_nops, and any other callback refused by name), literal loads refused, and the
// kernel's BUG_ON conditions as errors. Capability numbers are named from a cpucaps header found
// above the object, as in a build tree.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { ObjectError } from "../../src/object/errors.ts";
import { openObjectFunction } from "../../src/object/function.ts";
import { compile, describeWithCross, GCC, scratchDir } from "./cross-toolchain.ts";

const HEADER = `#ifndef __ASM_CPUCAP_DEFS_H
#define __ASM_CPUCAP_DEFS_H
/* Generated file - do not edit */
#define ARM64_ALWAYS_BOOT                             	0
#define ARM64_ALWAYS_SYSTEM                           	1
#define ARM64_HAS_S1POE                               	42
#define ARM64_KVM_HVHE                                	54
#define ARM64_WORKAROUND_834220                       	69
#define ARM64_WORKAROUND_1508412                      	75
#define ARM64_NCAPS					102
#endif /* __ASM_CPUCAP_DEFS_H */
`;

/** An alt_instr, as the kernel's altinstruction_entry macro lays it out. */
const PRELUDE = `
	.macro alt_entry orig, repl, cap, orig_len, alt_len
	.word \\orig - .
	.word \\repl - .
	.hword \\cap
	.byte \\orig_len
	.byte \\alt_len
	.endm
	.data
	.balign 8
	.globl datum
datum:	.quad 0x1234
	.text
`;

function fn(name: string, body: string): string {
  return `\t.globl ${name}\n\t.type ${name}, %function\n${name}:\n${body}\n\t.size ${name}, .-${name}\n`;
}

const SOURCE = PRELUDE + [
  // 0: far_el2 -> far_el1 under ARM64_KVM_HVHE; replacement in .altinstr_replacement
  fn("plain", `
661:	mrs x0, far_el2
662:	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 54, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	mrs x0, far_el1
664:
	.popsection`),
  // nop -> b 9f (out of the replacement: re-aimed), in subsection 1 of .text as 6.x kernels do
  fn("branch_out", `
	mov w0, #1
661:	nop
662:	ret
9:	mov w0, #2
	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 69, 662b-661b, 664f-663f
	.popsection
	.subsection 1
663:	b 9b
664:
	.subsection 0`),
  // two words; the first branches to the second (inside) and the second to the end (the
  // inclusive edge, replptr + alt_len): both keep their offsets
  fn("branch_inside", `
661:	nop
	nop
662:	mov w0, #3
	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 75, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	b 665f
665:	cbz x1, 664f
664:
	.popsection`),
  // adrp in the replacement, its page re-based
  fn("page", `
661:	mov x1, #0
662:	add x0, x1, :lo12:datum
	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 42, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
	.balign 4096
	.skip 4092
663:	adrp x1, datum
664:
	.popsection`),
  // callback: b 2f becomes nop under ARM64_ALWAYS_SYSTEM (cpus_have_final_cap's shape)
  fn("callback", `
661:	b 2f
662:	mov w0, #1
	ret
2:	brk #0x800
	.pushsection .altinstructions, "a"
	alt_entry 661b, alt_cb_patch_nops, (1 << 15) | 1, 662b-661b, 0
	.popsection`),
  // a callback faultc does not implement
  fn("other_callback", `
661:	mov x0, #0
662:	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, kvm_update_va_mask, (1 << 15) | 1, 662b-661b, 0
	.popsection`),
  // a literal load in the replacement (the kernel BUG()s)
  fn("no_alternatives", `
	mov x0, #7
	ret`),
  fn("literal", `
661:	nop
662:	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 69, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	ldr x0, 665f
664:
665:	.quad 0
	.popsection`),
].join("");

const BAD = PRELUDE + [
  fn("length_mismatch", `
661:	nop
662:	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 69, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	nop
	nop
664:
	.popsection`),
  fn("unnamed_cap", `
661:	nop
662:	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 77, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	nop
664:
	.popsection`),
  fn("overlap", `
661:	nop
662:	ret
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 69, 662b-661b, 664f-663f
	alt_entry 661b, 663f, 75, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	mov x0, #1
664:
	.popsection`),
  // an entry that starts in straddle_a and ends in straddle_b
  `\t.globl straddle_a
\t.type straddle_a, %function
straddle_a:
	nop
661:	nop
	.size straddle_a, .-straddle_a
	.globl straddle_b
	.type straddle_b, %function
straddle_b:
	nop
662:	ret
	.size straddle_b, .-straddle_b
	.pushsection .altinstructions, "a"
	alt_entry 661b, 663f, 69, 662b-661b, 664f-663f
	.popsection
	.pushsection .altinstr_replacement, "ax"
663:	nop
	nop
664:
	.popsection
`,
].join("");

describeWithCross("alternatives as the kernel applies them", () => {
  const root = scratchDir("alternatives");
  // A build tree: the header at its root, the object two folders down.
  mkdirSync(path.join(root, "arch/arm64/include/generated/asm"), { recursive: true });
  writeFileSync(path.join(root, "arch/arm64/include/generated/asm/cpucap-defs.h"), HEADER);
  const objDir = path.join(root, "arch/arm64/kvm");
  mkdirSync(objDir, { recursive: true });
  const obj = compile(objDir, "alts.S", SOURCE, []);
  const bad = compile(objDir, "bad.S", BAD, []);
  const texts = (symbol: string, caps: string[]) => openObjectFunction(obj, symbol).load(caps).instructions.map((i) => i.text);

  it("names the capabilities from the build tree's header and lists every site", () => {
    const f = openObjectFunction(obj, "plain");
    expect(f.capabilityHeader).toMatch(/arch\/arm64\/include\/generated\/asm\/cpucap-defs\.h$/);
    expect(f.capabilities).toEqual(["ARM64_KVM_HVHE"]);
    expect(f.alternatives).toEqual([{ entry: 0, at: "plain", index: 0, length: 1, capability: "ARM64_KVM_HVHE" }]);
    expect(texts("plain", [])).toEqual(["mrs x0, far_el2", "ret"]);
    expect(texts("plain", ["ARM64_KVM_HVHE"])).toEqual(["mrs x0, far_el1", "ret"]);
    // A capability the function does not test changes nothing.
    expect(texts("plain", ["ARM64_WORKAROUND_834220"])).toEqual(["mrs x0, far_el2", "ret"]);
    expect(openObjectFunction(obj, "plain").combinations()).toEqual([[], ["ARM64_KVM_HVHE"]]);
  });

  it("re-aims a branch that leaves the replacement at the same target from its new place", () => {
    const f = openObjectFunction(obj, "branch_out");
    expect(texts("branch_out", [])).toEqual(["mov w0, #0x1", "nop", "ret", "mov w0, #0x2", "ret"]);
    const p = f.load(["ARM64_WORKAROUND_834220"]);
    expect(p.instructions[1].text).toBe("b branch_out+0xc");
    expect(p.instructions[1].insn).toEqual({ op: "b", target: { kind: "index", index: 3 } });
  });

  it("leaves branches inside the replacement (up to and including its end) as they are", () => {
    const p = openObjectFunction(obj, "branch_inside").load(["ARM64_WORKAROUND_1508412"]);
    expect(p.instructions.map((i) => i.text)).toEqual(["b branch_inside+0x4", "cbz x1, branch_inside+0x8", "mov w0, #0x3", "ret"]);
    expect(p.instructions[1].insn).toMatchObject({ op: "cbz", target: { kind: "index", index: 2 } });
  });

  it("re-bases an ADRP from the replacement's page to the original's", () => {
    const f = openObjectFunction(obj, "page");
    const datum = f.object.symbolAddress(f.object.elf.symbolsNamed("datum")[0]);
    const insn = f.load(["ARM64_HAS_S1POE"]).instructions[0].insn;
    expect(insn).toMatchObject({ op: "adr", page: true, address: datum & ~0xfffn });
    expect(f.load(["ARM64_HAS_S1POE"]).instructions[0].text).toBe(`adrp x1, ${f.object.describe(datum & ~0xfffn)}`);
  });

  it("runs alt_cb_patch_nops for a callback alternative whose capability is present", () => {
    const f = openObjectFunction(obj, "callback");
    expect(f.alternatives).toEqual([{ entry: 4, at: "callback", index: 0, length: 1, capability: "ARM64_ALWAYS_SYSTEM", callback: "alt_cb_patch_nops" }]);
    expect(texts("callback", [])).toEqual(["b callback+0xc", "mov w0, #0x1", "ret", "brk #0x800"]);
    expect(texts("callback", ["ARM64_ALWAYS_SYSTEM"])).toEqual(["nop", "mov w0, #0x1", "ret", "brk #0x800"]);
  });

  it("refuses any other callback by name, and a literal load in a replacement", () => {
    expect(texts("other_callback", [])).toEqual(["mov x0, #0x0", "ret"]);
    expect(() => texts("other_callback", ["ARM64_ALWAYS_SYSTEM"])).toThrow(
      /alts\.o: error: \.altinstructions entry 5 at other_callback \(ARM64_ALWAYS_SYSTEM\) is a callback alternative calling kvm_update_va_mask; faultc implements only alt_cb_patch_nops/,
    );
    expect(() => texts("literal", ["ARM64_WORKAROUND_834220"])).toThrow(/replacement .* for literal: 0x58[0-9a-f]{6} is a PC-relative literal instruction, which the kernel refuses to patch/);
  });

  it("the kernel's BUG_ON conditions and unnamed numbers are errors naming the entry", () => {
    const error = (symbol: string, caps: string[] = []) => {
      try {
        openObjectFunction(bad, symbol).load(caps);
      } catch (e) {
        expect(e).toBeInstanceOf(ObjectError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(error("length_mismatch")).toMatch(/bad\.o: error: \.altinstructions entry 0 \(patching length_mismatch\): alt_len 8 differs from orig_len 4 \(ARM64_WORKAROUND_834220\)/);
    expect(error("unnamed_cap")).toMatch(/entry 1 \(patching unnamed_cap\): capability number 77 is not defined in .*cpucap-defs\.h/);
    expect(error("overlap")).toBe("no error");
    expect(error("overlap", ["ARM64_WORKAROUND_834220", "ARM64_WORKAROUND_1508412"])).toMatch(/entries 2 \(ARM64_WORKAROUND_834220\) and 3 \(ARM64_WORKAROUND_1508412\) both patch overlap/);
    expect(error("straddle_a")).toMatch(/entry 4 patches straddle_a\+0x4\.\.\+0x8, which crosses the edge of straddle_a/);
  });

  it("a linked executable (relocations applied by ld, sections at their addresses) loads to the same code", () => {
    const exe = path.join(objDir, "alts.elf");
    execFileSync(GCC, ["-nostdlib", "-static", "-Wl,-e,plain", "-Wl,-Ttext=0x40080000", "-Wl,--defsym=alt_cb_patch_nops=0x40000000", "-Wl,--defsym=kvm_update_va_mask=0x40000010", "-o", exe, obj]);
    for (const symbol of ["plain", "branch_out", "branch_inside", "callback", "no_alternatives"]) {
      const linked = openObjectFunction(exe, symbol);
      const relocatable = openObjectFunction(obj, symbol);
      expect(linked.object.elf.type).toBe("executable");
      expect(linked.alternatives.map(({ entry: _, ...a }) => a)).toEqual(relocatable.alternatives.map(({ entry: _, ...a }) => a));
      for (const caps of relocatable.combinations()) {
        expect(linked.load(caps).instructions.map((i) => [i.loc.symbol, i.text, i.insn])).toEqual(relocatable.load(caps).instructions.map((i) => [i.loc.symbol, i.text, i.insn]));
      }
    }
    expect(openObjectFunction(exe, "plain").address).toBe(0x40080000n);
  });

  it("without a build tree above the object the header must be named; naming it works", () => {
    const outside = scratchDir("no-tree");
    const lone = compile(outside, "alts.S", SOURCE, []);
    expect(() => openObjectFunction(lone, "plain")).toThrow(/alts\.o: error: no arch\/arm64\/include\/generated\/asm\/cpucap-defs\.h .* in any folder above the object/);
    // A function without alternatives needs no header.
    expect(openObjectFunction(lone, "no_alternatives").load([]).instructions.map((i) => i.text)).toEqual(["mov x0, #0x7", "ret"]);
    const header = path.join(outside, "caps.h");
    writeFileSync(header, HEADER);
    expect(openObjectFunction(lone, "plain", { cpucaps: header }).capabilities).toEqual(["ARM64_KVM_HVHE"]);
  });
});
