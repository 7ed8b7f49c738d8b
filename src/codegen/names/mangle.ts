// The one name mangler: how a name from a rule file (a function, predicate, handler, record,
// record field, parameter, let, external or exit code) is spelled in every generated file, the
// .c.ts and .asm.ts modules, the .S program and the kernel-style .c alike, so that one handler
// is one symbol everywhere and `FILE.fault#c:int` finds what `handler int` became.
//
// The scheme is injective by construction:
// - a *plain* name is printed as itself. Plain: it neither starts nor ends with `_`, is not a
//   reserved word of any target (RESERVED, REGISTERS), and is not in a family of names faultc
//   makes for itself (FAMILIES);
// - any other name N is printed as `dsl_N_`.
// Plain names never end with `_` and escaped ones always do, so the two images are disjoint, and
// the escape is a fixed prefix and suffix, so two rule-file names never meet (`h` is `dsl_h_`,
// `h_` is `dsl_h__`). Every name faultc makes for itself (`origin`, `h`, `FAULTC_EXIT`,
// `translate_s1e1r`, `el1_sync_record`, `__faultc_v`, `__guest_exit`) is reserved or in a family,
// and not of the form `dsl_..._`, so no rule-file name can become it either. An escaped name
// starts with `dsl_`: never a C keyword, never in the implementation's namespace (`__x`, `_X`),
// never a macro of the headers or of GCC (those are listed below and all plain or `_`-led).
//
// Record and field names are never TypeScript identifiers (only C struct tags and members, and
// strings): they go through `mangleMember`, the same scheme without the families that only the
// TypeScript module's scope has (HANDLER_record), so that a record may be called `x_record`.
//
// Names that are not the rule file's own but the platform's (system registers, and capabilities
// of the kernel's ARM64_* kind) are printed as they are: see `platformName`. How capabilities are
// spelled and numbered in the .c and .S is capabilities.ts's.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== "");
}

/** Words a rule-file name may not be printed as, in any target. */
const RESERVED = new Set(
  words(`
    break case catch class const continue debugger default delete do else enum export extends false finally for function if
    import in instanceof new null return super switch this throw true try typeof var void while with
    as implements interface let package private protected public static yield await async
    any boolean number string symbol type from of get set declare namespace module require exports abstract readonly keyof
    never unknown object bigint infer is asserts unique global satisfies accessor override out
    eval arguments undefined NaN Infinity globalThis

    auto char double extern float goto int long register short signed sizeof struct typedef union unsigned volatile inline
    restrict bool alignas alignof constexpr nullptr static_assert thread_local typeof_unqual noreturn asm main

    u8 u16 u32 u64 s8 s16 s32 s64 GENMASK_ULL GENMASK BIT BIT_ULL sign_extend64 read_sysreg write_sysreg isb
    cpus_have_final_cap likely unlikely offsetof NULL linux unix

    INT8_C INT16_C INT32_C INT64_C UINT8_C UINT16_C UINT32_C UINT64_C INTMAX_C UINTMAX_C
    INT8_MAX INT16_MAX INT32_MAX INT64_MAX INT8_MIN INT16_MIN INT32_MIN INT64_MIN
    UINT8_MAX UINT16_MAX UINT32_MAX UINT64_MAX INTMAX_MAX INTMAX_MIN UINTMAX_MAX INTPTR_MAX INTPTR_MIN UINTPTR_MAX
    INT_FAST8_MAX INT_FAST16_MAX INT_FAST32_MAX INT_FAST64_MAX INT_FAST8_MIN INT_FAST16_MIN INT_FAST32_MIN INT_FAST64_MIN
    UINT_FAST8_MAX UINT_FAST16_MAX UINT_FAST32_MAX UINT_FAST64_MAX
    INT_LEAST8_MAX INT_LEAST16_MAX INT_LEAST32_MAX INT_LEAST64_MAX INT_LEAST8_MIN INT_LEAST16_MIN INT_LEAST32_MIN INT_LEAST64_MIN
    UINT_LEAST8_MAX UINT_LEAST16_MAX UINT_LEAST32_MAX UINT_LEAST64_MAX
    PTRDIFF_MAX PTRDIFF_MIN SIZE_MAX SIG_ATOMIC_MAX SIG_ATOMIC_MIN WCHAR_MAX WCHAR_MIN WINT_MAX WINT_MIN

    d h V B origin oneOf HypApi Outcome
    vcpu exit_code FIRST
    save_x0_to_x3 restore_x0_to_x3 alternative_if alternative_if_not alternative_else alternative_endif
  `),
);
// The groups above, in order:
// - TypeScript and JavaScript: reserved words, strict-mode and module restrictions (`eval`,
//   `arguments`, `await`), contextual keywords, and globals a declaration must not hide;
// - C (C11, C23, GNU) keywords and what stdbool.h/stdnoreturn.h make of them; `main`, which a
//   hosted compiler checks the type of;
// - include/faultc-hyp.h's types, functions and macros, the kernel's names they stand for, and
//   GCC's predefined `linux` and `unix` (in C and in the .S, which goes through cpp);
// - the macros of the freestanding stdint.h and stddef.h (the typedefs are all `*_t`, a family);
//   test/codegen/mangle.test.ts checks this list against what the cross compiler defines;
// - names the generated code declares: the .c.ts module's `d`, `h`, type parameters, `origin`
//   and its imports; the .c handlers' parameters and FAULTC_HANDOFF_FIRST's last word (handoff
//   values are FAULTC_HANDOFF_ + a mangled name); the assembler macros of faultc-asm.h and of
//   the model's assembler.

