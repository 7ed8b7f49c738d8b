// Instruction selection: the IR to an AArch64 program for the EL2 sync vector, in the style of
// the seed's hyp-entry.S. Values live zero-extended in X registers; conditions become branches
// (cmp/ccmp chains for set membership, tbz/tbnz for single-bit tests, and/cmp for field
// tests); capability conditions become alternative blocks of equal length; AT is wrapped in
// stp/ldp to preserve PAR_EL1; x0-x3 are saved like save_x0_to_x3 (more registers in pairs
// when needed), restored before eret, and left on the stack for __guest_exit. A handler that
// needs more registers than x0-x17 at once keeps some values in a stack frame below the saved
// registers (registers.ts), given back with them on every way out.
import { commentText } from "../escape.ts";
import type * as I from "../ir/types.ts";
import { lastUses } from "../ir/refs.ts";
import { asmCapability } from "../names/capabilities.ts";
import { exportNameOf, mangle, platformName } from "../names/mangle.ts";
import { isArithmeticImmediate, isConditionalCompareImmediate, isLogicalImmediate, materialise, widthMask } from "./immediates.ts";
import { HandlerTooComplex, IselError } from "./isel-error.ts";
import { MAX_FRAME_BYTES, Registers, type Binding, type Value } from "./registers.ts";

export { HandlerTooComplex, IselError } from "./isel-error.ts";

// Names printed into the program: a handler's label and an external's symbol are the rule file's
// names, mangled (names/mangle.ts: never a register name, `__guest_exit` or a cpp macro); a
// capability is printed as names/capabilities.ts says, a system register as it is. The IR allows
// any string there; one with a newline would add lines to the program, so all of them refuse
// anything that is not an identifier rather than print it.

type Env = Map<string, Binding>;

/** Where the frame is given back and the saved registers restored: before every way out. */
const RESTORE_EXTRA = "@@restore-extra@@";

export interface SelectedHandler {
  name: string;
  /** Assembly lines of the handler, label first. */
  lines: string[];
  /** x0..x(saved-1) are saved on entry. */
  saved: number;
  /** Bytes of the frame below the saved registers (0: none). */
  frame: number;
}

/** A block being selected: what it reads when, the statement it is at, and what it binds. */
interface Scope {
  lastUse: Map<string, number>;
  index: number;
  bindings: Binding[];
}

export function selectHandler(m: I.IrModule, h: I.IrHandler): SelectedHandler {
  return new Selector(m, h).run();
}

class Selector {
  private readonly out: string[] = [];
  private readonly regs = new Registers(
    (insn) => this.emit(insn),
    () => this.deadBindings(),
  );
  private readonly scopes: Scope[] = [];
  private labelCount = 0;
  private readonly fns: Map<string, I.IrFunction>;
  private readonly preds: Map<string, I.IrPredicate>;

  constructor(
    private readonly m: I.IrModule,
    private readonly h: I.IrHandler,
  ) {
    this.fns = new Map(m.functions.map((f) => [f.name, f]));
    this.preds = new Map(m.predicates.map((p) => [p.name, p]));
  }

  run(): SelectedHandler {
    this.block(this.h.body, new Map());
    const maxUsed = this.regs.maxUsed;
    const saved = Math.max(4, maxUsed + 1 + ((maxUsed + 1) % 2));
    const frame = this.regs.frameBytes();
    if (frame > MAX_FRAME_BYTES) {
      throw new HandlerTooComplex(
        this.h.name,
        this.h.origin,
        `handler ${this.h.name} has ${this.regs.slotCount} values live at once that x0-x17 cannot hold: a stack frame of ${frame} bytes, over the ${MAX_FRAME_BYTES} the asm-like variant allows (half of a 4 KiB hyp stack); split the handler, or let fewer values live at once`,
      );
    }
    const prologue = [`${exportNameOf(this.h.name)}:`, "\t// entered from the EL2 sync vector: x0-x3 are the guest's", "\tsave_x0_to_x3"];
    for (let r = 4; r < saved; r += 2) prologue.push(`\tstp x${r}, x${r + 1}, [sp, #-16]!`);
    const restoreExtra: string[] = [];
    if (frame > 0) {
      prologue.push(`\tsub sp, sp, #${frame}\t// the frame: values that do not fit in x0-x17`);
      restoreExtra.push(`\tadd sp, sp, #${frame}`);
    }
    for (let r = saved - 2; r >= 4; r -= 2) restoreExtra.push(`\tldp x${r}, x${r + 1}, [sp], #16`);
    const body = this.out.flatMap((l) => (l === RESTORE_EXTRA ? restoreExtra : [l]));
    return { name: this.h.name, lines: [...prologue, ...body], saved, frame };
  }

