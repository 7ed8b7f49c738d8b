// A side: one handler, however it is written (a rule file's variant, an assembly file, a bundled
// reference, a function in an object file), opened once and seen two ways:
//   - concretely, as a HandlerTarget that runs a scenario on the machine model (`faultc run`,
//     counterexample replay, the sweep);
//   - symbolically, as what the equivalence checker explores: machine code (a program loaded
//     per capability set, and its entry) or a function over HypApi (run on a symbolic HypApi).
// Everything that consumes sides (src/equiv, src/cli) sees only this interface.
import type { IrBinding, IrContract, IrModule } from "../codegen/ir/types.ts";
import type { LoadedProgram } from "../runtime/asm/program.ts";
import type { HypApi, Outcome } from "../runtime/hyp/api.ts";
import type { FixedCapability, FunctionCall } from "../runtime/run/function-call-target.ts";
import type { FunctionOrigin } from "../runtime/run/function-target.ts";
import type { HandlerTarget, RecordLayout } from "../runtime/run/types.ts";
import type { SideKind, SideName } from "./name.ts";

/** Machine code: instructions the model's semantics execute, from `entry`. */
export interface MachineCodeView {
  readonly kind: "machine-code";
  /** The program with its alternatives patched for `caps` (the same one the concrete run uses). */
  load(caps: Iterable<string>): LoadedProgram;
  /** The label execution starts at. */
  readonly entry: string;
  /**
   * For a function (PATH.o:SYMBOL): how its caller calls it (argument registers from the inputs,
   * where it is called) and what its returned value means. Absent for code entered at the vector.
   */
  readonly call?: FunctionCall;
}

/** A function over HypApi, generic over the bit-vector domain, so that it runs on symbolic values too. */
export interface FunctionView {
  readonly kind: "function";
  readonly fn: <V, B>(h: HypApi<V, B>) => Outcome;
  /** Where its code is, for located errors: the file and the line it starts at. */
  readonly origin: FunctionOrigin;
}

export type SymbolicView = MachineCodeView | FunctionView;

export interface Side {
  /** The name as the user wrote it (reports and replay commands repeat it). */
  readonly label: string;
  readonly kind: SideKind;
  readonly name: SideName;
  /** The fault record in the vcpu structure: field -> offset, size. */
  readonly layout: RecordLayout;
  /** Every capability its code tests, sorted. */
  readonly capabilities: readonly string[];
  /**
   * For a rule file's variant: the lowered module, and the handler's contract if it has one. For an
   * object function: its binding's module, and the contract of the handler the binding is for.
   */
  readonly module?: IrModule;
  readonly contract?: IrContract;
  /**
   * Capabilities present or absent wherever this code runs, whatever the scenario: from how it was
   * built (VHE or nVHE hyp code) and documented defaults. Proofs enumerate only combinations that
   * agree with them.
   */
  readonly fixedCapabilities?: ReadonlyMap<string, FixedCapability & { readonly kind: "build" | "default" }>;
  /** For an object function: the binding that says how it does a handler's work. */
  readonly binding?: BindingUsed;
  /** What a report says of the side besides its results (e.g. exception fixups a run never takes). */
  readonly notes?: readonly string[];
  /** The side as a run target on the machine model. */
  concrete(): HandlerTarget;
  readonly symbolic: SymbolicView;
}

/** The binding an object function was opened with, as reports name it. */
export interface BindingUsed {
  readonly symbol: string;
  readonly handler: string;
  /** The rule file and line of the `binding` declaration. */
  readonly file: string;
  readonly line: number;
  /** Its `kernel "..."`, and the object's kernel release (undefined outside a build tree). */
  readonly kernel: string | undefined;
  readonly release: string | undefined;
  /** Its `when` as written, or undefined: every input. */
  readonly when: string | undefined;
  /** The C struct behind the record pointer and the file whose DWARF gave its layout. */
  readonly struct?: { readonly name: string; readonly from: string };
}

/** One rule file's binding, with the module its expressions' functions and predicates are in. */
export interface BindingCandidate {
  readonly binding: IrBinding;
  readonly module: IrModule;
}

/** Options of opening a side. */
export interface OpenOptions {
  /** Entry label of an assembly file (default el1_sync); other kinds refuse it. */
  entry?: string;
  /** For an object function: the bindings to choose from (`--binding FILE.fault`), and only these. */
  bindings?: readonly BindingCandidate[];
  /**
   * For an object function: the bindings of the rule file it is compared with, preferred to the
   * bundled rule files' when one of them fits the object; other kinds ignore them.
   */
  peerBindings?: readonly BindingCandidate[];
}
