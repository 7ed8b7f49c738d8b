// The C variant, kernel style: the text a kernel developer would paste into a tree, in the shape
// of the seed's __populate_fault_info and Linux 6.15's __get_fault_info. One static inline helper
// per IR function and predicate (u64 in, u64 or bool out), one helper per AT shape (PAR_EL1 saved
// and restored like __translate_far_to_hpfar), one function per handler with early returns,
// the record as a struct at the IR's offsets in struct faultc_vcpu (checked by _Static_assert),
// and a `/* rule NAME, file:LINE */` comment before every statement. Builds freestanding against
// include/faultc-hyp.h; declarations stay at the top of their block (-Wdeclaration-after-statement).
//
// System register alternatives (`ESR_EL2 or ESR_EL1 when ARM64_HAS_VIRT_HOST_EXTN`) are written as
// `cpus_have_final_cap(CAP) ? read_sysreg(esr_el1) : read_sysreg(esr_el2)` rather than the
// kernel's read_sysreg_el2(esr): the ternary says which registers are read for any pair the IR
// can hold, and cpus_have_final_cap is the kernel's patch-time test (a static key in a tree).
import { boolRefs, bvRefs } from "../ir/refs.ts";
import { boolNodes, bvNodes } from "../ir/walk.ts";
import { headerLines } from "../header.ts";
import * as I from "../ir/types.ts";
import { atSysFields } from "../../runtime/semantics/at-operations.ts";
import { atShapeName } from "../names/at-shape.ts";
import { capabilityNumbers, cCapability } from "../names/capabilities.ts";
import { exportNameOf, mangle, mangleMember } from "../names/mangle.ts";
import { bool, bv, readsSysreg, text } from "./expr.ts";
import { cComment, cStringLiteral, moduleTag } from "./names.ts";

type AtStmt = Extract<I.Stmt, { kind: "at" }>;

/** AT operations binutils 2.40 has no mnemonic for (S1E1A, FEAT_ATS1A): written as their SYS encoding. */
const NO_BINUTILS_MNEMONIC: ReadonlySet<I.AtOp> = new Set(["S1E1A"]);

/** The instruction for an AT operation: its mnemonic, or SYS with dsl/arch's encoding. */
function atInstruction(op: I.AtOp): { insn: string; note?: string } {
  const mnemonic = `at ${op.toLowerCase()}`;
  if (!NO_BINUTILS_MNEMONIC.has(op)) return { insn: mnemonic };
  const f = atSysFields(op);
  return { insn: `sys #${f.op1}, c${f.crn}, c${f.crm}, #${f.op2}`, note: `${mnemonic}: binutils 2.40 has no mnemonic for it` };
}

class Lines {
  readonly out: string[] = [];
  private depth = 0;
  line(s = ""): void {
    this.out.push(s === "" ? "" : "\t".repeat(this.depth) + s);
  }
  indent(f: () => void): void {
    this.depth++;
    f();
    this.depth--;
  }
}

function where(o: I.Origin): string {
  return `${cComment(o.file)}:${o.line}`;
}

function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

/** The comment before a handler statement: the innermost rule, or the handler itself. */
function stmtComment(o: I.Origin, handler: string): string {
  return `/* ${o.rule !== undefined ? `rule ${cComment(o.rule)}` : `handler ${cComment(handler)}`}, ${where(o)} */`;
}

function atHelperName(s: AtStmt): string {
  return `faultc_at_${atShapeName(s)}`;
}

// FAULTC_* names are faultc's: no rule-file name is one (names/mangle.ts), and the mangled
// name after the prefix keeps them apart from each other and from FAULTC_HANDOFF_FIRST.
function exitMacro(name: string): string {
  return `FAULTC_EXIT_CODE_${mangle(name)}`;
}

function handoffName(target: string): string {
  return `FAULTC_HANDOFF_${mangle(target)}`;
}

// ---------------------------------------------------------------- walking the IR