  // ------------------------------------------------------------ registers and output

  private alloc(): number {
    return this.regs.alloc();
  }

  private release(v: Value): void {
    this.regs.release(v);
  }

  /** The bindings of the blocks on the current path that the rest of the path does not read. */
  private deadBindings(): Binding[] {
    const inner = this.scopes[this.scopes.length - 1];
    if (inner === undefined) return [];
    return this.scopes.flatMap((s) => s.bindings.filter((b) => (inner.lastUse.get(b.id) ?? -1) < inner.index));
  }

  private emit(insn: string): void {
    this.out.push(`\t${insn}`);
  }

  private comment(text: string): void {
    this.out.push(`\t// ${commentText(text)}`);
  }

  private label(): string {
    return `.L${exportNameOf(this.h.name)}_${++this.labelCount}`;
  }

  private place(label: string): void {
    this.out.push(`${label}:`);
  }

  private where(o: I.Origin): string {
    return `${o.file}:${o.line}${o.rule ? ` (rule ${o.rule})` : ""}`;
  }

  /** Clears the bits above `width` (values are kept zero-extended in their registers). */
  private truncate(reg: number, width: number): void {
    if (width < 64) this.emit(`and x${reg}, x${reg}, #0x${widthMask(width).toString(16)}`);
  }

  private lookup(env: Env, id: string): Binding {
    const b = env.get(id);
    if (b === undefined) throw new IselError(`internal: unbound ${id}`);
    return b;
  }

  // ------------------------------------------------------------ bit-vector expressions

