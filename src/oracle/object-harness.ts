// A compiled function as the QEMU trap harness's EL2 handler (issue 10 item 5): its machine words
// with the kernel's alternatives applied, one copy per set of the capabilities it tests, as
// `.word` data in a generated object-fn.S, with the rules the harness decides those capabilities
// by at boot (qemu/object-trap.c copies the matching copy into the function's place in .text).
//
// The words are the object's image (src/object/image.ts), relocations applied. In the harness the
// function sits alone at another address, so its code must not depend on where it is: a
// relocation inside it is kept only when it is PC-relative and reaches the function itself (then
// the image already applied it, and it holds wherever the function is put); one that reaches
// anything else (another function, data, an external symbol) cannot be applied in the harness,
// and neither can a branch out of the function or an ADRP (a page address): each is an error
// that names the instruction, rather than code run on QEMU that jumps somewhere else.
import * as path from "node:path";
import type { ObjectFunction } from "../object/function.ts";
import {
  relocationName, R_AARCH64_ADR_PREL_LO21, R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_ADR_PREL_PG_HI21_NC, R_AARCH64_CALL26, R_AARCH64_CONDBR19, R_AARCH64_JUMP26, R_AARCH64_LD_PREL_LO19,
  R_AARCH64_PREL16, R_AARCH64_PREL32, R_AARCH64_PREL64, R_AARCH64_TSTBR14,
} from "../object/relocations.ts";
import { encodeMatch, type AppliedRule } from "./cpu-capabilities.ts";
import { HARNESS_DIR, OracleRunError } from "./qemu.ts";
import type { TrapHandlerLink } from "./trap-oracle.ts";

const PAGE_RELATIVE = new Set([R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_ADR_PREL_PG_HI21_NC]);
const PC_RELATIVE = new Set([
  R_AARCH64_JUMP26, R_AARCH64_CALL26, R_AARCH64_CONDBR19, R_AARCH64_TSTBR14, R_AARCH64_ADR_PREL_LO21, R_AARCH64_LD_PREL_LO19,
  R_AARCH64_PREL16, R_AARCH64_PREL32, R_AARCH64_PREL64,
]);

/** The capability sets of `names`, one per mask: bit i of the mask is names[i]. */
export function capabilitySets(names: readonly string[]): string[][] {
  return Array.from({ length: 1 << names.length }, (_, mask) => names.filter((_, i) => mask & (1 << i)));
}

