// Object functions as sides: `PATH.o:SYMBOL`, a function of a compiled AArch64 object, run and
// proven as it is, against a handler it does part of the work of. The object layer
// (src/object) gives its code per capability set; a rule file's binding (binding.ts chooses it)
// says how its caller calls it and what its return means, and is checked against the object's
// own build: every record field it names is a member of the struct in the object's DWARF, of the
// field's size. The record pointer argument points at faultc's vcpu record (RECORD_BASE), so the
// fault record is read where the struct's members are. The build fixes what the code runs with
// (object-build.ts), and documented defaults (ARM64_ALWAYS_SYSTEM) hold on every system.
import { evalBool, evalBv, type IrEnv } from "../codegen/ir/eval.ts";
import { RECORD_BASE, type BoolExpr, type BvExpr, type IrBinding, type IrModule } from "../codegen/ir/types.ts";
import { boolNodes, bvNodes } from "../codegen/ir/walk.ts";
import { buildTreeOf, kernelRelease } from "../object/build-tree.ts";
import { structLayout, type StructLayout } from "../object/dwarf.ts";
import { ObjectError } from "../object/errors.ts";
import { openObjectFunction, type ObjectFunction } from "../object/function.ts";
import { VCPU_SIZE } from "../runtime/machine/vcpu-layout.ts";
import { FunctionCallTarget, type CallInputs, type FixedCapability, type FunctionCall } from "../runtime/run/function-call-target.ts";
import { HandlerRunError, type RecordLayout } from "../runtime/run/types.ts";
import type { BitVecDomain } from "../runtime/semantics/domain.ts";
import { bindingItemText, chooseBinding } from "./binding.ts";
import { SideError } from "./errors.ts";
import type { ObjectName } from "./name.ts";
import { buildCapabilities } from "./object-build.ts";
import type { BindingCandidate, BindingUsed, OpenOptions, Side } from "./side.ts";

/** Object-layer errors (a malformed object, no such symbol, no DWARF) are errors in the input. */
function fromObject<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ObjectError) throw SideError.input(e.message);
    throw e;
  }
}

/** The record layout the binding gives the object: each named field where the struct has it, checked against the handler's record. */
function recordLayout(object: string, c: BindingCandidate): { layout: RecordLayout; struct?: StructLayout } {
  const b = c.binding;
  const at = `${b.origin.file}:${b.origin.line}: error: binding ${b.symbol}`;
  if (b.record === undefined) return { layout: {} };
  const handler = c.module.handlers.find((h) => h.name === b.handler);
  if (handler === undefined) throw new Error(`internal: binding ${b.symbol} is for no handler of ${c.module.file}`);
  const struct = fromObject(() => structLayout(object, b.record!.struct));
  const members = struct.members.map((m) => m.name).join(", ") || "no members";
  const dwarf = `the DWARF of ${struct.from}`;
  const layout: Record<string, { offset: number; size: 4 | 8 }> = {};
  for (const name of b.record.fields) {
    const field = handler.record.fields.find((f) => f.name === name);
    if (field === undefined) throw SideError.input(`${at}: handler ${handler.name}'s record ${handler.record.name} has no field '${name}'`);
    const member = struct.members.find((m) => m.name === name);
    if (member === undefined) throw SideError.input(`${at}: struct ${struct.name} has no member '${name}' in ${dwarf} (its members: ${members})`);
    if (member.size !== field.size) {
      throw SideError.input(`${at}: member '${name}' of struct ${struct.name} is ${member.size} bytes in ${dwarf}, but field ${name} of record ${handler.record.name} is ${field.width} bits, stored as ${field.size} bytes`);
    }
    layout[name] = { offset: RECORD_BASE + member.offset, size: field.size };
  }
  if (RECORD_BASE + struct.size > VCPU_SIZE) {
    throw SideError.input(`${at}: struct ${struct.name} is ${struct.size} bytes in ${dwarf}; faultc's vcpu holds ${VCPU_SIZE - RECORD_BASE} bytes of record`);
  }
  return { layout, struct };
}

/** The binding's registers and values must be ones a call can have. */
function checkRegisters(b: IrBinding): void {
  const at = `${b.origin.file}:${b.origin.line}: error: binding ${b.symbol}`;
  for (const a of b.args) {
    if (!Number.isInteger(a.reg) || a.reg < 0 || a.reg > 7) throw SideError.input(`${at}: x${a.reg} is not an argument register (x0..x7)`);
    if (a.kind === "value" && a.value.width !== 64) throw SideError.input(`${at}: x${a.reg} is set to a ${a.value.width}-bit value; an argument register holds 64 bits`);
  }
  for (const c of b.returns.cases) {
    if (c.value < 0n || c.value >= 1n << BigInt(b.returns.width)) throw SideError.input(`${at}: 0x${c.value.toString(16)} does not fit the ${b.returns.width}-bit return register`);
  }
}

