// The symbols a rule file can name, collected from its own declarations and those of the
// files it imports directly.
import type * as A from "../ast.ts";
import type { EnumSymbol, LayoutSymbol, Ty } from "./types.ts";

export type GlobalSymbol =
  | EnumSymbol
  | LayoutSymbol
  | { kind: "sysreg"; name: string; decl: A.SysregDecl; file: string; type: Ty }
  | { kind: "capability"; name: string; decl: A.CapabilityDecl; file: string }
  | { kind: "exitcode"; name: string; decl: A.ExitCodeDecl; file: string; value: bigint }
  | { kind: "external"; name: string; decl: A.ExternalDecl; file: string }
  | RecordSymbol
  | { kind: "const"; name: string; decl: A.ConstDecl; file: string; type: Ty; value?: bigint }
  | { kind: "pred"; name: string; decl: A.PredDecl; file: string }
  | { kind: "fn"; name: string; decl: A.FnDecl; file: string }
  | { kind: "handler"; name: string; decl: A.HandlerDecl; file: string };

export interface RecordSymbol {
  kind: "recordDecl";
  name: string;
  decl: A.RecordDecl;
  file: string;
  fields: Map<string, { name: string; type: Ty; decl: A.RecordField }>;
}

export function declName(d: A.Decl): A.Name | undefined {
  switch (d.kind) {
    case "import":
    case "source":
    case "contract":
    case "binding":
    case "variant":
    case "erratum":
      return undefined;
    default:
      return d.name;
  }
}

/** Words of the kind each symbol is, for messages: "capability ARM64_..." */
export function kindWord(s: GlobalSymbol): string {
  switch (s.kind) {
    case "recordDecl":
      return "record";
    case "pred":
      return "predicate";
    case "fn":
      return "function";
    case "exitcode":
      return "exit code";
    case "external":
      return "external handler";
    case "sysreg":
      return "system register";
    default:
      return s.kind;
  }
}

/** The kind word with its article: "an exit code", "a record". */
export function aKind(s: GlobalSymbol): string {
  const w = kindWord(s);
  return /^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`;
}
