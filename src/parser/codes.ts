// Every issue code the front end reports, with what it means. The golden tests hold one bad
// rule file per code (test/fixtures/check/<code>.fault), and docs/LANGUAGE.md lists them.
export const issueCodes = {
  // reading and syntax
  "file-not-found": "a file named on the command line cannot be read",
  "invalid-utf8": "the file is not valid UTF-8",
  "unexpected-character": "a character that starts no token",
  "syntax-error": "the tokens do not follow the grammar",
  "too-complex": "brackets or prefix operators nested deeper than 64, a statement over 1024 tokens, or a file over 32 MiB",
  "too-many-errors": "more than 50 errors in one file: the rest are not reported",
  // imports
  "import-not-found": "an imported file does not exist",
  "import-cycle": "files import each other in a cycle",
  "import-has-errors": "an imported file has errors of its own",
  // names
  "duplicate-name": "a name declared twice in the same scope",
  "undefined-name": "a name that is declared nowhere in scope",
  "ambiguous-name": "a bare enum member that belongs to several enums",
  "not-a-type": "a name used as a type that is not a layout, enum or record",
  "not-a-value": "a name used as a value that is not one (a layout, a record, ...)",
  "not-callable": "a call of something that is not a predicate or function",
  "not-an-exit-code": "`exit` with a name that is not an exit code",
  "not-an-external": "`handoff` to a name that is not an external handler",
  "not-a-handler": "a contract for a name that is not a handler",
  "unknown-capability": "a capability that is not declared",
  "unknown-register": "a system register that is not declared",
  "unknown-field": "a field that the layout or record does not have",
  "unknown-at-operation": "an AT operation that is not a member of enum AtOperation (dsl/arch/aarch64.fault)",
  "sysreg-needs-read": "a system register named as a value outside a contract",
  // widths and types
  "bad-width": "a width outside 1..64",
  "bad-slice": "a bit range that is empty or lies outside its value",
  "bad-level": "an enum family level that the member does not have",
  "bad-level-range": "a level range that is empty or outside -1..3",
  "field-out-of-range": "a layout field outside the layout's width",
  "value-too-wide": "a constant that does not fit its width",
  "width-mismatch": "two bit-vectors of different widths meet",
  "type-mismatch": "a boolean where bits are needed, or bits where a boolean is",
  "needs-width": "an integer constant where a value of known width is needed",
  "enum-family-needs-level": "an enum member with several levels used as one value",
  "not-constant": "a run-time value where a constant is needed",
  "shift-out-of-range": "a shift by the width or more",
  "bad-arguments": "a call with the wrong number of arguments",
  "bad-preserve": "`preserving` names a register the operation does not write",
  "effect-not-allowed": "a register read or AT where effects are not allowed",
  "recursion": "a predicate or function that calls itself",
  "unsafe-string": "a string with characters that could break out of generated code",
  "bad-binding": "a binding with a register, kernel release or return value a compiled function cannot have",
  "bad-variant": "a variant selected by a field without an enum, by the field itself, or by a value listed twice",
  "bad-revision": "an erratum range that is not rVpR..rVpR (variant and revision 0..15), is empty, or lists no part",
  // control flow
  "missing-outcome": "a path that ends without exit, retry or handoff",
  "unreachable-statement": "a statement after the end of its path",
  "rule-never-matches": "a rule shadowed by the rules before it",
} as const;

export type IssueCode = keyof typeof issueCodes;
