// The one typed IR every backend reads. It is made from a checked rule file by lower.ts and
// is independent of the syntax: layouts, enums and constants are gone (fields are bit
// extractions, members are constants), every bit-vector carries its width, capability tests
// are their own kind of condition (decided when the kernel patches itself, not at run time),
// and every statement knows the rule and line it came from.
import type { AtOperationName } from "../../runtime/semantics/at-operations.ts";

/** Where a piece of IR came from: the rule file, the line and column it starts at, and the innermost rule. */
export interface Origin {
  file: string;
  line: number;
  /** 1-based, as in diagnostics (decision graphs name their nodes' places by line:column). */
  column: number;
  rule: string | undefined;
}

/** A system register read, possibly patched to another encoding on CPUs with a capability. */
export interface SysregChoice {
  base: string;
  alternative: { capability: string; register: string } | undefined;
}

/** S1E1R, ..., S12E0W: the members of dsl/arch's enum AtOperation, which the checker has matched. */
export type AtOp = AtOperationName;
export interface AtChoice {
  base: AtOp;
  alternative: { capability: string; op: AtOp } | undefined;
}

export type BvExpr =
  | { op: "const"; width: number; value: bigint }
  | { op: "sysreg"; width: number; reg: SysregChoice }
  | { op: "var"; width: number; id: string }
  | { op: "not" | "neg"; width: number; a: BvExpr }
  | { op: "and" | "or" | "xor" | "add" | "sub"; width: number; a: BvExpr; b: BvExpr }
  /** Shifts by a constant amount, 0 <= amount < width. */
  | { op: "shl" | "lshr"; width: number; a: BvExpr; amount: number }
  /** Bits [lo + width - 1 : lo] of `a`. */
  | { op: "extract"; width: number; a: BvExpr; lo: number }
  | { op: "zext" | "sext"; width: number; a: BvExpr }
  | { op: "call"; width: number; fn: string; args: BvExpr[] }
  /** Contracts only: a system register's value when the handler starts. */
  | { op: "input"; width: number; reg: string }
  /** Contracts only: a recorded field's value when the handler ends. */
  | { op: "field"; width: number; name: string };

export type CmpOp = "eq" | "ne" | "ult" | "ule" | "ugt" | "uge";

export type BoolExpr =
  | { op: "true" }
  | { op: "false" }
  /** A capability: true on CPUs where the kernel patched itself for it. */
  | { op: "cap"; name: string }
  | { op: "cmp"; cmp: CmpOp; a: BvExpr; b: BvExpr }
  /** `a` is one of `values` (each fits a's width); kept as a set so backends can chain compares. */
  | { op: "in"; a: BvExpr; values: bigint[] }
  | { op: "not"; a: BoolExpr }
  | { op: "and" | "or"; a: BoolExpr; b: BoolExpr }
  | { op: "pred"; name: string; args: BvExpr[] }
  | { op: "bvar"; id: string };

export type Stmt =
  | { kind: "let"; id: string; value: BvExpr; origin: Origin }
  | { kind: "letBool"; id: string; value: BoolExpr; origin: Origin }
  /** Address translation: PAR_EL1 after `op` on `address` is bound to `id`; with `preserve`,
   * the guest's PAR_EL1 is saved before and restored after. */
  | { kind: "at"; id: string; op: AtChoice; address: BvExpr; preserve: boolean; origin: Origin }
  | { kind: "record"; field: string; value: BvExpr; origin: Origin };

export type Terminator =
  | { kind: "exit"; code: bigint; name: string; origin: Origin }
  | { kind: "retry"; origin: Origin }
  | { kind: "handoff"; target: string; origin: Origin }
  /** Ordered rules: the first whose guard holds runs; the last has no guard or the rules are exhaustive. */
  | { kind: "decide"; rules: IrRule[]; exhaustive: boolean; origin: Origin };

export interface IrRule {
  name: string;
  /** undefined for `otherwise`. */
  guard: BoolExpr | undefined;
  body: Block;
  origin: Origin;
}

