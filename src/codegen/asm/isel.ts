// Instruction selection: the IR to an AArch64 program for the EL2 sync vector, in the style of
// the seed's hyp-entry.S. Values live zero-extended in X registers; conditions become branches
// (cmp/ccmp chains for set membership, tbz/tbnz for single-bit tests, and/cmp for field
// tests); capability conditions become alternative blocks of equal length; AT is wrapped in
// stp/ldp to preserve PAR_EL1; x0-x3 are saved like save_x0_to_x3 (more registers in pairs
// when needed), restored before eret, and left on the stack for __guest_exit.
import { commentText } from "../escape.ts";
import type * as I from "../ir/types.ts";
import { asmCapability } from "../names/capabilities.ts";
import { exportNameOf, mangle, platformName } from "../names/mangle.ts";
import { isArithmeticImmediate, isConditionalCompareImmediate, isLogicalImmediate, materialise, widthMask } from "./immediates.ts";

export class IselError extends Error {}

// Names printed into the program: a handler's label and an external's symbol are the rule file's
// names, mangled (names/mangle.ts: never a register name, `__guest_exit` or a cpp macro); a
// capability or a system register is the platform's, printed as it is. The IR allows any string
// there; one with a newline would add lines to the program, so both refuse anything that is not
// an identifier rather than print it.

/** Registers the allocator may use: x0-x17 (x18 is the platform register, x19+ callee-saved). */
const POOL = Array.from({ length: 18 }, (_, i) => i);

interface Value {
  reg: number;
  /** Freed by whoever consumes it; false for a let-bound register. */
  owned: boolean;
}

type Env = Map<string, { reg: number; width: number }>;

const RESTORE_EXTRA = "@@restore-extra@@";

export interface SelectedHandler {
  name: string;
  /** Assembly lines of the handler, label first. */
  lines: string[];
  /** x0..x(saved-1) are saved on entry. */
  saved: number;
}

export function selectHandler(m: I.IrModule, h: I.IrHandler): SelectedHandler {
  return new Selector(m, h).run();
}

