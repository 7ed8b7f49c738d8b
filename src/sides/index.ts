// Sides: every kind of handler faultc can name, open, run on the model and explore symbolically.
export { openAssemblySource } from "./assembly.ts";
export { bindingsFromFile, bindingsOf } from "./binding.ts";
export { SideError } from "./errors.ts";
export { KIND_DESCRIPTIONS, parseSideName, type SideKind, type SideName } from "./name.ts";
export { openSide } from "./open.ts";
export { REFERENCES, type Reference } from "./reference.ts";
export type { BindingCandidate, BindingUsed, FunctionView, MachineCodeView, OpenOptions, Side, SymbolicView } from "./side.ts";