export interface Block {
  stmts: Stmt[];
  end: Terminator;
}

export interface IrParam {
  id: string;
  width: number;
}

export interface IrFunction {
  name: string;
  params: IrParam[];
  width: number;
  body: BvExpr;
  origin: Origin;
}

export interface IrPredicate {
  name: string;
  params: IrParam[];
  body: BoolExpr;
  origin: Origin;
}

/** A recorded field and where it lives in the vcpu structure (C layout: u32 or u64). */
export interface IrRecordField {
  name: string;
  width: number;
  /** Bytes from the start of the vcpu structure. */
  offset: number;
  /** 4 or 8: the C type's size (u32, u64). */
  size: 4 | 8;
}

export interface IrRecord {
  name: string;
  fields: IrRecordField[];
}

export type IrOutcome =
  | { kind: "exit"; code: bigint; name: string }
  | { kind: "retry" }
  | { kind: "handoff"; target: string };

export interface IrContract {
  assumptions: BoolExpr[];
  /** Outcomes listed here observe exactly these fields; others observe every field. */
  clauses: { outcome: IrOutcome; fields: { name: string; when: BoolExpr | undefined }[] }[];
  /** The contract as written, for printing with verdicts. */
  text: string;
}

export interface IrHandler {
  name: string;
  record: IrRecord;
  body: Block;
  contract: IrContract | undefined;
  /** Every capability the handler's code depends on, sorted. */
  capabilities: string[];
  /** Every system register the handler may read, sorted (either side of an alternative). */
  sysregs: string[];
  origin: Origin;
}

/**
 * `binding SYMBOL for HANDLER { ... }`: how a compiled function (`OBJ.o:SYMBOL`) holds a part of a
 * handler's work, so that the function can be a side of `faultc run` and `faultc equiv` against
 * the handler. The function is called on the inputs `when` holds (its callers' condition; every
 * input when absent) with argument registers set from the trap's inputs, writes the record fields
 * `record.fields` into the C struct `record.struct` behind a pointer argument, and returns a value
 * that `returns` maps to the handler's outcomes.
 */
export interface IrBinding {
  /** The function's symbol in the object. */
  symbol: string;
  /** The handler whose work it does. */
  handler: string;
  /** `kernel "6.12"`: binds objects of build trees whose kernel release starts with this; undefined: any. */
  kernel: string | undefined;
  /** The inputs the function is called on: a condition over system registers at the trap and capabilities. */
  when: BoolExpr | undefined;
  /** Argument registers at entry, in register order. */
  args: IrBindingArg[];
  /** The struct behind the record pointer argument and the fields the function writes. */
  record: { struct: string; fields: string[] } | undefined;
  /** The return register (x0 or w0) and each value's outcome; any other value is a difference. */
  returns: { width: 32 | 64; cases: { value: bigint; outcome: IrOutcome }[] };
  origin: Origin;
}

/** One argument register: `xN = EXPR` (a 64-bit value over the trap's inputs) or `xN = &record`. */
export type IrBindingArg = { reg: number; kind: "value"; value: BvExpr } | { reg: number; kind: "record" };

export interface IrModule {
  /** The rule file, as given to the compiler. */
  file: string;
  /** The base name used for generated files: `kvm-2016` for dsl/kvm-2016.fault. */
  name: string;
  /** SHA-256 of the rule file and everything it imports, and of the compiler's version. */
  inputHash: string;
  sources: string[];
  functions: IrFunction[];
  predicates: IrPredicate[];
  handlers: IrHandler[];
  /** How compiled functions hold the handlers' work (`binding` declarations), in file order. */
  bindings: IrBinding[];
  /** Every exit code the handlers can use, by name. */
  exitCodes: { name: string; value: bigint }[];
  /** Every external handler the handlers can hand over to. */
  externals: string[];
}

/** The vcpu structure's fault record starts here (faultc's vcpu layout, src/runtime/machine/vcpu-layout.ts). */
export const RECORD_BASE = 0x40;
