// Capabilities in the kernel-style files: how a generated .c and .S spell each capability a rule
// file declares and which number stands for it (the argument of cpus_have_final_cap, the u16
// cpucap of a struct alt_instr). Every generated file defines the numbers it uses, so that no
// header has to list the capabilities of every rule file.
//
// Spelling. Linux names its cpucaps ARM64_* (arch/arm64/tools/cpucaps), and names/mangle.ts keeps
// every other rule-file name out of that family, so such a name can be printed as it is: in a
// kernel tree asm/cpucaps.h defines it and the kernel's number applies (the .c defines it only
// `#ifndef`; cpp turns it into the kernel's number in the .S before faultc-asm.h's macros see it).
// Any other capability is the rule file's own and must never meet a C keyword, a register, a
// macro of a header or of cpp (`capability x0;`, `capability int;`, `capability __LINE__;` all
// check): the .c spells it FAULTC_CAP_ + its mangled name (the FAULTC_ family is faultc's), and
// the .S program text quotes it (`alternative_if_not "x0"`), which cpp leaves alone and GNU as
// and the model's assembler read as the name.
//
// Numbers (for each capability, the same in the .c and the .S of one rule file):
// - ARM64_HAS_VIRT_HOST_EXTN 0, ARM64_WORKAROUND_834220 1, ARM64_HAS_S1POE 2, ARM64_KVM_HVHE 3:
//   the numbers include/ gave them before this scheme, kept because qemu/trap-harness.c patches
//   generated/kvm-2016.S by them. The list is closed: nothing is ever added to it;
// - any other: 0x100 + (the 32-bit FNV-1a hash of the name's UTF-8 bytes) mod 0x7f00, so
//   0x100..0x7fff: above every number a kernel gives its own cpucaps (ARM64_NCAPS is about 100
//   in 6.12), so a kernel never patches code for a capability it does not know, and below
//   0x8000 (ARM64_CB_BIT, bit 15, marks a callback alternative). When two capabilities of one rule
//   file hash to the same number, the one whose name sorts later takes the next number that is
//   free (after 0x7fff, 0x100).
import type * as I from "../ir/types.ts";
import { boolNodes } from "../ir/walk.ts";
import { mangle, platformName } from "./mangle.ts";

/** The numbers include/faultc-hyp.h and faultc-asm.h gave before each file numbered its own. */
const EARLIER_NUMBERS: ReadonlyMap<string, number> = new Map([
  ["ARM64_HAS_VIRT_HOST_EXTN", 0],
  ["ARM64_WORKAROUND_834220", 1],
  ["ARM64_HAS_S1POE", 2],
  ["ARM64_KVM_HVHE", 3],
]);

/** The hashed numbers: FIRST_HASHED up to (not including) CPUCAP_LIMIT. */
export const FIRST_HASHED = 0x100;
/** ARM64_CB_BIT: a cpucap from here on is a callback alternative's. */
export const CPUCAP_LIMIT = 0x8000;

/** Whether a capability is the kernel's kind of name (ARM64_*), printed as it is. */
export function isKernelStyle(capability: string): boolean {
  return capability.startsWith("ARM64_");
}

/** The capability as the .c spells it: ARM64_* itself, any other FAULTC_CAP_ and its mangled name. */
export function cCapability(capability: string): string {
  return isKernelStyle(capability) ? platformName(capability) : `FAULTC_CAP_${mangle(capability)}`;
}

/** The capability as the .S program text spells it after alternative_if_not: ARM64_* itself, any other quoted. */
export function asmCapability(capability: string): string {
  return isKernelStyle(capability) ? platformName(capability) : `"${platformName(capability)}"`;
}

/** The assembler symbol faultc-asm.h's alternative macros take a capability's number from. */
export function asmNumberSymbol(capability: string): string {
  return `.Lfaultc_cap_${platformName(capability)}`;
}

/** 32-bit FNV-1a over the UTF-8 bytes of `s`. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The number a capability gets when no other capability of its rule file has it. */
export function preferredNumber(capability: string): number {
  return EARLIER_NUMBERS.get(capability) ?? FIRST_HASHED + (fnv1a(capability) % (CPUCAP_LIMIT - FIRST_HASHED));
}

/** Every capability the module's kernel-style code tests (handlers and predicates), sorted. */
export function moduleCapabilities(m: I.IrModule): string[] {
  const caps = new Set<string>();
  for (const h of m.handlers) for (const c of h.capabilities) caps.add(c);
  for (const p of m.predicates) for (const n of boolNodes(p.body)) if (n.op === "cap") caps.add(n.name);
  return [...caps].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The number of each capability the module uses (see the scheme above), in name order. */
export function capabilityNumbers(m: I.IrModule): Map<string, number> {
  const caps = moduleCapabilities(m);
  if (caps.length > CPUCAP_LIMIT - FIRST_HASHED) throw new Error(`internal: ${caps.length} capabilities do not fit in the cpucap numbers`);
  const numbers = new Map<string, number>();
  const taken = new Set<number>();
  // The closed list first (its numbers are below FIRST_HASHED, so no hash takes them), then the rest in name order.
  for (const c of caps.filter((x) => EARLIER_NUMBERS.has(x))) {
    numbers.set(c, preferredNumber(c));
    taken.add(preferredNumber(c));
  }
  for (const c of caps.filter((x) => !EARLIER_NUMBERS.has(x))) {
    let n = preferredNumber(c);
    while (taken.has(n)) n = n + 1 === CPUCAP_LIMIT ? FIRST_HASHED : n + 1;
    numbers.set(c, n);
    taken.add(n);
  }
  return new Map(caps.map((c) => [c, numbers.get(c) ?? 0]));
}
