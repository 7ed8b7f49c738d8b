// The names of sides, as `faultc run TARGET` and `faultc equiv A B` take them, parsed into one
// value per kind. Only the form is checked here; whether the file, handler or reference exists
// is the opener's question (open.ts).
//
//   FILE.fault#c[:HANDLER]    a rule file's C-like variant
//   FILE.fault#asm[:HANDLER]  a rule file's asm-like variant
//   FILE.S, FILE.s            an assembly file
//   ref:NAME                  a bundled reference
//   PATH.o:SYMBOL, PATH.ko:SYMBOL  a function in an object file
import { SideError } from "./errors.ts";

export type RuleFileName = { kind: "rule-file"; file: string; variant: "c" | "asm"; handler: string | undefined };
export type AssemblyName = { kind: "assembly"; file: string };
export type ReferenceName = { kind: "reference"; name: string };
export type ObjectName = { kind: "object"; file: string; symbol: string };

export type SideName = RuleFileName | AssemblyName | ReferenceName | ObjectName;
export type SideKind = SideName["kind"];

/** How messages describe each kind's names, in the order they are listed. */
export const KIND_DESCRIPTIONS: Readonly<Record<SideKind, string>> = {
  assembly: "an assembly file (.S or .s)",
  "rule-file": "a rule file's variant (FILE.fault#c or FILE.fault#asm, optionally :HANDLER)",
  reference: "a reference (ref:NAME)",
  object: "a function in an object file (PATH.o:SYMBOL or PATH.ko:SYMBOL)",
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The side `spec` names, or undefined when it has the form of no kind. Throws SideError.usage for a malformed name of a known kind. */
export function parseSideName(spec: string): SideName | undefined {
  const rule = /^(.+\.fault)(?:#(.*))?$/.exec(spec);
  if (rule !== null) {
    const m = /^(c|asm)(?::(.*))?$/.exec(rule[2] ?? "");
    if (m === null || (m[2] !== undefined && !IDENTIFIER.test(m[2]))) {
      throw SideError.usage(`'${spec}': a rule-file target is FILE.fault#c or FILE.fault#asm, optionally followed by :HANDLER`);
    }
    return { kind: "rule-file", file: rule[1], variant: m[1] as "c" | "asm", handler: m[2] };
  }
  if (/\.[sS]$/.test(spec)) return { kind: "assembly", file: spec };
  if (spec.startsWith("ref:")) return { kind: "reference", name: spec.slice(4) };
  const obj = /^(.+\.k?o):(.*)$/.exec(spec);
  if (obj !== null) {
    if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(obj[2])) throw SideError.usage(`'${spec}': an object-file target is PATH.o:SYMBOL or PATH.ko:SYMBOL, SYMBOL a function's symbol name`);
    return { kind: "object", file: obj[1], symbol: obj[2] };
  }
  return undefined;
}