function walkBlocks(b: I.Block, f: (b: I.Block) => void): void {
  f(b);
  if (b.end.kind === "decide") for (const r of b.end.rules) walkBlocks(r.body, f);
}

function walkTerminators(b: I.Block, f: (t: I.Terminator) => void): void {
  walkBlocks(b, (x) => f(x.end));
}

/** The rules of a decide that get an `if`, and the one whose body follows inline. */
function splitRules(t: Extract<I.Terminator, { kind: "decide" }>): { guarded: I.IrRule[]; tail: I.IrRule | undefined } {
  const rules = t.rules;
  if (rules.length === 0) return { guarded: [], tail: undefined };
  return { guarded: rules.slice(0, -1), tail: rules[rules.length - 1] };
}

/** The block and the bodies that follow it inline (the last rule of each decide), outermost first. */
function inlineChain(b: I.Block): I.Block[] {
  const chain = [b];
  let cur = b;
  while (cur.end.kind === "decide") {
    const tail = splitRules(cur.end).tail;
    if (tail === undefined) break;
    chain.push(tail.body);
    cur = tail.body;
  }
  return chain;
}

/**
 * live[i]: the names the C written for statements i.. of `b` and its terminator reads
 * (live[stmts.length]: the terminator's). A let that is not read is not assigned (only a comment,
 * or `(void)(...)` when it reads a system register), so what its value reads does not count:
 * `let b7 = b6;` with b7 unread leaves b6 unread too (gcc -Wunused-but-set-variable would say so).
 */
const liveCache = new WeakMap<I.Block, Set<string>[]>();
function liveFrom(b: I.Block): Set<string>[] {
  const cached = liveCache.get(b);
  if (cached !== undefined) return cached;
  const live = new Set<string>();
  if (b.end.kind === "decide") {
    for (const r of b.end.rules) {
      if (r.guard) boolRefs(r.guard, live);
      for (const id of liveFrom(r.body)[0]) live.add(id);
    }
  }
  const out: Set<string>[] = new Array(b.stmts.length + 1);
  out[b.stmts.length] = new Set(live);
  for (let i = b.stmts.length - 1; i >= 0; i--) {
    const s = b.stmts[i];
    if (s.kind === "record") bvRefs(s.value, live);
    else if (s.kind === "at") bvRefs(s.address, live);
    else if (s.kind === "letBool") {
      if (live.has(s.id)) boolRefs(s.value, live);
    } else if (live.has(s.id) || readsSysreg(s.value)) bvRefs(s.value, live);
    out[i] = new Set(live);
  }
  liveCache.set(b, out);
  return out;
}

function isUsed(b: I.Block, index: number, id: string): boolean {
  return liveFrom(b)[index + 1].has(id);
}

