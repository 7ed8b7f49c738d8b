// Text from rule files that reaches generated code. The checker already rejects unsafe strings
// and identifiers are plain ASCII names; these escapes make the emitters safe on their own too.

/** Text that goes inside a line or block comment: no block terminator, no line break. */
export function commentText(s: string): string {
  return s.replace(/\*\//g, "*\\/").replace(/[\r\n\u2028\u2029\u0085]/g, " ").replace(/[\u0000-\u001f\u007f]/g, "?");
}

/** A TypeScript or C string literal, double-quoted, with every special character escaped. */
export function stringLiteral(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).replace(/\$\{/g, "$\\{");
}

const reserved = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let " +
    "package private protected public static yield any boolean number string symbol type from of get set async await " +
    "auto char double extern float goto int long register short signed sizeof struct typedef union unsigned volatile inline restrict " +
    "bool u8 u16 u32 u64 vcpu d h")
    .split(" "),
);

/** A rule-file name as an identifier in generated TypeScript or C: reserved words get a `_`. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`internal: '${name}' is not an identifier`);
  return reserved.has(name) ? `${name}_` : name;
}