  private bv(e: I.BvExpr, env: Env): Value {
    switch (e.op) {
      case "const": {
        const r = this.alloc();
        for (const insn of materialise(`x${r}`, e.value)) this.emit(insn);
        return this.regs.temp(r);
      }
      case "sysreg": {
        const r = this.alloc();
        if (e.reg.alternative === undefined) this.emit(`mrs x${r}, ${platformName(e.reg.base).toLowerCase()}`);
        else {
          this.out.push(`alternative_if_not ${asmCapability(e.reg.alternative.capability)}`);
          this.emit(`mrs x${r}, ${platformName(e.reg.base).toLowerCase()}`);
          this.out.push("alternative_else");
          this.emit(`mrs x${r}, ${platformName(e.reg.alternative.register).toLowerCase()}`);
          this.out.push("alternative_endif");
        }
        return this.regs.temp(r);
      }
      case "var":
        return this.regs.read(this.lookup(env, e.id));
      case "not": {
        const a = this.bv(e.a, env);
        const [ra] = this.regs.lock(a);
        const d = this.target(a);
        if (e.width < 64) this.emit(`eor x${d}, x${ra}, #0x${widthMask(e.width).toString(16)}`);
        else {
          const t = this.alloc();
          this.emit(`mov x${t}, #-1`);
          this.emit(`eor x${d}, x${ra}, x${t}`);
          this.regs.freeRegister(t);
        }
        return this.regs.result(d, a);
      }
      case "neg": {
        const a = this.bv(e.a, env);
        const [ra] = this.regs.lock(a);
        const d = this.target(a);
        this.emit(`sub x${d}, xzr, x${ra}`);
        this.truncate(d, e.width);
        return this.regs.result(d, a);
      }
      case "and":
      case "or":
      case "xor": {
        const mnemonic = { and: "and", or: "orr", xor: "eor" }[e.op];
        const a = this.bv(e.a, env);
        const k = asConst(e.b);
        if (k !== undefined && isLogicalImmediate(k)) {
          const [ra] = this.regs.lock(a);
          const d = this.target(a);
          this.emit(`${mnemonic} x${d}, x${ra}, #0x${k.toString(16)}`);
          return this.regs.result(d, a);
        }
        const b = this.bv(e.b, env);
        const [ra, rb] = this.regs.lock(a, b);
        const d = this.target(a, b);
        this.emit(`${mnemonic} x${d}, x${ra}, x${rb}`);
        return this.regs.result(d, a, b);
      }
      case "add":
      case "sub": {
        const a = this.bv(e.a, env);
        const k = asConst(e.b);
        if (k !== undefined && isArithmeticImmediate(k)) {
          const [ra] = this.regs.lock(a);
          const d = this.target(a);
          this.emit(`${e.op} x${d}, x${ra}, #0x${k.toString(16)}`);
          this.truncate(d, e.width);
          return this.regs.result(d, a);
        }
        const b = this.bv(e.b, env);
        const [ra, rb] = this.regs.lock(a, b);
        const d = this.target(a, b);
        this.emit(`${e.op} x${d}, x${ra}, x${rb}`);
        this.truncate(d, e.width);
        return this.regs.result(d, a, b);
      }
      case "shl": {
        const a = this.bv(e.a, env);
        const [ra] = this.regs.lock(a);
        const d = this.target(a);
        this.emit(`lsl x${d}, x${ra}, #${e.amount}`);
        this.truncate(d, e.width);
        return this.regs.result(d, a);
      }
      case "lshr": {
        const a = this.bv(e.a, env);
        const [ra] = this.regs.lock(a);
        const d = this.target(a);
        this.emit(`lsr x${d}, x${ra}, #${e.amount}`);
        return this.regs.result(d, a);
      }
      case "extract": {
        const a = this.bv(e.a, env);
        if (e.lo === 0 && e.width === 64) return a;
        const [ra] = this.regs.lock(a);
        const d = this.target(a);
        this.emit(`ubfx x${d}, x${ra}, #${e.lo}, #${e.width}`);
        return this.regs.result(d, a);
      }
      case "zext": {
        // Values are already zero-extended in their registers.
        const k = asConst(e);
        if (k !== undefined) return this.bv({ op: "const", width: e.width, value: k }, env);
        return this.bv(e.a, env);
      }
      case "sext": {
        const from = widthOf(e.a);
        const a = this.bv(e.a, env);
        if (from === e.width) return a;
        const [ra] = this.regs.lock(a);
        const d = this.target(a);
        this.emit(`lsl x${d}, x${ra}, #${64 - from}`);
        this.emit(`asr x${d}, x${d}, #${64 - from}`);
        this.truncate(d, e.width);
        return this.regs.result(d, a);
      }
      case "call": {
        const f = this.fns.get(e.fn);
        if (f === undefined) throw new IselError(`internal: unknown function ${e.fn}`);
        this.comment(`fn ${f.name} (${this.where(f.origin)}), inline`);
        const params = this.bindArguments(f.params, e.args, env);
        const result = this.bv(f.body, new Map(params.map((p) => [p.id, p])));
        // The result may be a parameter's own register (a function returning its parameter):
        // the argument the caller owned becomes the result.
        let out = result;
        for (const p of params) {
          if (p.owned && !result.owned && p.home.reg !== undefined && p.home.reg === result.reg) out = this.regs.handOver(p);
          else this.regs.unbind(p);
        }
        return out;
      }
      case "input":
      case "field":
        throw new IselError(`internal: ${e.op} outside a contract`);
    }
  }