/** Call-graph order: callees before callers, otherwise the IR's order. */
function ordered<T extends { name: string }>(items: T[], callees: (t: T) => string[]): T[] {
  const byName = new Map(items.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (t: T, stack: Set<string>) => {
    if (done.has(t.name) || stack.has(t.name)) return;
    stack.add(t.name);
    for (const c of callees(t)) {
      const d = byName.get(c);
      if (d !== undefined) visit(d, stack);
    }
    stack.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of items) visit(t, new Set());
  return out;
}

function bvCalls(e: I.BvExpr, out: string[]): void {
  for (const n of bvNodes(e)) if (n.op === "call") out.push(n.fn);
}

/** Predicates called directly by a condition (not through the functions it calls). */
function predCalls(b: I.BoolExpr, out: string[]): void {
  for (const n of boolNodes(b)) if (n.op === "pred") out.push(n.name);
}

// ---------------------------------------------------------------- the module

export function emitKernelC(m: I.IrModule): string {
  const w = new Lines();
  const tag = moduleTag(m.name);

  w.line("/*");
  for (const l of headerLines(m, "the C variant (kernel style)")) w.line(` * ${cComment(l)}`);
  w.line(" *");
  w.line(" * Build: aarch64-linux-gnu-gcc -c -ffreestanding -O2 -Wall -Wextra -Werror -Iinclude");
  w.line(" */");
  w.line();
  w.line('#include "faultc-hyp.h"');
  w.line();
  w.line("/* The rule file this code was generated from, and the hash of its inputs. */");
  w.line(`static const char faultc_${tag}_origin[] __attribute__((__used__)) =`);
  w.line(`\t${cStringLiteral(`${m.file} sha256:${m.inputHash}`)};`);

  emitCapabilities(w, m);
  emitOutcomes(w, m, tag);
  emitRecords(w, m);
  if (m.handlers.length > 0) {
    w.line();
    w.line("/*");
    w.line(" * The handlers. Each returns an enum faultc_outcome value (FAULTC_EXIT with *exit_code");
    w.line(" * set, FAULTC_RETRY) or, for a handoff, a FAULTC_HANDOFF_* value of this file's enum:");
    w.line(" * hence int.");
    w.line(" */");
    for (const h of m.handlers) w.line(`${handlerSignature(h)};`);
  }

  for (const f of ordered(m.functions, (f) => {
    const c: string[] = [];
    bvCalls(f.body, c);
    return c;
  }))
    emitFunction(w, f);
  for (const p of ordered(m.predicates, (p) => {
    const c: string[] = [];
    predCalls(p.body, c);
    return c;
  }))
    emitPredicate(w, p);

  const ats = new Map<string, AtStmt>();
  for (const h of m.handlers) walkBlocks(h.body, (b) => b.stmts.forEach((s) => s.kind === "at" && ats.set(atHelperName(s), s)));
  for (const [name, s] of [...ats].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) emitAtHelper(w, name, s);

  for (const h of m.handlers) emitHandler(w, m, h);
  return w.out.join("\n") + "\n";
}

/**
 * The number of each capability the file tests (names/capabilities.ts), unless something before
 * defines it: in a kernel tree asm/cpucaps.h, with the kernel's numbers for ARM64_* names.
 */
function emitCapabilities(w: Lines, m: I.IrModule): void {
  const numbers = capabilityNumbers(m);
  if (numbers.size === 0) return;
  w.line();
  w.line("/*");
  w.line(" * The numbers of the capabilities this file tests (src/codegen/names/capabilities.ts). In a");
  w.line(" * kernel tree, asm/cpucaps.h has defined the kernel's own ARM64_* names before, with its numbers.");
  w.line(" */");
  for (const [cap, n] of numbers) {
    const name = cCapability(cap);
    w.line(`#ifndef ${name}`);
    w.line(`#define ${name}\t${hex(n)}${name === cap ? "" : `\t/* capability ${cComment(cap)} */`}`);
    w.line("#endif");
  }
}

function emitOutcomes(w: Lines, m: I.IrModule, tag: string): void {
  const codes = new Map<string, bigint>(m.exitCodes.map((e) => [e.name, e.value]));
  const targets = [...m.externals];
  for (const h of m.handlers)
    walkTerminators(h.body, (t) => {
      if (t.kind === "exit" && !codes.has(t.name)) codes.set(t.name, t.code);
      if (t.kind === "handoff" && !targets.includes(t.target)) targets.push(t.target);
    });
  if (codes.size > 0) {
    w.line();
    w.line("/* Exit codes: what *exit_code holds when a handler returns FAULTC_EXIT. */");
    for (const [name, value] of codes) w.line(`#define ${exitMacro(name)}\t${hex(value)}ULL`);
  }
  if (targets.length > 0) {
    w.line();
    w.line("/* The external handlers a handler of this file hands the trap over to. */");
    w.line(`enum faultc_${tag}_handoff {`);
    targets.forEach((t, i) => w.line(`\t${handoffName(t)}${i === 0 ? " = FAULTC_HANDOFF_FIRST" : ""},`));
    w.line("};");
  }
}

interface RecordLayout {
  record: I.IrRecord;
  /** How a field is reached from `vcpu`. */
  access: (field: string) => string;
}

function recordLayouts(m: I.IrModule): Map<string, RecordLayout> {
  const records: I.IrRecord[] = [];
  for (const h of m.handlers) if (!records.some((r) => r.name === h.record.name)) records.push(h.record);
  const layouts = new Map<string, RecordLayout>();
  for (const r of records) {
    const path = records.length === 1 ? "fault" : `fault.${mangleMember(r.name)}`;
    layouts.set(r.name, { record: r, access: (f) => `${path}.${mangleMember(f)}` });
  }
  return layouts;
}

function emitRecords(w: Lines, m: I.IrModule): void {
  const layouts = recordLayouts(m);
  if (layouts.size === 0) return;
  for (const { record } of layouts.values()) {
    w.line();
    w.line(`/* What the handlers leave for the host (record ${cComment(record.name)}), at vcpu + ${hex(I.RECORD_BASE)}. */`);
    w.line(`struct ${mangleMember(record.name)} {`);
    let at = I.RECORD_BASE;
    let pad = 0;
    for (const f of [...record.fields].sort((a, b) => a.offset - b.offset)) {
      const natural = Math.ceil(at / f.size) * f.size;
      if (f.offset < natural) throw new Error(`internal: field ${f.name} of ${record.name} at ${hex(f.offset)} overlaps the field before it`);
      if (f.offset > natural) w.line(`\tu8 __pad${pad++}[${hex(f.offset - at)}];`);
      w.line(`\t${f.size === 4 ? "u32" : "u64"} ${mangleMember(f.name)};${f.width !== f.size * 8 ? `\t/* ${f.width} bits */` : ""}`);
      at = f.offset + f.size;
    }
    w.line("};");
  }
  w.line();
  w.line("/*");
  w.line(` * The vcpu as the handlers see it: faultc's vcpu layout puts the fault record at ${hex(I.RECORD_BASE)}`);
  w.line(" * (src/runtime/machine/vcpu-layout.ts); in a kernel tree, vcpu->arch.fault.");
  w.line(" */");
  w.line("struct faultc_vcpu {");
  w.line(`\tu8 __reserved[${hex(I.RECORD_BASE)}];`);
  if (layouts.size === 1) {
    const [only] = layouts.values();
    w.line(`\tstruct ${mangleMember(only.record.name)} fault;`);
  } else {
    w.line("\tunion {");
    for (const { record } of layouts.values()) w.line(`\t\tstruct ${mangleMember(record.name)} ${mangleMember(record.name)};`);
    w.line("\t} fault;");
  }
  w.line("};");
  w.line();
  for (const { record, access } of layouts.values()) {
    for (const f of record.fields) {
      const member = access(f.name);
      const what = cStringLiteral(`${record.name}.${f.name}: ${f.size === 4 ? "u32" : "u64"} at vcpu+${hex(f.offset)}`);
      w.line(`_Static_assert(offsetof(struct faultc_vcpu, ${member}) == ${hex(f.offset)} &&`);
      w.line(`\t       sizeof(((struct faultc_vcpu *)0)->${member}) == ${f.size}, ${what});`);
    }
  }
}

function emitFunction(w: Lines, f: I.IrFunction): void {
  w.line();
  w.line(`/* fn ${cComment(f.name)} (${where(f.origin)}): ${f.width} bits */`);
  w.line(`static inline u64 ${mangle(f.name)}(${params(f.params)})`);
  w.line("{");
  w.indent(() => {
    const refs = new Set<string>();
    bvRefs(f.body, refs);
    for (const p of f.params) if (!refs.has(p.id)) w.line(`(void)${mangle(p.id)};`);
    w.line(`return ${text(bv(f.body, true))};`);
  });
  w.line("}");
}

function emitPredicate(w: Lines, p: I.IrPredicate): void {
  w.line();
  w.line(`/* pred ${cComment(p.name)} (${where(p.origin)}) */`);
  w.line(`static inline bool ${mangle(p.name)}(${params(p.params)})`);
  w.line("{");
  w.indent(() => {
    const refs = new Set<string>();
    boolRefs(p.body, refs);
    for (const x of p.params) if (!refs.has(x.id)) w.line(`(void)${mangle(x.id)};`);
    w.line(`return ${text(bool(p.body))};`);
  });
  w.line("}");
}

function params(ps: I.IrParam[]): string {
  return ps.length === 0 ? "void" : ps.map((p) => `u64 ${mangle(p.id)}`).join(", ");
}

function atInsn(w: Lines, op: I.AtOp): void {
  const a = atInstruction(op);
  w.line(`asm volatile(${cStringLiteral(`${a.insn}, %0`)} : : "r" (va));${a.note ? `\t/* ${a.note} */` : ""}`);
}

function emitAtHelper(w: Lines, name: string, s: AtStmt): void {
  const alt = s.op.alternative;
  w.line();
  w.line("/*");
  w.line(` * AT ${s.op.base}${alt ? ` (AT ${alt.op} on CPUs with ${cComment(alt.capability)})` : ""} on va: PAR_EL1 after it.`);
  w.line(
    s.preserve
      ? " * PAR_EL1 is the guest's, so it is saved before and restored after, as __translate_far_to_hpfar does."
      : " * PAR_EL1 is left holding the result: the rule file does not preserve it.",
  );
  w.line(" */");
  w.line(`static inline u64 ${name}(u64 va)`);
  w.line("{");
  w.indent(() => {
    if (s.preserve) {
      w.line("u64 par, tmp;");
      w.line();
      w.line("par = read_sysreg(par_el1);");
    }
    if (alt) {
      w.line(`if (cpus_have_final_cap(${cCapability(alt.capability)}))`);
      w.indent(() => atInsn(w, alt.op));
      w.line("else");
      w.indent(() => atInsn(w, s.op.base));
    } else atInsn(w, s.op.base);
    w.line("isb();");
    if (s.preserve) {
      w.line("tmp = read_sysreg(par_el1);");
      w.line("write_sysreg(par, par_el1);");
      w.line();
      w.line("return tmp;");
    } else {
      w.line();
      w.line("return read_sysreg(par_el1);");
    }
  });
  w.line("}");
}

// ---------------------------------------------------------------- handlers

function handlerSignature(h: I.IrHandler): string {
  return `int ${exportNameOf(h.name)}(struct faultc_vcpu *vcpu, u64 *exit_code)`;
}

function emitHandler(w: Lines, m: I.IrModule, h: I.IrHandler): void {
  const layout = recordLayouts(m).get(h.record.name);
  if (layout === undefined) throw new Error(`internal: no layout for ${h.record.name}`);
  const exits = new Set<string>();
  const handoffs = new Set<string>();
  let retries = false;
  let records = false;
  walkTerminators(h.body, (t) => {
    if (t.kind === "exit") exits.add(t.name);
    else if (t.kind === "handoff") handoffs.add(t.target);
    else if (t.kind === "retry") retries = true;
  });
  walkBlocks(h.body, (b) => (records ||= b.stmts.some((s) => s.kind === "record")));

  const returns: string[] = [];
  if (exits.size > 0) returns.push(`FAULTC_EXIT (*exit_code = ${[...exits].map((e) => cComment(e)).join(" or ")})`);
  if (retries) returns.push("FAULTC_RETRY (re-enter the guest)");
  for (const t of handoffs) returns.push(handoffName(t));

  w.line();
  w.line("/*");
  w.line(` * handler ${cComment(h.name)} (${where(h.origin)}): records into struct ${mangleMember(h.record.name)}.`);
  w.line(` * Returns ${returns.join(", ")}.`);
  w.line(" */");
  w.line(`${handlerSignature(h)}`);
  w.line("{");
  w.indent(() => {
    const unused = [...(records ? [] : ["vcpu"]), ...(exits.size > 0 ? [] : ["exit_code"])];
    block(w, h, layout, h.body, new Map(), unused);
  });
  w.line("}");
}

/** C variables in scope: name to type. */
type Scope = Map<string, "u64" | "bool">;

/**
 * A C block: declarations of everything bound in it and in the bodies that follow inline, then
 * the code. A name already declared with the same type in an enclosing block (a sibling rule
 * binding the same name, which the rule language allows) reuses that variable: no shadowing.
 */
function block(w: Lines, h: I.IrHandler, layout: RecordLayout, b: I.Block, outer: Scope, unusedParams: string[] = []): void {
  const scope: Scope = new Map(outer);
  const decls: { name: string; type: "u64" | "bool" }[] = [];
  for (const x of inlineChain(b)) {
    x.stmts.forEach((s, i) => {
      if (s.kind === "record" || !isUsed(x, i, s.id)) return;
      const name = mangle(s.id);
      const type = s.kind === "letBool" ? "bool" : "u64";
      if (outer.get(name) === type || decls.some((d) => d.name === name)) return;
      decls.push({ name, type });
      scope.set(name, type);
    });
  }
  for (const type of ["u64", "bool"] as const) {
    const names = decls.filter((d) => d.type === type).map((d) => d.name);
    if (names.length > 0) w.line(`${type} ${names.join(", ")};`);
  }
  if (decls.length > 0) w.line();
  for (const p of unusedParams) w.line(`(void)${p};`);
  if (unusedParams.length > 0) w.line();
  inline(w, h, layout, b, scope);
}

/** The statements and terminator of `b`, in the current C block. */
function inline(w: Lines, h: I.IrHandler, layout: RecordLayout, b: I.Block, scope: Scope): void {
  b.stmts.forEach((s, i) => {
    w.line(stmtComment(s.origin, h.name));
    switch (s.kind) {
      case "let":
      case "letBool": {
        const value = s.kind === "let" ? bv(s.value, true) : bool(s.value);
        if (isUsed(b, i, s.id)) w.line(`${mangle(s.id)} = ${text(value)};`);
        else if (s.kind === "let" && readsSysreg(s.value)) w.line(`(void)(${text(value)});\t/* ${cComment(s.id)} is not used */`);
        else w.line(`/* ${cComment(s.id)} is not used */`);
        break;
      }
      case "at": {
        const call = `${atHelperName(s)}(${text(bv(s.address, true))})`;
        if (isUsed(b, i, s.id)) w.line(`${mangle(s.id)} = ${call};`);
        else w.line(`(void)${call};\t/* ${cComment(s.id)} is not used */`);
        break;
      }
      case "record": {
        if (!layout.record.fields.some((f) => f.name === s.field)) throw new Error(`internal: no field ${s.field} in ${layout.record.name}`);
        w.line(`vcpu->${layout.access(s.field)} = ${text(bv(s.value, true))};`);
        break;
      }
    }
  });
  terminator(w, h, layout, b.end, scope);
}

function terminator(w: Lines, h: I.IrHandler, layout: RecordLayout, t: I.Terminator, scope: Scope): void {
  switch (t.kind) {
    case "exit":
      w.line(stmtComment(t.origin, h.name));
      w.line(`*exit_code = ${exitMacro(t.name)};`);
      w.line("return FAULTC_EXIT;");
      return;
    case "retry":
      w.line(stmtComment(t.origin, h.name));
      w.line("return FAULTC_RETRY;\t/* back to the guest */");
      return;
    case "handoff":
      w.line(stmtComment(t.origin, h.name));
      w.line(`return ${handoffName(t.target)};`);
      return;
    case "decide": {
      const { guarded, tail } = splitRules(t);
      for (const r of guarded) {
        w.line(`/* rule ${cComment(r.name)}, ${where(r.origin)} */`);
        w.line(r.guard === undefined ? "{" : `if (${text(bool(r.guard))}) {`);
        w.indent(() => block(w, h, layout, r.body, scope));
        w.line("}");
        w.line();
      }
      if (tail !== undefined) {
        const how = tail.guard === undefined ? " (otherwise)" : " (the rules before it cover every other input)";
        w.line(`/* rule ${cComment(tail.name)}${how}, ${where(tail.origin)} */`);
        inline(w, h, layout, tail.body, scope);
      }
      return;
    }
  }
}
