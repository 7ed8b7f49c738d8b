// The assembler: parse once (parseProgram), load per capability set (loadProgram).
export { parseProgram, DEFAULT_EXTERNALS, type ParseOptions } from "./parser.ts";
export { loadProgram, type LoadedProgram, type LoadedInstruction, type ParsedProgram } from "./program.ts";
export { AsmError, formatLocation, type SourceLocation } from "./errors.ts";
export { BUILTIN_CONSTANTS } from "./constants.ts";
