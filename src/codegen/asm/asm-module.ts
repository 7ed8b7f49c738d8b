// The asm-like variant as a TypeScript module: the program text (the same text as the .S file
// without its #include line), its entry labels, the externals it branches to, and where each
// handler records its fields. The model's interpreter runs this text.
import { stringLiteral } from "../escape.ts";
import { formatTypeScript } from "../format.ts";
import { headerLines } from "../header.ts";
import type * as I from "../ir/types.ts";
import { exportNameOf } from "../names/mangle.ts";
import { emitterProject } from "../ts-morph.ts";
import type { AsmProgram } from "./program.ts";

export function recordLiteral(r: I.IrRecord): string {
  return `[${r.fields.map((f) => `{ name: ${stringLiteral(f.name)}, width: ${f.width}, offset: 0x${f.offset.toString(16)}, size: ${f.size} }`).join(", ")}]`;
}

export async function emitAsmModule(m: I.IrModule, program: AsmProgram): Promise<string> {
  const { tsMorph, project } = await emitterProject();
  const { VariableDeclarationKind } = tsMorph;
  const sf = project.createSourceFile(`${m.name}.asm.ts`, "", { overwrite: true });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The rule file this module was generated from, and the hash of its inputs."],
    declarations: [{ name: "origin", initializer: `{ file: ${stringLiteral(m.file)}, inputHash: ${stringLiteral(m.inputHash)} }` }],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Each handler: its entry label and where it records its fields in the vcpu structure."],
    declarations: [
      {
        name: "handlers",
        initializer: `[${m.handlers.map((h) => `{ name: ${stringLiteral(h.name)}, entry: ${stringLiteral(exportNameOf(h.name))}, record: ${recordLiteral(h.record)} }`).join(", ")}] as const`,
      },
    ],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Symbols outside the program that it branches to."],
    declarations: [{ name: "externals", initializer: `[${[...program.externals.keys()].map(stringLiteral).join(", ")}] as const` }],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The program, one string per line."],
    declarations: [{ name: "text", initializer: `[\n${program.text.split("\n").map(stringLiteral).join(",\n")}\n].join("\\n")` }],
  });
  const header = headerLines(m, "the asm-like variant, as the program text the model runs").map((l) => `// ${l}`).join("\n");
  return formatTypeScript(`${header}\n${sf.getFullText()}`);
}
