// Formatting of generated TypeScript: prettier with every option pinned, so that output is
// byte-identical whatever prettier configuration the machine or the user has. prettier is loaded
// on the first call (a quarter of a second), as only code generation formats anything.
import type * as prettier from "prettier";

export const PRETTIER_OPTIONS: prettier.Options = {
  parser: "typescript",
  printWidth: 110,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  quoteProps: "as-needed",
  trailingComma: "all",
  bracketSpacing: true,
  arrowParens: "always",
  endOfLine: "lf",
};

let loaded: Promise<typeof prettier> | undefined;

export async function formatTypeScript(text: string): Promise<string> {
  loaded ??= import("prettier");
  return (await loaded).format(text, PRETTIER_OPTIONS);
}