  /**
   * Binds an inlined function's or predicate's parameters: an argument that is a name of the
   * caller shares its home; any other is evaluated (all of them first, in order) and bound to
   * the register or slot its value is in.
   */
  private bindArguments(params: I.IrParam[], args: I.BvExpr[], env: Env): Binding[] {
    const values = args.map((a) => (a.op === "var" ? this.lookup(env, a.id) : this.bv(a, env)));
    return params.map((p, i) => {
      const v = values[i];
      return "home" in v ? this.regs.alias(p.id, v) : this.regs.bind(p.id, v);
    });
  }

  /** The register a result goes into: an operand's own register when the operand is a temporary. */
  private target(a: Value, b?: Value): number {
    if (a.owned && a.reg !== undefined) return a.reg;
    if (b?.owned && b.reg !== undefined) return b.reg;
    return this.alloc();
  }

  // ------------------------------------------------------------ conditions as branches

  /** Emits code that jumps to `target` when `b` equals `when`, and falls through otherwise. */
  private branch(b: I.BoolExpr, env: Env, target: string, when: boolean): void {
    switch (b.op) {
      case "true":
      case "false":
        if ((b.op === "true") === when) this.emit(`b ${target}`);
        return;
      case "cap":
        // Patched at boot: the default side is for CPUs without the capability.
        this.out.push(`alternative_if_not ${asmCapability(b.name)}`);
        this.emit(when ? "nop" : `b ${target}`);
        this.out.push("alternative_else");
        this.emit(when ? `b ${target}` : "nop");
        this.out.push("alternative_endif");
        return;
      case "not":
        this.branch(b.a, env, target, !when);
        return;
      case "and":
      case "or": {
        // Short-circuit: for `a && b` jumping when true, a false `a` skips the rest.
        const shortCircuitValue = b.op === "and" ? false : true;
        if (when === shortCircuitValue) {
          this.branch(b.a, env, target, when);
          this.branch(b.b, env, target, when);
        } else {
          const skip = this.label();
          this.branch(b.a, env, skip, shortCircuitValue);
          this.branch(b.b, env, target, when);
          this.place(skip);
        }
        return;
      }
      case "pred": {
        const p = this.preds.get(b.name);
        if (p === undefined) throw new IselError(`internal: unknown predicate ${b.name}`);
        this.comment(`pred ${p.name} (${this.where(p.origin)}), inline`);
        // Bound, not held: the body branches, and a binding's home stays put on every way.
        const params = this.bindArguments(p.params, b.args, env);
        this.branch(p.body, new Map(params.map((x) => [x.id, x])), target, when);
        for (const x of params) this.regs.unbind(x);
        return;
      }
      case "bvar": {
        const v = this.regs.read(this.lookup(env, b.id));
        const [r] = this.regs.lock(v);
        this.emit(`${when ? "cbnz" : "cbz"} x${r}, ${target}`);
        this.release(v);
        return;
      }
      case "in":
        this.membership(b, env, target, when);
        return;
      case "cmp":
        this.compare(b, env, target, when);
        return;
    }
  }

  private compare(b: Extract<I.BoolExpr, { op: "cmp" }>, env: Env, target: string, when: boolean): void {
    // A single bit against 0 or 1: tbz/tbnz on the bit in place.
    const k = asConst(b.b);
    if ((b.cmp === "eq" || b.cmp === "ne") && b.a.op === "extract" && b.a.width === 1 && k !== undefined) {
      const bitSet = (k === 1n) === (b.cmp === "eq");
      const src = this.bv(b.a.a, env);
      const [r] = this.regs.lock(src);
      this.emit(`${bitSet === when ? "tbnz" : "tbz"} x${r}, #${b.a.lo}, ${target}`);
      this.release(src);
      return;
    }
    const a = this.bv(b.a, env);
    if (k !== undefined && isArithmeticImmediate(k)) {
      const [ra] = this.regs.lock(a);
      this.emit(`cmp x${ra}, #0x${k.toString(16)}`);
    } else {
      const c = this.bv(b.b, env);
      const [ra, rc] = this.regs.lock(a, c);
      this.emit(`cmp x${ra}, x${rc}`);
      this.release(c);
    }
    this.release(a);
    const conds: Record<I.CmpOp, [string, string]> = { eq: ["eq", "ne"], ne: ["ne", "eq"], ult: ["lo", "hs"], ule: ["ls", "hi"], ugt: ["hi", "ls"], uge: ["hs", "lo"] };
    this.emit(`b.${conds[b.cmp][when ? 0 : 1]} ${target}`);
  }

