// Names, comments and strings in generated kernel-style C. Everything goes through the shared
// escapes of ../escape.ts first; C needs a little more on top:
// - identifiers: ident() handles the keywords; names that faultc-hyp.h, the C implementation or
//   the emitter itself use (GENMASK_ULL, read_sysreg, exit_code, `__x`, `_X`, `faultc_x`) get a
//   `dsl_` prefix, applied so that the mapping stays one-to-one;
// - comments: commentText() plus no `/*` (gcc -Wcomment), no `??` (a trigraph that could end a
//   line as `??/`), and only printable ASCII (gcc warns about bidirectional controls even in
//   comments), other characters written as \uXXXX text;
// - strings: stringLiteral() writes JSON escapes, and C rejects some of them (\u0001, \u007f,
//   surrogates: "universal character ... is not valid", and `\{`); cStringLiteral() writes
//   every byte of the UTF-8 encoding that is not plain printable ASCII as a 3-digit octal escape.
import { commentText, ident } from "../escape.ts";

const reservedC = new Set(
  (
    "exit_code asm typeof alignas alignof noreturn static_assert thread_local " +
    "GENMASK_ULL GENMASK BIT BIT_ULL sign_extend64 read_sysreg write_sysreg isb cpus_have_final_cap " +
    "likely unlikely offsetof NULL size_t ptrdiff_t uintptr_t intptr_t " +
    "int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t s8 s16 s32 s64 " +
    "ARM64_HAS_VIRT_HOST_EXTN ARM64_WORKAROUND_834220 ARM64_HAS_S1POE"
  ).split(" "),
);

/** A rule-file name as a C identifier: ident(), then `dsl_` before names C or faultc-hyp.h own. */
export function cName(name: string): string {
  const base = ident(name);
  const stripped = base.replace(/^(dsl_)+/, "");
  if (/^_[A-Z_]/.test(stripped) || /^faultc_/i.test(stripped) || reservedC.has(stripped)) return `dsl_${base}`;
  return base;
}

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
