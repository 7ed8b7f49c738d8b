// Checks of the declarations that are data for decoders rather than logic: the meanings written
// after enum members and layout fields, `variant` (which layout or enum a field has for which
// value of another field) and `erratum` (the MIDR ranges a capability's erratum affects).
// Rules never read these; generated/arch-facts.ts and docs/ARCH.md do.
import type * as A from "../ast.ts";
import { checkStringSafe } from "./handlers.ts";
import type { Reporter } from "./reporter.ts";
import { aKind, type GlobalSymbol } from "./symbols.ts";

/** MIDR_EL1.Variant and Revision are four bits each: r0p0 .. r15p15. */
const REVISION = /^r(\d{1,2})p(\d{1,2})$/;

export function checkDecodeTables(file: A.RuleFile, globals: Map<string, GlobalSymbol>, r: Reporter): void {
  const errata = new Map<string, A.ErratumDecl>();
  for (const d of file.decls) {
    if (d.kind === "enum") for (const m of d.members) if (m.meaning !== undefined) checkStringSafe(m.meaning, r);
    if (d.kind === "layout") for (const f of d.fields) if (f.meaning !== undefined) checkStringSafe(f.meaning, r);
    if (d.kind === "variant") checkVariant(d, globals, r);
    if (d.kind === "erratum") {
      const key = d.number.value.toString();
      if (errata.has(key)) r.error("duplicate-name", d.number.range, `erratum ${d.number.text} is already declared in this file`);
      errata.set(key, d);
      checkErratum(d, globals, r);
    }
  }
  const variants = new Map<string, A.VariantDecl>();
  for (const d of file.decls) {
    if (d.kind !== "variant") continue;
    const key = d.field === undefined ? d.layout.text : `${d.layout.text}.${d.field.text}`;
    if (variants.has(key)) r.error("duplicate-name", (d.field ?? d.layout).range, `${key} already has a variant in this file`);
    variants.set(key, d);
  }
}

function checkVariant(d: A.VariantDecl, globals: Map<string, GlobalSymbol>, r: Reporter): void {
  const layout = globals.get(d.layout.text);
  if (layout === undefined) return r.error("undefined-name", d.layout.range, `unknown layout '${d.layout.text}'`);
  if (layout.kind !== "layout") return r.error("not-a-type", d.layout.range, `'${d.layout.text}' is ${aKind(layout)}, not a layout`);
  const field = d.field === undefined ? undefined : layout.fields.get(d.field.text);
  if (d.field !== undefined && field === undefined) return r.error("unknown-field", d.field.range, `layout ${layout.name} has no field '${d.field.text}'`);
  const selector = layout.fields.get(d.selector.text);
  if (selector === undefined) return r.error("unknown-field", d.selector.range, `layout ${layout.name} has no field '${d.selector.text}'`);
  if (selector === field) return r.error("bad-variant", d.selector.range, `field ${selector.name} cannot select its own variant`);
  const what = field === undefined ? layout.name : `${layout.name}.${field.name}`;
  const values = selector.values;
  if (values === undefined) return r.error("bad-variant", d.selector.range, `field ${selector.name} has no enum, so its values cannot select a variant (write \`${selector.name} [${selector.hi}:${selector.lo}] : SomeEnum;\`)`);
  const width = field === undefined ? layout.width : field.hi - field.lo + 1;
  const seen = new Map<string, A.Name>();
  for (const c of d.cases) {
    for (const m of c.members) {
      if (!values.members.has(m.text)) {
        r.error("undefined-name", m.range, `enum ${values.name} (the values of ${layout.name}.${selector.name}) has no member '${m.text}'`);
        continue;
      }
      const prior = seen.get(m.text);
      if (prior !== undefined) r.error("bad-variant", m.range, `${values.name}.${m.text} already selects a variant of ${what}`, [{ message: "selected here", file: r.file, range: prior.range }]);
      else seen.set(m.text, m);
    }
    const target = globals.get(c.target.text);
    if (target === undefined) r.error("undefined-name", c.target.range, `unknown layout or enum '${c.target.text}'`);
    else if (target.kind !== "layout" && target.kind !== "enum") r.error("not-a-type", c.target.range, `'${c.target.text}' is ${aKind(target)}, not a layout or an enum`);
    else if (target.width !== width) r.error("width-mismatch", c.target.range, `${target.kind} ${target.name} has ${target.width} bits but ${field === undefined ? "layout" : "field"} ${what} has ${width}`);
  }
}

function checkErratum(d: A.ErratumDecl, globals: Map<string, GlobalSymbol>, r: Reporter): void {
  if (d.citation !== undefined) checkStringSafe(d.citation, r);
  const cap = globals.get(d.capability.text);
  if (cap === undefined) r.error("unknown-capability", d.capability.range, `unknown capability '${d.capability.text}'`);
  else if (cap.kind !== "capability") r.error("unknown-capability", d.capability.range, `'${d.capability.text}' is ${aKind(cap)}, not a capability`);
  if (d.ranges.length === 0) r.error("bad-revision", d.range, `erratum ${d.number.text} lists no part: write \`PartEnum.PART r0p0..r1p2;\``);
  for (const range of d.ranges) {
    const parts = globals.get(range.partEnum.text);
    if (parts === undefined) r.error("undefined-name", range.partEnum.range, `unknown enum '${range.partEnum.text}'`);
    else if (parts.kind !== "enum") r.error("not-a-type", range.partEnum.range, `'${range.partEnum.text}' is ${aKind(parts)}, not an enum`);
    else if (!parts.members.has(range.part.text)) r.error("undefined-name", range.part.range, `enum ${parts.name} has no member '${range.part.text}'`);
    const from = revision(range.from, r);
    const to = revision(range.to, r);
    if (from !== undefined && to !== undefined && to < from)
      r.error("bad-revision", { start: range.from.range.start, end: range.to.range.end }, `revision range ${range.from.text}..${range.to.text} is empty`);
  }
}

/** `r1p2` as variant * 16 + revision, the order MIDR ranges compare in. */
function revision(n: A.Name, r: Reporter): number | undefined {
  const m = REVISION.exec(n.text);
  if (m === null) {
    r.error("bad-revision", n.range, `'${n.text}' is not a revision: write rVpR, e.g. r1p2 (variant 1, revision 2)`);
    return undefined;
  }
  const [variant, rev] = [Number(m[1]), Number(m[2])];
  if (variant > 15 || rev > 15) {
    r.error("bad-revision", n.range, `${n.text}: MIDR_EL1's variant and revision are 4 bits each (0..15)`);
    return undefined;
  }
  return variant * 16 + rev;
}
