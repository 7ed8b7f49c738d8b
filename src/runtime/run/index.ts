// Running fault handlers on scenarios: the HandlerTarget interface, the assembly and function
// targets, and the JSON form of results. Naming and opening targets is src/sides's job.
export { HandlerRunError, type HandlerTarget, type Outcome, type RecordLayout, type RunOptions, type RunResult, type TraceEntry } from "./types.ts";
export { EXTERNAL_HANDLER_NAMES, externalHandlerName } from "./outcomes.ts";
export { KVM_2016_RECORD_LAYOUT, readRecord } from "./layout.ts";
export { AssemblyTarget, DEFAULT_ENTRY, type AssemblyTargetOptions } from "./assembly-target.ts";
export { CALLEE_SAVED, CALLER_RETURN_ADDRESS, FunctionCallTarget, unmappedReturn, type CallInputs, type FixedCapability, type FunctionCall } from "./function-call-target.ts";
export { FunctionTarget, type FunctionOrigin, type HandlerFunction } from "./function-target.ts";
export { runResultToJson, traceEntryToJson } from "./json.ts";