  /** cmp, then ccmp ..., #4 (Z set: "already equal"), ne for each further value; b.eq/b.ne. */
  private membership(b: Extract<I.BoolExpr, { op: "in" }>, env: Env, target: string, when: boolean): void {
    if (b.values.length === 0) {
      if (!when) this.emit(`b ${target}`);
      return;
    }
    const a = this.bv(b.a, env);
    const [ra] = this.regs.lock(a);
    b.values.forEach((v, i) => {
      const fitsImmediate = i === 0 ? isArithmeticImmediate(v) : isConditionalCompareImmediate(v);
      let operand = `#0x${v.toString(16)}`;
      let temp: number | undefined;
      if (!fitsImmediate) {
        temp = this.alloc();
        for (const insn of materialise(`x${temp}`, v)) this.emit(insn);
        operand = `x${temp}`;
      }
      this.emit(i === 0 ? `cmp x${ra}, ${operand}` : `ccmp x${ra}, ${operand}, #4, ne`);
      if (temp !== undefined) this.regs.freeRegister(temp);
    });
    this.release(a);
    this.emit(`b.${when ? "eq" : "ne"} ${target}`);
  }

  // ------------------------------------------------------------ statements and outcomes

  private block(b: I.Block, outer: Env): void {
    const env: Env = new Map(outer);
    const scope: Scope = { lastUse: lastUses(b), index: 0, bindings: [] };
    this.scopes.push(scope);
    // A binding joins the scope (and may be taken back once dead) when its statement is done.
    const bind = (x: Binding) => {
      env.set(x.id, x);
      scope.bindings.push(x);
    };
    b.stmts.forEach((s, i) => {
      scope.index = i;
      this.comment(`${s.kind === "record" ? `record ${s.field}` : `let ${s.id}`}: ${this.where(s.origin)}`);
      switch (s.kind) {
        case "let":
          bind(this.regs.bind(s.id, this.bv(s.value, env)));
          break;
        case "letBool":
          bind(this.letBool(s.id, s.value, env));
          break;
        case "at":
          bind(this.regs.bind(s.id, this.at(s, env)));
          break;
        case "record": {
          const f = this.h.record.fields.find((x) => x.name === s.field);
          if (f === undefined) throw new IselError(`internal: no field ${s.field}`);
          const v = this.bv(s.value, env);
          const [rv] = this.regs.lock(v);
          const vcpu = this.alloc();
          this.emit(`mrs x${vcpu}, tpidr_el2`);
          this.emit(`str ${f.size === 4 ? "w" : "x"}${rv}, [x${vcpu}, #0x${f.offset.toString(16)}]`);
          this.regs.freeRegister(vcpu);
          this.release(v);
          break;
        }
      }
    });
    scope.index = b.stmts.length;
    this.terminator(b.end, env);
    this.scopes.pop();
    for (const x of scope.bindings) this.regs.unbind(x);
  }