/** Every capability the binding's conditions and values test, through the functions and predicates they call. */
function bindingCapabilities(b: IrBinding, m: IrModule): string[] {
  const caps = new Set<string>();
  const seen = new Set<string>();
  const visit = (nodes: Iterable<BoolExpr | BvExpr>): void => {
    for (const n of nodes) {
      if (n.op === "cap") caps.add(n.name);
      if (n.op === "pred" && !seen.has(`p ${n.name}`)) {
        seen.add(`p ${n.name}`);
        const p = m.predicates.find((x) => x.name === n.name);
        if (p) visit(boolNodes(p.body));
      }
      if (n.op === "call" && !seen.has(`f ${n.fn}`)) {
        seen.add(`f ${n.fn}`);
        const f = m.functions.find((x) => x.name === n.fn);
        if (f) visit(bvNodes(f.body));
      }
      if (n.op === "sysreg" && n.reg.alternative) caps.add(n.reg.alternative.capability);
    }
  };
  if (b.when) visit(boolNodes(b.when));
  for (const a of b.args) if (a.kind === "value") visit(bvNodes(a.value));
  return [...caps];
}

/** The call the binding describes, over any domain: the prover evaluates the same expressions symbolically. */
function functionCall(c: BindingCandidate, when: string | undefined, fixedCapabilities: ReadonlyMap<string, FixedCapability>): FunctionCall {
  const b = c.binding;
  const env = <V, B>(d: BitVecDomain<V, B>, inputs: CallInputs<V>): IrEnv<V, B> => ({
    d,
    input: (reg) => inputs.sysreg(reg),
    read: (choice) => inputs.mrs(choice.alternative !== undefined && inputs.caps.has(choice.alternative.capability) ? choice.alternative.register : choice.base),
    caps: inputs.caps,
    module: c.module,
  });
  return {
    entryRegisters: (d, inputs) => {
      const e = env(d, inputs);
      return new Map(b.args.map((a) => [a.reg, a.kind === "value" ? evalBv(a.value, e) : d.add(inputs.vcpu, d.const(BigInt(RECORD_BASE), 64))]));
    },
    called: (d, inputs) => (b.when === undefined ? d.true : evalBool(b.when, env(d, inputs))),
    calledText: `${b.origin.file}:${b.origin.line} binds ${b.symbol} ${b.when === undefined ? "on every input" : `when ${when ?? "its condition holds"}`}`,
    returns: { width: b.returns.width, cases: b.returns.cases },
    fixedCapabilities,
  };
}

/** What the build and the documented defaults fix, with why. */
function fixedCapabilities(fn: ObjectFunction): Map<string, FixedCapability & { kind: "build" | "default" }> {
  const fixed = new Map<string, FixedCapability & { kind: "build" | "default" }>();
  for (const [name, f] of fromObject(() => buildCapabilities(fn.file))) fixed.set(name, { ...f, kind: "build" });
  for (const [name, f] of fn.capabilityDefaults) if (!fixed.has(name)) fixed.set(name, { present: f.present, reason: `documented default: ${f.reason}`, kind: "default" });
  return new Map([...fixed].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function openObject(name: ObjectName, options: OpenOptions): Side {
  const label = `${name.file}:${name.symbol}`;
  if (options.entry !== undefined) throw SideError.usage(`--entry is for assembly files; ${label} starts at its symbol`);
  const fn = fromObject(() => openObjectFunction(name.file, name.symbol));
  const release = fromObject(() => kernelRelease(name.file));
  const tree = fromObject(() => buildTreeOf(name.file));
  const chosen = chooseBinding({ object: name.file, symbol: name.symbol, release, releaseFrom: tree === undefined ? undefined : `of the build tree ${tree}` }, options);
  const b = chosen.binding;
  checkRegisters(b);
  const { layout, struct } = recordLayout(name.file, chosen);
  const fixed = fixedCapabilities(fn);
  const when = b.when === undefined ? undefined : (bindingItemText(b.origin.file, b.origin.line, "when") ?? "its condition holds");
  const call = functionCall(chosen, when, fixed);
  // The code of a combination is decoded when it is first asked for: a word the model does not
  // run there is an error in the input, for a run as for a proof.
  const load = (caps: Iterable<string>) => fromObject(() => fn.load(caps));
  const runLoad = (caps: Iterable<string>) => {
    try {
      return fn.load(caps);
    } catch (e) {
      if (e instanceof ObjectError) throw new HandlerRunError(e.message);
      throw e;
    }
  };
  const target = new FunctionCallTarget(label, layout, runLoad, name.symbol, call);
  const handler = chosen.module.handlers.find((h) => h.name === b.handler);
  const binding: BindingUsed = {
    symbol: b.symbol, handler: b.handler, file: b.origin.file, line: b.origin.line, kernel: b.kernel, release, when,
    ...(struct ? { struct: { name: struct.name, from: struct.from } } : {}),
  };
  return {
    label,
    kind: name.kind,
    name,
    layout,
    capabilities: [...new Set([...fn.capabilities, ...bindingCapabilities(b, chosen.module)])].sort(),
    module: chosen.module,
    ...(handler?.contract ? { contract: handler.contract } : {}),
    fixedCapabilities: fixed,
    binding,
    notes: fn.fixups.map((f) => `exception fixup: ${f.insn} (${f.text}) resumes at ${f.fixup}; not run by the model: ${f.reason}`),
    concrete: () => target,
    symbolic: { kind: "machine-code", load, entry: name.symbol, call },
  };
}
