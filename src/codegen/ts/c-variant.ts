// The C-like variant as TypeScript: one function per handler in the shape of the kernel's C
// (one helper per predicate and function, early returns, the AT translation in its own helper
// that saves and restores PAR_EL1), generic over the bit-vector domain so that the same code
// runs on the machine model and is executed symbolically by the equivalence checker.
// Built as ts-morph structures, printed once, formatted once; never type-checked here.
import type { WriterFunction } from "ts-morph";
import { commentText, stringLiteral } from "../escape.ts";
import { formatTypeScript } from "../format.ts";
import { atShapeName } from "../names/at-shape.ts";
import { exportNameOf, mangle } from "../names/mangle.ts";
import { headerLines } from "../header.ts";
import type * as I from "../ir/types.ts";
import { recordLiteral } from "../asm/asm-module.ts";
import { emitterProject } from "../ts-morph.ts";
import { boolExpr, bvExpr, isPatchTime, patchTimeExpr } from "./expr.ts";

// Rule, record and field names are escaped as well: the IR allows any string there, and a
// newline or `*/` in one would otherwise end the comment it is printed in.
function where(o: I.Origin): string {
  return `${commentText(o.file)}:${o.line}${o.rule ? `, rule ${commentText(o.rule)}` : ""}`;
}

function at(o: I.Origin): string {
  return `${commentText(o.file)}:${o.line}`;
}

function atHelperName(s: Extract<I.Stmt, { kind: "at" }>): string {
  // Rule-file names never start with translate_ (names/mangle.ts), so no helper meets one.
  return `translate_${atShapeName(s)}`;
}

function collectAt(b: I.Block, out: Map<string, Extract<I.Stmt, { kind: "at" }>>): void {
  for (const s of b.stmts) if (s.kind === "at") out.set(atHelperName(s), s);
  if (b.end.kind === "decide") for (const r of b.end.rules) collectAt(r.body, out);
}

/** Relative import path from generated/ to the runtime API. */
export interface CVariantOptions {
  runtimeImport: string;
}

