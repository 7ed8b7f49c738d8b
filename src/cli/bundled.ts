// The rule files that ship with faultc: every `*.fault` directly under dsl/ (files under
// dsl/arch/ are imported by them, not compiled on their own).
import { readdirSync } from "node:fs";
import * as path from "node:path";

export function bundledRuleFiles(root = "dsl"): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".fault"))
    .map((e) => path.join(root, e.name))
    .sort();
}
