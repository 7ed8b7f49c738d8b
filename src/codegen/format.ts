// Formatting of generated TypeScript: prettier with every option pinned, so that output is
// byte-identical whatever prettier configuration the machine or the user has.
import * as prettier from "prettier";

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

export async function formatTypeScript(text: string): Promise<string> {
  return prettier.format(text, PRETTIER_OPTIONS);
}
