// The abstract syntax tree of a rule file. Every node carries the source range it was built
// from, so that every diagnostic, and every generated statement, points back to the rule text.

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units as editors do. */
  column: number;
  /** 0-based offset into the text. */
  offset: number;
}

export interface Range {
  start: Position;
  /** Exclusive end. */
  end: Position;
}

interface NodeBase {
  range: Range;
}

export interface Name extends NodeBase {
  text: string;
}

// ---------------------------------------------------------------- types

/** `64` (a plain bit-vector of that width) or `ESR` (a layout, an enum or a record). */
export type TypeRef =
  | ({ kind: "bitsType"; width: number } & NodeBase)
  | ({ kind: "namedType"; name: Name } & NodeBase);

// ---------------------------------------------------------------- expressions

export type Expr =
  | IntLiteral
  | BoolLiteral
  | NameRef
  | FieldAccess
  | SliceExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | InExpr
  | ReadExpr
  | AtExpr;

export interface IntLiteral extends NodeBase {
  kind: "int";
  value: bigint;
  /** The literal as written, for messages. */
  text: string;
}
export interface BoolLiteral extends NodeBase {
  kind: "bool";
  value: boolean;
}
export interface NameRef extends NodeBase {
  kind: "name";
  name: Name;
}
export interface FieldAccess extends NodeBase {
  kind: "field";
  target: Expr;
  field: Name;
}
/** `e[hi:lo]`, `e[bit]`, and the level of an enum family `TRANS[-1]`. */
export interface SliceExpr extends NodeBase {
  kind: "slice";
  target: Expr;
  hi: SignedInt;
  lo: SignedInt | undefined;
}
export interface SignedInt extends NodeBase {
  value: number;
}
export interface CallExpr extends NodeBase {
  kind: "call";
  callee: Name;
  args: Expr[];
}
export type UnaryOp = "!" | "~" | "-";
export interface UnaryExpr extends NodeBase {
  kind: "unary";
  op: UnaryOp;
  operand: Expr;
}
export type BinaryOp =
  | "||" | "&&"
  | "==" | "!=" | "<" | "<=" | ">" | ">="
  | "|" | "^" | "&"
  | "<<" | ">>"
  | "+" | "-";
export interface BinaryExpr extends NodeBase {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}
/** `e in {a, b}`, `e in FAMILY`, `e not in {...}`. */
export interface InExpr extends NodeBase {
  kind: "in";
  negated: boolean;
  operand: Expr;
  set: SetExpr;
}
export type SetExpr =
  | ({ kind: "setLiteral"; elements: Expr[] } & NodeBase)
  | ({ kind: "setName"; name: Name } & NodeBase);

/** A register or instruction chosen at patch time: `ESR_EL2 or ESR_EL1 when ARM64_HAS_VIRT_HOST_EXTN`. */
export interface Alternative extends NodeBase {
  base: Name;
  replacement: { name: Name; capability: Name } | undefined;
}
/** `read ESR_EL2 or ESR_EL1 when ARM64_HAS_VIRT_HOST_EXTN`: a system-register read. */
export interface ReadExpr extends NodeBase {
  kind: "read";
  register: Alternative;
}
/** `at S1E1R(far) preserving PAR_EL1`: the result is the PAR_EL1 value the translation produced. */
export interface AtExpr extends NodeBase {
  kind: "at";
  op: Alternative;
  address: Expr;
  preserving: Name | undefined;
}

// ---------------------------------------------------------------- statements

export type Stmt = LetStmt | RecordStmt | RulesStmt | OutcomeStmt;

export interface LetStmt extends NodeBase {
  kind: "let";
  name: Name;
  type: TypeRef | undefined;
  value: Expr;
}
export interface RecordStmt extends NodeBase {
  kind: "record";
  field: Name;
  value: Expr;
}
export interface RulesStmt extends NodeBase {
  kind: "rules";
  rules: Rule[];
}
export interface Rule extends NodeBase {
  name: Name;
  /** undefined for `otherwise`. */
  guard: Expr | undefined;
  body: Stmt[];
}
export type Outcome =
  | ({ kind: "exit"; code: Name } & NodeBase)
  | ({ kind: "retry" } & NodeBase)
  | ({ kind: "handoff"; target: Name } & NodeBase);
export interface OutcomeStmt extends NodeBase {
  kind: "outcome";
  outcome: Outcome;
}

// ---------------------------------------------------------------- declarations

export type Decl =
  | ImportDecl
  | SourceDecl
  | EnumDecl
  | LayoutDecl
  | SysregDecl
  | CapabilityDecl
  | ExitCodeDecl
  | ExternalDecl
  | RecordDecl
  | ConstDecl
  | PredDecl
  | FnDecl
  | HandlerDecl
  | ContractDecl
  | BindingDecl
  | VariantDecl
  | ErratumDecl;

