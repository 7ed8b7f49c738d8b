// Which rule file's binding an object function (PATH.o:SYMBOL) is opened with: the bindings given
// (`--binding FILE.fault`), else those of the rule file it is compared with, else those of the
// bundled rule files; of those that bind the symbol, the one whose `kernel` the object's kernel
// release starts with (component by component: "6.1" is not a prefix of 6.12.117), or the only
// one. None, or several, is an error that lists every candidate and why it does not fit.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundledRuleFiles } from "../cli/bundled.ts";
import { compileRuleFile, RuleFileError } from "../codegen/compile.ts";
import type { IrModule } from "../codegen/ir/types.ts";
import { SideError } from "./errors.ts";
import type { BindingCandidate, OpenOptions } from "./side.ts";

/** Every binding a module declares, with the module. */
export function bindingsOf(m: IrModule): BindingCandidate[] {
  return m.bindings.map((binding) => ({ binding, module: m }));
}

/** The bindings of a rule file (`--binding FILE.fault`); a file with errors or with no binding is an input error. */
export function bindingsFromFile(file: string): BindingCandidate[] {
  const m = compile(file);
  if (m.bindings.length === 0) throw SideError.input(`${file}: error: the rule file declares no binding (--binding names a rule file with 'binding SYMBOL for HANDLER { ... }')`);
  return bindingsOf(m);
}

function compile(file: string): IrModule {
  try {
    return compileRuleFile(file).module;
  } catch (e) {
    if (e instanceof RuleFileError) throw SideError.input(e.message);
    throw e;
  }
}

/** faultc's own dsl/ folder, named relative to the current folder as every other path is. */
const BUNDLED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dsl");

let bundled: BindingCandidate[] | undefined;

/** The bindings of the bundled rule files (compiled once per process). */
export function bundledBindings(): BindingCandidate[] {
  bundled ??= bundledRuleFiles(path.relative(process.cwd(), BUNDLED_DIR) || ".").flatMap((f) => bindingsOf(compile(f)));
  return bundled;
}

/** The release's leading numbers: "6.12.117-1~deb12u1" -> [6, 12, 117]. */
function releaseNumbers(release: string): string[] {
  return /^\d+(?:\.\d+)*/.exec(release)?.[0].split(".") ?? [];
}

/** Whether `kernel "K"` binds an object of kernel release `release`: K's numbers begin the release's. */
export function kernelFits(kernel: string, release: string): boolean {
  const want = kernel.split(".");
  const have = releaseNumbers(release);
  return want.length <= have.length && want.every((n, i) => Number(n) === Number(have[i]));
}

function where(c: BindingCandidate): string {
  return `${c.binding.origin.file}:${c.binding.origin.line}`;
}

function describe(c: BindingCandidate): string {
  return `${where(c)} (${c.binding.kernel === undefined ? "any kernel" : `kernel "${c.binding.kernel}"`})`;
}

export interface ChooseInput {
  object: string;
  symbol: string;
  /** The object's kernel release, undefined when it is in no build tree. */
  release: string | undefined;
  /** Where the release was read, for messages. */
  releaseFrom: string | undefined;
}

/** The binding `symbol` of `object` is opened with. Throws SideError: input when none fits, usage when several do. */
export function chooseBinding(o: ChooseInput, options: OpenOptions): BindingCandidate {
  const ofSymbol = (cs: readonly BindingCandidate[]) => cs.filter((c) => c.binding.symbol === o.symbol);
  const fits = (c: BindingCandidate) => c.binding.kernel === undefined || o.release === undefined || kernelFits(c.binding.kernel, o.release);
  const pools: { what: string; candidates: () => BindingCandidate[] }[] =
    options.bindings !== undefined
      ? [{ what: "the rule files given with --binding", candidates: () => ofSymbol(options.bindings!) }]
      : [
          { what: "the rule file it is compared with", candidates: () => ofSymbol(options.peerBindings ?? []) },
          { what: "the bundled rule files", candidates: () => ofSymbol(bundledBindings()) },
        ];
  const seen: BindingCandidate[] = [];
  const release = o.release === undefined ? "in no kernel build tree, so its release is unknown" : `kernel release ${o.release}${o.releaseFrom ? ` (${o.releaseFrom})` : ""}`;
  for (const pool of pools) {
    const candidates = pool.candidates();
    for (const c of candidates) if (!seen.some((s) => where(s) === where(c))) seen.push(c);
    const fitting = candidates.filter(fits);
    if (fitting.length === 1) return fitting[0];
    if (fitting.length > 1) {
      throw SideError.usage(`${o.object}: ${fitting.length} bindings of ${o.symbol} in ${pool.what} fit the object (${release}): ${fitting.map(describe).join(", ")}; give the one to use with --binding FILE.fault`);
    }
  }
  if (seen.length === 0) {
    const searched = options.bindings !== undefined ? "the rule files given with --binding" : options.peerBindings?.length ? "the rule file it is compared with, nor the bundled rule files" : "the bundled rule files";
    throw SideError.input(`${o.object}: error: no binding of ${o.symbol} in ${searched}: a rule file says how the function does a handler's work with 'binding ${o.symbol} for HANDLER { ... }' (docs/LANGUAGE.md, "Bindings"); give it with --binding FILE.fault`);
  }
  throw SideError.input(`${o.object}: error: no binding of ${o.symbol} is for this object (${release}): ${seen.map(describe).join(", ")}`);
}

/**
 * An item of a binding as the rule file writes it, e.g. the condition of its `when`: the text
 * between the word and the `;` inside the declaration at `line`, comments dropped and white space
 * collapsed. undefined when the file cannot be read or holds no such item there.
 */
export function bindingItemText(file: string, line: number, word: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n").slice(line - 1).map((l) => l.replace(/\/\/.*$/, ""));
  let depth = 0;
  let body = "";
  for (const l of lines) {
    for (const ch of l) {
      if (ch === "{") depth++;
      if (depth > 0) body += ch;
      if (ch === "}" && --depth === 0) {
        const m = new RegExp(`[{;}]\\s*${word}\\s+([^;]*);`).exec(body);
        return m === null ? undefined : m[1].replace(/\s+/g, " ").trim();
      }
    }
    body += " ";
  }
  return undefined;
}
