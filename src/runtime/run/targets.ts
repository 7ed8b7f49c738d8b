// Resolution of a TARGET name (`faultc run TARGET`) to a HandlerTarget, through a small registry of
// target kinds. Assembly files (.S, .s) are built in; code generation registers rule-file targets
// (`x.fault#c`, `x.fault#asm`) with registerTargetKind. Until then those names resolve to a
// TargetNameError saying so.
import { AssemblyTarget } from "./assembly-target.ts";
import type { HandlerTarget } from "./types.ts";

export interface TargetOpenOptions {
  /** Entry label of an assembly target (a kind without entry points rejects it with TargetNameError). */
  entry?: string;
}

export interface TargetKind {
  /** Short name for messages (e.g. "assembly"). */
  readonly name: string;
  /** Whether this kind handles the target name. */
  matches(target: string): boolean;
  /** Builds the target; may throw AsmError (bad input) or TargetNameError (bad name). */
  open(target: string, options?: TargetOpenOptions): HandlerTarget | Promise<HandlerTarget>;
}

/** The target name is not one any registered kind accepts (a usage error). */
export class TargetNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetNameError";
  }
}

export const assemblyTargetKind: TargetKind = {
  name: "assembly",
  matches: (t) => /\.[sS]$/.test(t),
  open: (t, options = {}) => AssemblyTarget.fromFile(t, options.entry !== undefined ? { entry: options.entry } : {}),
};

/** Placeholder for rule files until code generation registers the real kinds ahead of it. */
const ruleFilePending: TargetKind = {
  name: "rule file",
  matches: (t) => /\.fault(#.*)?$/.test(t),
  open: (t) => {
    throw new TargetNameError(`'${t}': rule-file targets (x.fault#c, x.fault#asm) come with code generation; for now TARGET is an assembly file (.S or .s)`);
  },
};

const kinds: TargetKind[] = [assemblyTargetKind, ruleFilePending];

/** Adds a target kind; it is tried before the ones already registered. */
export function registerTargetKind(kind: TargetKind): void {
  const existing = kinds.findIndex((k) => k.name === kind.name);
  if (existing >= 0) kinds.splice(existing, 1);
  kinds.unshift(kind);
}

/** Removes the kind of that name; false when there is none. */
export function unregisterTargetKind(name: string): boolean {
  const existing = kinds.findIndex((k) => k.name === name);
  if (existing < 0) return false;
  kinds.splice(existing, 1);
  return true;
}

export function targetKinds(): readonly TargetKind[] {
  return kinds;
}

export async function resolveTarget(target: string, options: TargetOpenOptions = {}): Promise<HandlerTarget> {
  const kind = kinds.find((k) => k.matches(target));
  if (kind === undefined) {
    throw new TargetNameError(`'${target}' is not a target: expected an assembly file (.S or .s), a rule file's variant (FILE.fault#c or FILE.fault#asm, optionally :HANDLER) or a reference (ref:NAME)`);
  }
  return await kind.open(target, options);
}