/** AArch64 general-purpose register names: the model's assembler reads them as registers, never as symbols (any case). */
const REGISTERS = new Set([
  ...Array.from({ length: 31 }, (_, i) => `x${i}`),
  ...Array.from({ length: 31 }, (_, i) => `w${i}`),
  ..."sp wsp xzr wzr lr fp ip0 ip1".split(" "),
]);

/**
 * Families of names faultc makes (or the platform owns): a rule-file name in one is escaped, so
 * that `prefix + mangle(x)` and `mangle(x) + suffix` can never be a rule-file name.
 */
const FAMILIES: { pattern: RegExp; why: string; codeOnly?: true }[] = [
  { pattern: /^faultc_/i, why: "faultc's own C names: faultc_at_* helpers, FAULTC_* macros and enums, struct faultc_vcpu" },
  { pattern: /^translate_/, why: "the .c.ts module's AT helpers", codeOnly: true },
  { pattern: /_record$/, why: "the .c.ts module's HANDLER_record layout exports", codeOnly: true },
  { pattern: /_t$/, why: "C typedefs (stdint.h, stddef.h; POSIX reserves the suffix)" },
  { pattern: /^ARM64_/, why: "capability numbers in the headers and in a kernel tree" },
];

/**
 * Why a name is not printed as itself, or undefined when it is plain. `member`: a record or
 * field name, which the TypeScript-only families do not concern.
 */
export function whyEscaped(name: string, member = false): string | undefined {
  if (name.startsWith("_")) return "it starts with '_' (the C implementation's names, __proto__, __guest_exit)";
  if (name.endsWith("_")) return "it ends with '_' (the escape's own suffix)";
  if (RESERVED.has(name)) return "it is a reserved word of a target or a name the generated code declares";
  if (REGISTERS.has(name.toLowerCase())) return "it is an AArch64 register name";
  return FAMILIES.find((f) => f.pattern.test(name) && !(member && f.codeOnly))?.why;
}

function checkIdentifier(name: string): void {
  if (!IDENTIFIER.test(name)) throw new Error(`internal: '${name}' is not an identifier`);
}

/** A rule-file name as it is spelled in every generated file (see the scheme above). */
export function mangle(name: string): string {
  checkIdentifier(name);
  return whyEscaped(name) === undefined ? name : `dsl_${name}_`;
}

/** A record's or a field's name as a C struct tag or member (see the scheme above). */
export function mangleMember(name: string): string {
  checkIdentifier(name);
  return whyEscaped(name, true) === undefined ? name : `dsl_${name}_`;
}

/**
 * The generated name of handler `handlerName`: the .c.ts module's export, the .S label and the
 * .c function. `FILE.fault#c:NAME` and `#asm:NAME` take the name the rule file uses and look
 * this up.
 */
export function exportNameOf(handlerName: string): string {
  return mangle(handlerName);
}

/**
 * A name the platform defines, printed as it is: a system register, or a capability of the
 * kernel's ARM64_* kind (capabilities.ts). Refused unless it is an identifier, so that it can
 * never break out of the code it is printed in.
 */
export function platformName(name: string): string {
  checkIdentifier(name);
  return name;
}