export interface ImportDecl extends NodeBase {
  kind: "import";
  path: StringValue;
}
export interface StringValue extends NodeBase {
  value: string;
}
export interface SourceDecl extends NodeBase {
  kind: "source";
  text: StringValue;
}
export interface EnumDecl extends NodeBase {
  kind: "enum";
  name: Name;
  width: SignedInt;
  members: EnumMember[];
}
/** `PERM level 0..3 = 0x0C;` or `SEA = 0x10;`. */
export interface EnumMember extends NodeBase {
  name: Name;
  value: IntLiteral | undefined;
  levels: LevelSpec[];
  /** `SEA = 0x10 "synchronous external abort";`: what the value means, for decoders and docs. */
  meaning: StringValue | undefined;
}
/** `level 0..3 = 0x04`: level n has the value 0x04 + (n - 0); `level -1 = 0x2B`. */
export interface LevelSpec extends NodeBase {
  from: SignedInt;
  to: SignedInt;
  value: IntLiteral;
}
export interface LayoutDecl extends NodeBase {
  kind: "layout";
  name: Name;
  width: SignedInt;
  fields: LayoutField[];
}
export interface LayoutField extends NodeBase {
  name: Name;
  hi: SignedInt;
  lo: SignedInt;
  /** An enum giving the field's named values. */
  values: Name | undefined;
  /** `ISV [24] "instruction syndrome valid";`: what the field is, for decoders and docs. */
  meaning: StringValue | undefined;
}
export interface SysregDecl extends NodeBase {
  kind: "sysreg";
  name: Name;
  type: TypeRef;
}
export interface CapabilityDecl extends NodeBase {
  kind: "capability";
  name: Name;
}
export interface ExitCodeDecl extends NodeBase {
  kind: "exitcode";
  name: Name;
  value: IntLiteral;
}
export interface ExternalDecl extends NodeBase {
  kind: "external";
  name: Name;
}
export interface RecordDecl extends NodeBase {
  kind: "recordDecl";
  name: Name;
  fields: RecordField[];
}
export interface RecordField extends NodeBase {
  name: Name;
  type: TypeRef;
}
export interface ConstDecl extends NodeBase {
  kind: "const";
  name: Name;
  type: TypeRef | undefined;
  value: Expr;
}
export interface Param extends NodeBase {
  name: Name;
  type: TypeRef;
}
export interface PredDecl extends NodeBase {
  kind: "pred";
  name: Name;
  params: Param[];
  body: Expr;
}
export interface FnDecl extends NodeBase {
  kind: "fn";
  name: Name;
  params: Param[];
  result: TypeRef;
  body: Expr;
}
export interface HandlerDecl extends NodeBase {
  kind: "handler";
  name: Name;
  record: Name;
  body: Stmt[];
}
export interface ContractDecl extends NodeBase {
  kind: "contract";
  handler: Name;
  assumptions: Expr[];
  clauses: ObserveClause[];
}
/** `on exit ARM_EXCEPTION_TRAP { esr_el2; far_el2 when ...; }`: the fields meaningful for that outcome. */
export interface ObserveClause extends NodeBase {
  outcome: Outcome;
  fields: ObservedField[];
}
export interface ObservedField extends NodeBase {
  field: Name;
  condition: Expr | undefined;
}

/**
 * `binding SYMBOL for HANDLER { ... }`: how a compiled function does a handler's work. Its
 * items: `kernel "6.12";`, `when COND;`, `xN = EXPR;`, `xN = &STRUCT { field, ... };` and
 * `return wN { VALUE: OUTCOME; ... }`. `for`, `kernel` and `return` are words of the binding
 * only (not reserved elsewhere); the checker says when one is misspelt.
 */
export interface BindingDecl extends NodeBase {
  kind: "binding";
  symbol: Name;
  /** The word between the symbol and the handler; must be `for`. */
  forWord: Name;
  handler: Name;
  items: BindingItem[];
}
export type BindingItem = BindingKernel | BindingWhen | BindingValueArg | BindingRecordArg | BindingReturn;
export interface BindingKernel extends NodeBase {
  kind: "kernel";
  /** Must be `kernel`. */
  word: Name;
  release: StringValue;
}
export interface BindingWhen extends NodeBase {
  kind: "when";
  condition: Expr;
}
/** `x0 = ESR_EL2;`: the register holds this value (over the trap's inputs) at entry. */
export interface BindingValueArg extends NodeBase {
  kind: "valueArg";
  reg: Name;
  value: Expr;
}
/** `x1 = &kvm_vcpu_fault_info { far_el2, hpfar_el2 };`: the register points at the record, as that C struct. */
export interface BindingRecordArg extends NodeBase {
  kind: "recordArg";
  reg: Name;
  struct: Name;
  fields: Name[];
}
export interface BindingReturn extends NodeBase {
  kind: "return";
  /** Must be `return`. */
  word: Name;
  reg: Name;
  cases: BindingReturnCase[];
}
export interface BindingReturnCase extends NodeBase {
  value: IntLiteral;
  outcome: Outcome;
}

/**
 * `variant ESR.ISS on EC { DABT_LOW, DABT_CUR : DataAbortISS; }`: the field `ISS` of layout
 * `ESR` has the layout (or the enum) `DataAbortISS` when the field `EC` holds one of the listed
 * members of its enum. `variant PAR on F { ... }` gives the whole layout another layout (of its
 * width) for each value. Data for decoders; rules never read it.
 */
export interface VariantDecl extends NodeBase {
  kind: "variant";
  layout: Name;
  /** undefined: the variant is of the whole layout. */
  field: Name | undefined;
  selector: Name;
  cases: VariantCase[];
}
export interface VariantCase extends NodeBase {
  members: Name[];
  target: Name;
}

/**
 * `erratum 834220 : ARM64_WORKAROUND_834220 "citation" { ArmPart.CORTEX_A57 r0p0..r1p2; }`: the
 * parts and revisions (MIDR variant and revision, inclusive) a capability's erratum affects.
 */
export interface ErratumDecl extends NodeBase {
  kind: "erratum";
  number: IntLiteral;
  capability: Name;
  citation: StringValue | undefined;
  ranges: ErratumRange[];
}
export interface ErratumRange extends NodeBase {
  partEnum: Name;
  part: Name;
  /** `r0p0`, `r1p2`: words checked as revisions by the checker. */
  from: Name;
  to: Name;
}

export interface RuleFile {
  /** Path as given by the user or resolved from an import. */
  path: string;
  decls: Decl[];
  range: Range;
}
