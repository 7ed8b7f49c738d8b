// The bundled rule files' IR as data the page embeds: JSON, with each bigint (constants, exit codes,
// set members) as {"bigint":"0x..."}, which no other IR value is (IR objects always have an op,
// kind or name), so that reading it back gives the same IrModule.
import type { IrModule } from "../../codegen/ir/types.ts";

export function irToJson(modules: readonly IrModule[]): string {
  return JSON.stringify(modules, (_k, v: unknown) => (typeof v === "bigint" ? { bigint: `0x${v.toString(16)}` } : v));
}

export function irFromJson(text: string): IrModule[] {
  return JSON.parse(text, (_k, v: unknown) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const b = (v as { bigint?: unknown }).bigint;
      if (keys.length === 1 && typeof b === "string") return BigInt(b);
    }
    return v;
  }) as IrModule[];
}
