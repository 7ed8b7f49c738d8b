// The asm-like variant as one program text: every handler of the rule file, selected by
// isel.ts. The same text is embedded in `<name>.asm.ts` (run by the model's interpreter) and
// written as `<name>.S` (assembled by GNU as with faultc-asm.h), so the two cannot drift.
import { commentText } from "../escape.ts";
import { headerLines } from "../header.ts";
import type * as I from "../ir/types.ts";
import { asmNumberSymbol, capabilityNumbers } from "../names/capabilities.ts";
import { exportNameOf, mangle } from "../names/mangle.ts";
import { selectHandler } from "./isel.ts";

/** The symbol the kernel exits to the host through, with x0 = vcpu and x1 = exit code. */
export const GUEST_EXIT = "__guest_exit";

export interface AsmProgram {
  text: string;
  /** Entry label of each handler (exportNameOf its name). */
  entries: string[];
  /**
   * Symbols the program branches to outside itself, each with the name a run reports for it:
   * the rule file's name of the external, whose symbol is that name mangled (parseProgram takes
   * this map as its `externals`).
   */
  externals: ReadonlyMap<string, string>;
}

export function assembleModule(m: I.IrModule): AsmProgram {
  const lines: string[] = [...headerLines(m, "the asm-like variant").map((l) => `// ${l}`), ""];
  const numbers = capabilityNumbers(m);
  if (numbers.size > 0) {
    // Inert for the model (it patches by name); for GNU as, faultc-asm.h's alternative macros
    // take each number from here, unless cpp has made a kernel tree's number of the name already.
    lines.push("// The capabilities' numbers (src/codegen/names/capabilities.ts), for the alternatives' cpucap.");
    for (const [cap, n] of numbers) lines.push(`\t.set ${asmNumberSymbol(cap)}, 0x${n.toString(16)}`);
    lines.push("");
  }
  lines.push("\t.text");
  for (const h of m.handlers) {
    const sel = selectHandler(m, h);
    lines.push("");
    lines.push(`// handler ${commentText(h.name)} (${commentText(h.origin.file)}:${h.origin.line}): records into ${commentText(h.record.name)},`);
    // Field names escaped like the rest: a newline in one would add a line to the program.
    lines.push(`// ${h.record.fields.map((f) => `${commentText(f.name)} at vcpu+0x${f.offset.toString(16)} (${f.size * 8} bits)`).join(", ")};`);
    lines.push(`// saves x0-x${sel.saved - 1} on entry${sel.frame > 0 ? `, and keeps a frame of ${sel.frame} bytes below them` : ""}.`);
    const label = exportNameOf(h.name);
    lines.push(`\t.global ${label}`);
    lines.push(`\t.type ${label}, %function`);
    lines.push(...sel.lines);
    lines.push(`\t.size ${label}, . - ${label}`);
  }
  lines.push("");
  const externals = new Map<string, string>([[GUEST_EXIT, GUEST_EXIT], ...m.externals.map((x): [string, string] => [mangle(x), x])]);
  return { text: lines.join("\n"), entries: m.handlers.map((h) => exportNameOf(h.name)), externals };
}