export async function emitCVariant(m: I.IrModule, opts: CVariantOptions): Promise<string> {
  const { tsMorph, project } = await emitterProject();
  const { VariableDeclarationKind } = tsMorph;
  const sf = project.createSourceFile(`${m.name}.c.ts`, "", { overwrite: true });
  sf.addImportDeclaration({ moduleSpecifier: `${opts.runtimeImport}/hyp/api.ts`, namedImports: ["HypApi", "Outcome"], isTypeOnly: true });
  sf.addImportDeclaration({ moduleSpecifier: `${opts.runtimeImport}/hyp/ops.ts`, namedImports: ["oneOf"] });

  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The rule file this module was generated from, and the hash of its inputs."],
    declarations: [{ name: "origin", initializer: `{ file: ${stringLiteral(m.file)}, inputHash: ${stringLiteral(m.inputHash)} }` }],
  });

  for (const f of m.functions) {
    sf.addFunction({
      name: mangle(f.name),
      typeParameters: ["V", "B"],
      parameters: [{ name: "h", type: "HypApi<V, B>" }, ...f.params.map((p) => ({ name: mangle(p.id), type: "V" }))],
      returnType: "V",
      docs: [`fn ${f.name} (${where(f.origin)}): bits(${f.width})`],
      statements: ["const d = h.d;", `return ${bvExpr(f.body)};`],
    });
  }
  for (const p of m.predicates) {
    sf.addFunction({
      name: mangle(p.name),
      typeParameters: ["V", "B"],
      parameters: [{ name: "h", type: "HypApi<V, B>" }, ...p.params.map((x) => ({ name: mangle(x.id), type: "V" }))],
      returnType: "B",
      docs: [`pred ${p.name} (${where(p.origin)})`],
      statements: ["const d = h.d;", `return ${boolExpr(p.body)};`],
    });
  }

  const atHelpers = new Map<string, Extract<I.Stmt, { kind: "at" }>>();
  for (const h of m.handlers) collectAt(h.body, atHelpers);
  for (const [name, s] of [...atHelpers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const op = s.op.alternative
      ? `h.cap(${stringLiteral(s.op.alternative.capability)}) ? ${stringLiteral(s.op.alternative.op)} : ${stringLiteral(s.op.base)}`
      : stringLiteral(s.op.base);
    sf.addFunction({
      name,
      typeParameters: ["V", "B"],
      parameters: [{ name: "h", type: "HypApi<V, B>" }, { name: "va", type: "V" }],
      returnType: "V",
      docs: [
        s.preserve
          ? "Address translation of `va`; PAR_EL1 is the guest's, so it is saved before and restored after."
          : "Address translation of `va`. PAR_EL1 is left holding the result (the rule file does not preserve it).",
      ],
      statements: s.preserve
        ? ["const saved = h.mrs(\"PAR_EL1\");", `h.at(${op}, va);`, "h.isb();", "const par = h.mrs(\"PAR_EL1\");", "h.msr(\"PAR_EL1\", saved);", "return par;"]
        : [`h.at(${op}, va);`, "h.isb();", "return h.mrs(\"PAR_EL1\");"],
    });
  }

  for (const h of m.handlers) {
    sf.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Where handler ${h.name} records its fields in the vcpu structure (C layout).`],
      declarations: [
        { name: `${exportNameOf(h.name)}_record`, initializer: `${recordLiteral(h.record)} as const` },
      ],
    });
    sf.addFunction({
      name: exportNameOf(h.name),
      isExported: true,
      typeParameters: ["V", "B"],
      parameters: [{ name: "h", type: "HypApi<V, B>" }],
      returnType: "Outcome",
      docs: [`handler ${h.name} (${where(h.origin)}), recording into ${commentText(h.record.name)}.`],
      statements: (w) => {
        w.writeLine("const d = h.d;");
        block(w, h.body, h.record);
      },
    });
  }
  const header = headerLines(m, "the C-like variant, as TypeScript over the model's HypApi").map((l) => `// ${l}`).join("\n");
  return formatTypeScript(`${header}\n${sf.getFullText()}`);
}

type Writer = Parameters<WriterFunction>[0];

function block(w: Writer, b: I.Block, record: I.IrRecord): void {
  for (const s of b.stmts) {
    w.writeLine(`// ${where(s.origin)}`);
    switch (s.kind) {
      case "let":
      case "letBool":
        w.writeLine(`const ${mangle(s.id)} = ${s.kind === "let" ? bvExpr(s.value) : boolExpr(s.value)};`);
        break;
      case "at":
        w.writeLine(`const ${mangle(s.id)} = ${atHelperName(s)}(h, ${bvExpr(s.address)});`);
        break;
      case "record": {
        const f = record.fields.find((x) => x.name === s.field);
        if (f === undefined) throw new Error(`internal: no field ${s.field}`);
        const value = f.width === f.size * 8 ? bvExpr(s.value) : `d.zeroExtend(${bvExpr(s.value)}, ${f.size * 8})`;
        w.writeLine(`h.storeVcpu(0x${f.offset.toString(16)}, ${f.size}, ${value}); // record ${commentText(f.name)}`);
        break;
      }
    }
  }
  terminator(w, b.end, record);
}

function terminator(w: Writer, t: I.Terminator, record: I.IrRecord): void {
  switch (t.kind) {
    case "exit":
      w.writeLine(`return { kind: "exit", code: 0x${t.code.toString(16)}n, name: ${stringLiteral(t.name)} }; // ${where(t.origin)}`);
      return;
    case "retry":
      w.writeLine(`return { kind: "retry" }; // ${where(t.origin)}`);
      return;
    case "handoff":
      w.writeLine(`return { kind: "handoff", target: ${stringLiteral(t.target)} }; // ${where(t.origin)}`);
      return;
    case "decide":
      t.rules.forEach((r, i) => {
        const last = i === t.rules.length - 1;
        if (last) {
          w.writeLine(`// rule ${commentText(r.name)}${r.guard ? " (the rules before it cover every other input)" : " otherwise"} (${at(r.origin)})`);
          w.writeLine(`h.enterRule(${stringLiteral(r.name)}, ${r.origin.line});`);
          block(w, r.body, record);
          return;
        }
        const guard = r.guard === undefined ? "true" : isPatchTime(r.guard) ? patchTimeExpr(r.guard) : `h.branch(${boolExpr(r.guard)}, ${stringLiteral(r.name)})`;
        w.writeLine(`// rule ${commentText(r.name)} (${at(r.origin)})`);
        w.write(`if (${guard})`).block(() => {
          w.writeLine(`h.enterRule(${stringLiteral(r.name)}, ${r.origin.line});`);
          block(w, r.body, record);
        });
      });
      return;
  }
}