/** What keeps the function from running anywhere but where the object put it; empty when nothing does. */
export function placementProblems(fn: ObjectFunction): string[] {
  const problems: string[] = [];
  const { object } = fn;
  const start = fn.address;
  const end = start + BigInt(fn.size);
  const inside = (a: bigint) => a >= start && a < end;
  const sym = object.functionSymbol(fn.symbol);
  const section = object.elf.symbolSection(sym);
  const base = section === undefined ? undefined : object.sectionAddress(section);
  if (section !== undefined && base !== undefined && object.elf.type === "relocatable") {
    for (const r of object.elf.relocationsFor(section)) {
      const place = base + r.offset;
      if (!inside(place)) continue;
      const target = (r.symbol === undefined ? 0n : object.symbolAddress(r.symbol)) + r.addend;
      if (PC_RELATIVE.has(r.type) && inside(target)) continue;
      const symbol = r.symbol === undefined ? "no symbol" : r.symbol.name !== "" ? `'${r.symbol.name}'` : `section ${object.elf.symbolSection(r.symbol)?.name ?? "?"}`;
      const addend = r.addend === 0n ? "" : `${r.addend > 0n ? "+" : "-"}0x${(r.addend < 0n ? -r.addend : r.addend).toString(16)}`;
      const kind = PC_RELATIVE.has(r.type) ? "reaches outside the function" : PAGE_RELATIVE.has(r.type) ? "is a page address (ADRP), which depends on where the function is" : "is an absolute address";
      problems.push(`${object.describe(place)}: ${relocationName(r.type)} against ${symbol}${addend} (${object.describe(target)}) ${kind}; the harness holds the function alone and cannot apply it`);
    }
  }
  // A relocation the harness cannot apply is the answer; the code need not be decoded for it.
  if (problems.length > 0) return problems;
  for (const caps of capabilitySets(fn.capabilities)) {
    const program = fn.load(caps);
    const label = caps.length === 0 ? "no capability" : caps.join("+");
    for (const insn of program.instructions) {
      const i = insn.insn;
      const leaves = (i.op === "b" || i.op === "bcond" || i.op === "cbz" || i.op === "tbz") && i.target.kind === "external";
      const pageAddress = i.op === "adr" && (i.page || !inside(i.address));
      if (leaves || pageAddress) {
        const what = leaves ? "branches out of the function" : i.op === "adr" && i.page ? "forms a page address (ADRP), which depends on where the function is" : "forms an address outside the function";
        const line = `${insn.loc.symbol} (${label}): '${insn.text.trim()}' ${what}; the harness cannot run it elsewhere`;
        if (!problems.includes(line)) problems.push(line);
      }
    }
  }
  return problems;
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/**
 * object-fn.S for `fn`: the capability rules (in `rules` order, which must name exactly the
 * capabilities the function tests) and the function's words for every set of them.
 */
export function objectFunctionSource(fn: ObjectFunction, rules: readonly AppliedRule[], recordBytes: number, exitCode: bigint): string {
  const names = rules.map((r) => r.capability);
  const missing = fn.capabilities.filter((c) => !names.includes(c));
  const extra = names.filter((c) => !fn.capabilities.includes(c));
  if (missing.length > 0 || extra.length > 0 || new Set(names).size !== names.length) {
    throw new OracleRunError(
      `${fn.file}:${fn.symbol}: the capability rules must decide exactly the capabilities the function's alternatives test (${fn.capabilities.join(", ") || "none"})` +
        `${missing.length > 0 ? `; no rule for ${missing.join(", ")}` : ""}${extra.length > 0 ? `; rules for ${extra.join(", ")}, which it does not test` : ""}`,
    );
  }
  if (names.length > 16) throw new OracleRunError(`${fn.file}:${fn.symbol}: ${names.length} capabilities, more than the harness's 16`);
  if (!Number.isInteger(recordBytes) || recordBytes <= 0 || recordBytes > 256 || recordBytes % 8 !== 0) {
    throw new OracleRunError(`the record is ${recordBytes} bytes; the harness takes a multiple of 8 up to 256`);
  }
  if (exitCode <= 0n || exitCode >= 1n << 32n) throw new OracleRunError(`the exit code ${exitCode} is not one the harness can report (it must be non-zero: 0 means re-enter the guest)`);
  const problems = placementProblems(fn);
  if (problems.length > 0) throw new OracleRunError(`${fn.file}:${fn.symbol} cannot run in the QEMU harness:\n  ${problems.join("\n  ")}`);

  const nwords = fn.size / 4;
  const out: string[] = [
    `// Generated by faultc (src/oracle/object-harness.ts) for one harness build: ${path.basename(fn.file)}:${fn.symbol}, ${nwords} words,`,
    `// its alternatives applied for each set of ${names.join(", ") || "no capabilities"} (bit i = rule i).`,
    "\t.section .rodata.faultc_object, \"a\"",
    "\t.balign 8",
    "\t.global faultc_object_info",
    "faultc_object_info:",
    `\t.quad ${nwords}, ${names.length}, ${names.length * 5}, ${recordBytes}, ${exitCode}`,
    "\t.global faultc_cap_rules",
    "faultc_cap_rules:",
  ];
  for (const r of rules) out.push(`\t.quad ${encodeMatch(r.match).map(hex).join(", ")}\t// ${r.capability}: ${r.match.kind} (${r.build})`);
  out.push("\t.balign 4", "\t.global faultc_fn_variants", "faultc_fn_variants:");
  capabilitySets(names).forEach((caps, mask) => {
    out.push(`// mask ${hex(mask)}: ${caps.join(", ") || "none"}`);
    const words = [...fn.words(caps)];
    for (let i = 0; i < words.length; i += 8) out.push(`\t.word ${words.slice(i, i + 8).map((w) => hex(w >>> 0)).join(", ")}`);
  });
  out.push(
    "// The function's place: zero words (UDF) until object_trap_setup copies a patching in.",
    "\t.text",
    "\t.balign 16",
    "\t.global faultc_fn",
    "\t.type faultc_fn, %function",
    "faultc_fn:",
    `\t.skip ${nwords * 4}`,
    "\t.size faultc_fn, . - faultc_fn",
    "",
  );
  return out.join("\n");
}

/** The trap harness's handler: the compiled function, called from qemu/object-entry.S through qemu/object-trap.c. */
export function objectHandlerLink(fn: ObjectFunction, rules: readonly AppliedRule[], recordBytes: number, exitCode: bigint): TrapHandlerLink {
  return {
    extraSources: [path.join(HARNESS_DIR, "object-trap.c"), path.join(HARNESS_DIR, "object-entry.S")],
    defines: ["FAULTC_OBJECT_TRAPS", "TRAP_HANDLER=object_el1_sync"],
    generatedSources: [{ name: "object-fn.S", text: objectFunctionSource(fn, rules, recordBytes, exitCode) }],
  };
}