class Selector {
  private readonly out: string[] = [];
  private free = new Set(POOL);
  private maxUsed = 3;
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
    const saved = Math.max(4, this.maxUsed + 1 + ((this.maxUsed + 1) % 2));
    const prologue = [`${exportNameOf(this.h.name)}:`, "\t// entered from the EL2 sync vector: x0-x3 are the guest's", "\tsave_x0_to_x3"];
    for (let r = 4; r < saved; r += 2) prologue.push(`\tstp x${r}, x${r + 1}, [sp, #-16]!`);
    const restoreExtra: string[] = [];
    for (let r = saved - 2; r >= 4; r -= 2) restoreExtra.push(`\tldp x${r}, x${r + 1}, [sp], #16`);
    const body = this.out.flatMap((l) => (l === RESTORE_EXTRA ? restoreExtra : [l]));
    return { name: this.h.name, lines: [...prologue, ...body], saved };
  }

  // ------------------------------------------------------------ registers and output

  private alloc(): number {
    for (const r of POOL) {
      if (this.free.has(r)) {
        this.free.delete(r);
        this.maxUsed = Math.max(this.maxUsed, r);
        return r;
      }
    }
    throw new IselError(`handler ${this.h.name} needs more than ${POOL.length} registers`);
  }

  private release(v: Value): void {
    if (v.owned) this.free.add(v.reg);
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

  // ------------------------------------------------------------ bit-vector expressions

  private bv(e: I.BvExpr, env: Env): Value {
    switch (e.op) {
      case "const": {
        const r = this.alloc();
        for (const insn of materialise(`x${r}`, e.value)) this.emit(insn);
        return { reg: r, owned: true };
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
        return { reg: r, owned: true };
      }
      case "var": {
        const v = env.get(e.id);
        if (v === undefined) throw new IselError(`internal: unbound ${e.id}`);
        return { reg: v.reg, owned: false };
      }
      case "not": {
        const a = this.bv(e.a, env);
        const d = this.target(a);
        if (e.width < 64) this.emit(`eor x${d}, x${a.reg}, #0x${widthMask(e.width).toString(16)}`);
        else {
          const t = this.alloc();
          this.emit(`mov x${t}, #-1`);
          this.emit(`eor x${d}, x${a.reg}, x${t}`);
          this.free.add(t);
        }
        return { reg: d, owned: true };
      }
      case "neg": {
        const a = this.bv(e.a, env);
        const d = this.target(a);
        this.emit(`sub x${d}, xzr, x${a.reg}`);
        this.truncate(d, e.width);
        return { reg: d, owned: true };
      }
      case "and":
      case "or":
      case "xor": {
        const mnemonic = { and: "and", or: "orr", xor: "eor" }[e.op];
        const a = this.bv(e.a, env);
        const k = asConst(e.b);
        if (k !== undefined && isLogicalImmediate(k)) {
          const d = this.target(a);
          this.emit(`${mnemonic} x${d}, x${a.reg}, #0x${k.toString(16)}`);
          return { reg: d, owned: true };
        }
        const b = this.bv(e.b, env);
        const d = this.target(a, b);
        this.emit(`${mnemonic} x${d}, x${a.reg}, x${b.reg}`);
        this.releaseOther(d, a, b);
        return { reg: d, owned: true };
      }
      case "add":
      case "sub": {
        const a = this.bv(e.a, env);
        let d: number;
        const k = asConst(e.b);
        if (k !== undefined && isArithmeticImmediate(k)) {
          d = this.target(a);
          this.emit(`${e.op} x${d}, x${a.reg}, #0x${k.toString(16)}`);
        } else {
          const b = this.bv(e.b, env);
          d = this.target(a, b);
          this.emit(`${e.op} x${d}, x${a.reg}, x${b.reg}`);
          this.releaseOther(d, a, b);
        }
        this.truncate(d, e.width);
        return { reg: d, owned: true };
      }
      case "shl": {
        const a = this.bv(e.a, env);
        const d = this.target(a);
        this.emit(`lsl x${d}, x${a.reg}, #${e.amount}`);
        this.truncate(d, e.width);
        return { reg: d, owned: true };
      }
      case "lshr": {
        const a = this.bv(e.a, env);
        const d = this.target(a);
        this.emit(`lsr x${d}, x${a.reg}, #${e.amount}`);
        return { reg: d, owned: true };
      }
      case "extract": {
        const a = this.bv(e.a, env);
        if (e.lo === 0 && e.width === 64) return a;
        const d = this.target(a);
        this.emit(`ubfx x${d}, x${a.reg}, #${e.lo}, #${e.width}`);
        return { reg: d, owned: true };
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
        const d = this.target(a);
        this.emit(`lsl x${d}, x${a.reg}, #${64 - from}`);
        this.emit(`asr x${d}, x${d}, #${64 - from}`);
        this.truncate(d, e.width);
        return { reg: d, owned: true };
      }
      case "call": {
        const f = this.fns.get(e.fn);
        if (f === undefined) throw new IselError(`internal: unknown function ${e.fn}`);
        this.comment(`fn ${f.name} (${this.where(f.origin)}), inline`);
        const args = e.args.map((a) => this.bv(a, env));
        const inner: Env = new Map(f.params.map((p, i) => [p.id, { reg: args[i].reg, width: p.width }]));
        const result = this.bv(f.body, inner);
        // The result may be an argument's own register (e.g. a function returning its parameter).
        const keep = args.find((a) => a.reg === result.reg);
        for (const a of args) if (a !== keep) this.release(a);
        if (keep !== undefined && !keep.owned) return { reg: result.reg, owned: false };
        return result;
      }
      case "input":
      case "field":
        throw new IselError(`internal: ${e.op} outside a contract`);
    }
  }

  /** The register a result goes into: an operand's own register when the operand is a temporary. */
  private target(a: Value, b?: Value): number {
    if (a.owned) return a.reg;
    if (b?.owned) return b.reg;
    return this.alloc();
  }

  private releaseOther(d: number, a: Value, b: Value): void {
    if (a.reg !== d) this.release(a);
    if (b.reg !== d) this.release(b);
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
        const args = b.args.map((a) => this.bv(a, env));
        const inner: Env = new Map(p.params.map((x, i) => [x.id, { reg: args[i].reg, width: x.width }]));
        this.branch(p.body, inner, target, when);
        for (const a of args) this.release(a);
        return;
      }
      case "bvar": {
        const v = env.get(b.id);
        if (v === undefined) throw new IselError(`internal: unbound ${b.id}`);
        this.emit(`${when ? "cbnz" : "cbz"} x${v.reg}, ${target}`);
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
      this.emit(`${bitSet === when ? "tbnz" : "tbz"} x${src.reg}, #${b.a.lo}, ${target}`);
      this.release(src);
      return;
    }
    const a = this.bv(b.a, env);
    if (k !== undefined && isArithmeticImmediate(k)) this.emit(`cmp x${a.reg}, #0x${k.toString(16)}`);
    else {
      const c = this.bv(b.b, env);
      this.emit(`cmp x${a.reg}, x${c.reg}`);
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
    b.values.forEach((v, i) => {
      const fitsImmediate = i === 0 ? isArithmeticImmediate(v) : isConditionalCompareImmediate(v);
      let operand = `#0x${v.toString(16)}`;
      let temp: number | undefined;
      if (!fitsImmediate) {
        temp = this.alloc();
        for (const insn of materialise(`x${temp}`, v)) this.emit(insn);
        operand = `x${temp}`;
      }
      this.emit(i === 0 ? `cmp x${a.reg}, ${operand}` : `ccmp x${a.reg}, ${operand}, #4, ne`);
      if (temp !== undefined) this.free.add(temp);
    });
    this.release(a);
    this.emit(`b.${when ? "eq" : "ne"} ${target}`);
  }

  // ------------------------------------------------------------ statements and outcomes

  private block(b: I.Block, outer: Env): void {
    const env: Env = new Map(outer);
    const owned: number[] = [];
    for (const s of b.stmts) {
      this.comment(`${s.kind === "record" ? `record ${s.field}` : `let ${s.id}`}: ${this.where(s.origin)}`);
      switch (s.kind) {
        case "let": {
          const v = this.bv(s.value, env);
          const reg = v.owned ? v.reg : this.copy(v.reg);
          env.set(s.id, { reg, width: widthOf(s.value) });
          owned.push(reg);
          break;
        }
        case "letBool": {
          const reg = this.alloc();
          const skip = this.label();
          this.emit(`mov x${reg}, #0`);
          this.branch(s.value, env, skip, false);
          this.emit(`mov x${reg}, #1`);
          this.place(skip);
          env.set(s.id, { reg, width: 1 });
          owned.push(reg);
          break;
        }
        case "at": {
          const reg = this.at(s, env);
          env.set(s.id, { reg, width: 64 });
          owned.push(reg);
          break;
        }
        case "record": {
          const f = this.h.record.fields.find((x) => x.name === s.field);
          if (f === undefined) throw new IselError(`internal: no field ${s.field}`);
          const v = this.bv(s.value, env);
          const vcpu = this.alloc();
          this.emit(`mrs x${vcpu}, tpidr_el2`);
          this.emit(`str ${f.size === 4 ? "w" : "x"}${v.reg}, [x${vcpu}, #0x${f.offset.toString(16)}]`);
          this.free.add(vcpu);
          this.release(v);
          break;
        }
      }
    }
    this.terminator(b.end, env);
    for (const r of owned) this.free.add(r);
  }

  private copy(reg: number): number {
    const d = this.alloc();
    this.emit(`mov x${d}, x${reg}`);
    return d;
  }

  private at(s: Extract<I.Stmt, { kind: "at" }>, env: Env): number {
    const va = this.bv(s.address, env);
    const scratch = this.alloc();
    if (s.preserve) {
      this.comment("preserve the guest's PAR_EL1 across AT");
      this.emit(`mrs x${scratch}, par_el1`);
      this.emit(`stp x${scratch}, xzr, [sp, #-16]!`);
    }
    if (s.op.alternative === undefined) this.emit(`at ${s.op.base.toLowerCase()}, x${va.reg}`);
    else {
      this.out.push(`alternative_if_not ${asmCapability(s.op.alternative.capability)}`);
      this.emit(`at ${s.op.base.toLowerCase()}, x${va.reg}`);
      this.out.push("alternative_else");
      this.emit(`at ${s.op.alternative.op.toLowerCase()}, x${va.reg}`);
      this.out.push("alternative_endif");
    }
    this.emit("isb");
    this.release(va);
    const par = this.alloc();
    this.emit(`mrs x${par}, par_el1`);
    if (s.preserve) {
      this.emit(`ldp x${scratch}, xzr, [sp], #16`);
      this.emit(`msr par_el1, x${scratch}`);
    }
    this.free.add(scratch);
    return par;
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
        const snapshot = new Set(this.free);
        t.rules.forEach((r, i) => {
          this.free = new Set(snapshot);
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
        this.free = snapshot;
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