  /** 0 or 1 in the binding's register, or, with no register to spare, in its slot. */
  private letBool(id: string, value: I.BoolExpr, env: Env): Binding {
    const skip = this.label();
    if (this.regs.roomForBinding()) {
      const x = this.regs.bindRegister(id);
      const reg = x.home.reg;
      this.emit(`mov x${reg}, #0`);
      this.branch(value, env, skip, false);
      this.emit(`mov x${reg}, #1`);
      this.place(skip);
      return x;
    }
    const x = this.regs.bindSlot(id);
    const constant = (k: number) => {
      const t = this.alloc();
      this.emit(`mov x${t}, #${k}`);
      this.regs.store(x, t);
      this.regs.freeRegister(t);
    };
    constant(0);
    this.branch(value, env, skip, false);
    constant(1);
    this.place(skip);
    return x;
  }

  private at(s: Extract<I.Stmt, { kind: "at" }>, env: Env): Value {
    const va = this.bv(s.address, env);
    const [rva] = this.regs.lock(va);
    const scratch = this.alloc();
    if (s.preserve) {
      this.comment("preserve the guest's PAR_EL1 across AT");
      this.emit(`mrs x${scratch}, par_el1`);
      this.emit(`stp x${scratch}, xzr, [sp, #-16]!`);
      this.regs.pushedBytes(16);
    }
    if (s.op.alternative === undefined) this.emit(`at ${s.op.base.toLowerCase()}, x${rva}`);
    else {
      this.out.push(`alternative_if_not ${asmCapability(s.op.alternative.capability)}`);
      this.emit(`at ${s.op.base.toLowerCase()}, x${rva}`);
      this.out.push("alternative_else");
      this.emit(`at ${s.op.alternative.op.toLowerCase()}, x${rva}`);
      this.out.push("alternative_endif");
    }
    this.emit("isb");
    this.release(va);
    const par = this.alloc();
    this.emit(`mrs x${par}, par_el1`);
    if (s.preserve) {
      this.emit(`ldp x${scratch}, xzr, [sp], #16`);
      this.regs.pushedBytes(-16);
      this.emit(`msr par_el1, x${scratch}`);
    }
    this.regs.freeRegister(scratch);
    return this.regs.temp(par);
  }

  private terminator(t: I.Terminator, env: Env): void {
    switch (t.kind) {
      case "exit":
        this.comment(`exit ${t.name}: ${this.where(t.origin)}`);
        this.out.push(RESTORE_EXTRA);
        this.emit("mrs x0, tpidr_el2");
        // Exit codes may be wider than one mov immediate (e.g. 0x123456789): movz/movk then, as
        // GNU as and the model's assembler both reject `mov x1, #0x123456789`.
        for (const insn of materialise("x1", t.code)) this.emit(insn);
        this.emit("b __guest_exit");
        return;
      case "retry":
        this.comment(`retry: re-enter the guest: ${this.where(t.origin)}`);
        this.out.push(RESTORE_EXTRA);
        this.emit("restore_x0_to_x3");
        this.emit("eret");
        return;
      case "handoff":
        this.comment(`handoff ${t.target}: ${this.where(t.origin)}`);
        this.out.push(RESTORE_EXTRA);
        this.emit(`b ${mangle(t.target)}`);
        return;
      case "decide": {
        const snapshot = this.regs.save();
        t.rules.forEach((r, i) => {
          this.regs.restore(snapshot);
          this.comment(`rule ${r.name}: ${this.where(r.origin)}`);
          const last = i === t.rules.length - 1;
          if (last || r.guard === undefined) {
            this.block(r.body, env);
            return;
          }
          const next = this.label();
          this.branch(r.guard, env, next, false);
          this.block(r.body, env);
          this.place(next);
        });
        this.regs.restore(snapshot);
        return;
      }
    }
  }
}

/** The value of an expression made of constants only (what the assembler would fold). */
function asConst(e: I.BvExpr): bigint | undefined {
  switch (e.op) {
    case "const":
      return e.value;
    case "zext": {
      return asConst(e.a);
    }
    case "extract": {
      const v = asConst(e.a);
      return v === undefined ? undefined : (v >> BigInt(e.lo)) & widthMask(e.width);
    }
    default:
      return undefined;
  }
}

function widthOf(e: I.BvExpr): number {
  return e.width;
}
