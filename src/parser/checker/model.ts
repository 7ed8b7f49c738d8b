// What the checker learns about a file, kept for lowering: the type of every expression and
// what every name refers to. Lowering reads this model; it never re-resolves names itself.
import type * as A from "../ast.ts";
import type { GlobalSymbol } from "./symbols.ts";
import type { Ty } from "./types.ts";

export type Resolution =
  | { kind: "local"; name: string; decl: A.LetStmt | A.Param }
  | { kind: "global"; symbol: GlobalSymbol }
  | { kind: "enumValue"; value: bigint; enumName: string; member: string; level: number | null }
  | { kind: "family"; values: bigint[]; enumName: string; member: string }
  /** In a contract: a system register's value when the handler starts. */
  | { kind: "sysregInput"; symbol: Extract<GlobalSymbol, { kind: "sysreg" }> }
  /** In a contract: a recorded field's value when the handler ends. */
  | { kind: "recordField"; field: string };

export interface SemanticModel {
  types: Map<A.Expr, Ty>;
  resolutions: Map<A.Expr, Resolution>;
  /** The values of each `in` set whose elements are all constants. */
  setValues: Map<A.InExpr, bigint[]>;
  /** Integer constants that took a width from their context, with their values. */
  constants: Map<A.Expr, bigint>;
}

export function emptyModel(): SemanticModel {
  return { types: new Map(), resolutions: new Map(), setValues: new Map(), constants: new Map() };
}
