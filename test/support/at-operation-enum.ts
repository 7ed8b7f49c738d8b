// The `enum AtOperation` declaration of dsl/arch/aarch64.fault, as text, for rule files a test
// generates without importing the architecture file (they declare their own registers): the
// checker takes a rule's AT operation names from that enum, and a test must not keep a copy.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ARCH_FILE = fileURLToPath(new URL("../../dsl/arch/aarch64.fault", import.meta.url));

export function atOperationEnumText(): string {
  const m = /^enum AtOperation\b[^{]*\{[^}]*\}/m.exec(readFileSync(ARCH_FILE, "utf8"));
  if (m === null) throw new Error(`${ARCH_FILE} declares no enum AtOperation`);
  return m[0];
}
