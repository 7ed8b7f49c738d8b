// Text from rule files that reaches generated code as comments and strings. The checker already
// rejects unsafe strings; these escapes make the emitters safe on their own too. Names that become
// identifiers or symbols go through the name mangler instead (names/mangle.ts).

/** Text that goes inside a line or block comment: no block terminator, no line break. */
export function commentText(s: string): string {
  return s.replace(/\*\//g, "*\\/").replace(/[\r\n\u2028\u2029\u0085]/g, " ").replace(/[\u0000-\u001f\u007f]/g, "?");
}

/** A TypeScript or C string literal, double-quoted, with every special character escaped. */
export function stringLiteral(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).replace(/\$\{/g, "$\\{");
}
