// Running fault handlers on scenarios: the HandlerTarget interface, the assembly target, the target
// registry `faultc run` resolves names with, and the JSON form of results.
export { HandlerRunError, type HandlerTarget, type Outcome, type RecordLayout, type RunOptions, type RunResult, type TraceEntry } from "./types.ts";
export { EXTERNAL_HANDLER_NAMES, externalHandlerName } from "./outcomes.ts";
export { KVM_2016_RECORD_LAYOUT } from "./layout.ts";
export { AssemblyTarget, DEFAULT_ENTRY, type AssemblyTargetOptions } from "./assembly-target.ts";
export { TargetNameError, assemblyTargetKind, registerTargetKind, resolveTarget, targetKinds, unregisterTargetKind, type TargetKind, type TargetOpenOptions } from "./targets.ts";
export { runResultToJson, traceEntryToJson } from "./json.ts";
