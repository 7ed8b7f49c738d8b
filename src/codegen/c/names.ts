// Comments and strings in generated kernel-style C (identifiers come from the shared name
// mangler, ../names/mangle.ts). Everything goes through the shared escapes of ../escape.ts first;
// C needs a little more on top:
// - comments: commentText() plus no `/*` (gcc -Wcomment), no `??` (a trigraph that could end a
//   line as `??/`), and only printable ASCII (gcc warns about bidirectional controls even in
//   comments), other characters written as \uXXXX text;
// - strings: stringLiteral() writes JSON escapes, and C rejects some of them (\u0001, \u007f,
//   surrogates: "universal character ... is not valid", and `\{`); cStringLiteral() writes
//   every byte of the UTF-8 encoding that is not plain printable ASCII as a 3-digit octal escape.
import { commentText } from "../escape.ts";

/** Text for inside a C block comment: one line, no comment delimiters, printable ASCII only. */
export function cComment(s: string): string {
  return commentText(s)
    .replace(/\/\*/g, "/ *")
    .replace(/\?(?=\?)/g, "? ")
    .replace(/[^\x20-\x7e]/gu, (c) => {
      const cp = c.codePointAt(0) ?? 0;
      return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
    });
}

/** A C string literal holding the UTF-8 encoding of `s` (lone surrogates become U+FFFD). */
export function cStringLiteral(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (byte >= 0x20 && byte < 0x7f && c !== '"' && c !== "\\" && c !== "?") out += c;
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** A name made for the module (file base name) as a C identifier fragment. */
export function moduleTag(name: string): string {
  const t = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(t) ? t : `m_${t}`;
}
