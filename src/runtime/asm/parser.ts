// The GNU as subset faultc reads: statements with labels (`name:`, numeric `1:`), mnemonics,
// `.macro`/`.endm`, `.equ`/`.set`, a few layout directives that do not matter to the model, and the
// kernel's alternative_if_not / alternative_if / alternative_else / alternative_endif blocks, kept
// unpatched in the parsed program (loadProgram patches them for a capability set).
import { GUEST_EXIT_SYMBOL } from "../semantics/effect.ts";
import { BUILTIN_CONSTANTS } from "./constants.ts";
import { AsmError, type SourceLocation } from "./errors.ts";
import { ExpressionParser } from "./expression.ts";
import { BUILTIN_MACRO_FILE, BUILTIN_MACRO_SOURCE } from "./macros.ts";
import { MNEMONICS } from "./mnemonics/index.ts";
import { Operands, splitOperands } from "./operands.ts";
import { instructionCount, type ParsedProgram, type ProgramItem } from "./program.ts";
import { splitStatements, stripComments } from "./source-text.ts";
import { tokenize, type Token } from "./tokens.ts";

/** The routines hyp code branches to that live outside the modelled program. */
export const DEFAULT_EXTERNALS: readonly string[] = [
  GUEST_EXIT_SYMBOL,
  "__fpsimd_guest_restore",
  "__kvm_handle_stub_hvc",
  "__hyp_panic",
];

export interface ParseOptions {
  file?: string;
  /** Extra symbolic constants (override the built-in ones). */
  constants?: ReadonlyMap<string, bigint> | Record<string, bigint>;
  /**
   * Symbols outside the program; defaults to DEFAULT_EXTERNALS. As a map, each symbol's name for
   * run results (a branch to it ends the run in that handoff), when the program's own symbol
   * spelling differs from the name its author uses (a generated program's escaped symbols).
   */
  externals?: Iterable<string> | ReadonlyMap<string, string>;
}

/** Directives with no effect on the model's execution (section and symbol bookkeeping, alignment). */
const IGNORED_DIRECTIVES = new Set([".text", ".global", ".globl", ".align", ".balign", ".p2align", ".type", ".size", ".ltorg", ".pushsection", ".popsection", ".section"]);

const MAX_MACRO_DEPTH = 32;

interface Macro {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: readonly { text: string; loc: SourceLocation }[];
}

interface OpenAlternative {
  readonly capability: string;
  /** true for alternative_if (first block used when the capability is present). */
  readonly ifPresent: boolean;
  readonly loc: SourceLocation;
  readonly first: ProgramItem[];
  second: ProgramItem[] | undefined;
}

class ProgramBuilder {
  readonly items: ProgramItem[] = [];
  private readonly macros = new Map<string, Macro>();
  private readonly constants = new Map<string, bigint>();
  private readonly definedLabels = new Map<string, SourceLocation>();
  private readonly labelUses: { name: string; loc: SourceLocation }[] = [];
  private alternative: OpenAlternative | undefined;
  private capturing: { name: string; params: string[]; body: { text: string; loc: SourceLocation }[]; loc: SourceLocation } | undefined;

  constructor(extraConstants: ReadonlyMap<string, bigint>) {
    for (const [k, v] of extraConstants) this.constants.set(k, v);
  }

  private lookup = (name: string): bigint | undefined => this.constants.get(name) ?? BUILTIN_CONSTANTS.get(name);

  private sink(): ProgramItem[] {
    if (this.alternative === undefined) return this.items;
    return this.alternative.second ?? this.alternative.first;
  }

  /** Feeds a whole source file. */
  feedSource(source: string, file: string): void {
    const text = stripComments(source, file);
    for (const seg of splitStatements(text)) {
      this.statement(seg.text, { file, line: seg.line, column: seg.column }, 0);
    }
  }

  finish(): void {
    if (this.capturing !== undefined) throw new AsmError(this.capturing.loc, `.macro ${this.capturing.name} without .endm`);
    if (this.alternative !== undefined) throw new AsmError(this.alternative.loc, "alternative block without alternative_endif");
    for (const use of this.labelUses) {
      if (!this.definedLabels.has(use.name) && !this.externals.has(use.name)) throw new AsmError(use.loc, `undefined symbol '${use.name}'`);
    }
  }

  externals: ReadonlySet<string> = new Set();

  /**
   * One statement. `text` starts at `loc.column`. Inside a macro expansion (`depth` > 0), items take
   * the invocation's location, passed as `loc`.
   */
  statement(text: string, loc: SourceLocation, depth: number, fixedLoc?: SourceLocation): void {
    if (this.capturing !== undefined) {
      // A macro body is kept as text: `\param` references are substituted at each expansion.
      if (/^\s*\.endm\s*$/i.test(text)) {
        const m = this.capturing;
        this.macros.set(m.name, { name: m.name, params: m.params, body: m.body });
        this.capturing = undefined;
      } else if (text.trim() !== "") {
        this.capturing.body.push({ text, loc });
      }
      return;
    }
    const tokens = tokenize(text, loc, loc.column);
    let rest = tokens;
    while (rest.length >= 2 && rest[1].kind === "punct" && rest[1].text === ":" && (rest[0].kind === "ident" || rest[0].kind === "number")) {
      this.defineLabel(rest[0], fixedLoc ?? { ...loc, column: rest[0].column });
      rest = rest.slice(2);
    }
    if (rest.length === 0) return;
    const head = rest[0];
    const headLoc = fixedLoc ?? { ...loc, column: head.column };
    if (head.kind !== "ident") throw new AsmError(headLoc, `expected a mnemonic, got '${head.text}'`);
    const word = head.text.toLowerCase();
    const operandText = text.slice(head.column - loc.column + head.text.length);
    const operandColumn = head.column + head.text.length;
    const operandTokens = rest.slice(1);

    if (word.startsWith(".")) return this.directive(word, operandTokens, operandText, operandColumn, loc, headLoc);
    if (word.startsWith("alternative_")) return this.alternativeDirective(word, operandTokens, headLoc);
    const macro = this.macros.get(head.text) ?? this.macros.get(word);
    if (macro !== undefined) return this.expandMacro(macro, operandTokens, operandText, operandColumn, loc, headLoc, depth);

    const handler = MNEMONICS.get(word);
    if (handler === undefined) throw new AsmError(headLoc, `unknown mnemonic '${head.text}'`);
    const operandLoc = fixedLoc ?? loc;
    const operands = splitOperands(operandTokens, operandText, operandColumn, operandLoc).map((o) =>
      fixedLoc === undefined ? o : { ...o, loc: fixedLoc },
    );
    const ops = new Operands(word, operands, headLoc, this.lookup);
    const statementText = text.trim();
    for (const insn of handler(ops, word)) {
      const last = operands[operands.length - 1];
      if ("target" in insn) {
        if (insn.target.kind === "label") this.labelUses.push({ name: insn.target.name, loc: last.loc });
        this.sink().push({ kind: "instruction", insn, loc: headLoc, text: statementText, targetLoc: last.loc });
      } else {
        this.sink().push({ kind: "instruction", insn, loc: headLoc, text: statementText });
      }
    }
  }

  private defineLabel(t: Token, loc: SourceLocation): void {
    if (t.kind === "number") {
      this.sink().push({ kind: "local-label", number: Number(t.value), loc });
      return;
    }
    const previous = this.definedLabels.get(t.text);
    if (previous !== undefined) throw new AsmError(loc, `symbol '${t.text}' is already defined at line ${previous.line}`);
    this.definedLabels.set(t.text, loc);
    this.sink().push({ kind: "label", name: t.text, loc });
  }

  private directive(word: string, tokens: Token[], text: string, column: number, loc: SourceLocation, headLoc: SourceLocation): void {
    if (IGNORED_DIRECTIVES.has(word)) return;
    if (word === ".macro") {
      const names = tokens.filter((t) => !(t.kind === "punct" && t.text === ","));
      if (names.length === 0 || names.some((t) => t.kind !== "ident")) throw new AsmError(headLoc, ".macro needs a name and optional parameter names");
      this.capturing = { name: names[0].text, params: names.slice(1).map((t) => t.text), body: [], loc: headLoc };
      return;
    }
    if (word === ".endm") throw new AsmError(headLoc, ".endm without .macro");
    if (word === ".equ" || word === ".set") {
      const ops = splitOperands(tokens, text, column, loc);
      if (ops.length !== 2 || ops[0].tokens.length !== 1 || ops[0].tokens[0].kind !== "ident") {
        throw new AsmError(headLoc, `${word} expects a name and a value`);
      }
      this.constants.set(ops[0].tokens[0].text, new ExpressionParser(ops[1].tokens, ops[1].loc, this.lookup).parseAll());
      return;
    }
    throw new AsmError(headLoc, `unknown directive '${word}'`);
  }

  private alternativeDirective(word: string, tokens: Token[], loc: SourceLocation): void {
    switch (word) {
      case "alternative_if_not":
      case "alternative_if": {
        if (this.alternative !== undefined) throw new AsmError(loc, `${word} inside another alternative block`);
        // The name bare, or quoted as a generated .S writes a name cpp must not see (`"x0"`).
        const t = tokens.length === 1 ? tokens[0] : undefined;
        const capability = t?.kind === "ident" ? t.text : t?.kind === "string" && /^"[A-Za-z_][A-Za-z0-9_]*"$/.test(t.text) ? t.text.slice(1, -1) : undefined;
        if (capability === undefined) throw new AsmError(loc, `${word} expects one capability name`);
        this.alternative = { capability, ifPresent: word === "alternative_if", loc, first: [], second: undefined };
        return;
      }
      case "alternative_else": {
        const alt = this.openAlternative(word, loc, tokens);
        if (alt.second !== undefined) throw new AsmError(loc, "alternative_else appears twice in one alternative block");
        alt.second = [];
        return;
      }
      case "alternative_endif":
      case "alternative_else_nop_endif": {
        const alt = this.openAlternative(word, loc, tokens);
        if (word === "alternative_else_nop_endif") {
          if (alt.second !== undefined) throw new AsmError(loc, "alternative_else_nop_endif after alternative_else");
          // The other side is as many nops as the first side has instructions.
          alt.second = Array.from({ length: instructionCount(alt.first) }, () => ({ kind: "instruction" as const, insn: { op: "nop" as const }, loc, text: "nop" }));
        }
        const second = alt.second ?? [];
        const a = instructionCount(alt.first);
        const b = instructionCount(second);
        if (a !== b) {
          throw new AsmError(loc, `alternative sides differ in length: ${a} instruction${a === 1 ? "" : "s"} before alternative_else, ${b} after`);
        }
        this.alternative = undefined;
        this.sink().push({
          kind: "alternative",
          capability: alt.capability,
          whenPresent: alt.ifPresent ? alt.first : second,
          whenAbsent: alt.ifPresent ? second : alt.first,
          loc: alt.loc,
        });
        return;
      }
      default:
        throw new AsmError(loc, `unknown mnemonic '${word}'`);
    }
  }

  private openAlternative(word: string, loc: SourceLocation, tokens: Token[]): OpenAlternative {
    if (this.alternative === undefined) throw new AsmError(loc, `${word} without alternative_if or alternative_if_not`);
    if (tokens.length !== 0) throw new AsmError(loc, `${word} takes no operands`);
    return this.alternative;
  }

  private expandMacro(macro: Macro, tokens: Token[], text: string, column: number, loc: SourceLocation, headLoc: SourceLocation, depth: number): void {
    if (depth >= MAX_MACRO_DEPTH) throw new AsmError(headLoc, `macro expansion deeper than ${MAX_MACRO_DEPTH} (recursive macro '${macro.name}'?)`);
    const args = tokens.length === 0 ? [] : splitOperands(tokens, text, column, loc).map((o) => o.text);
    if (args.length > macro.params.length) throw new AsmError(headLoc, `macro '${macro.name}' takes ${macro.params.length} arguments, got ${args.length}`);
    for (const line of macro.body) {
      let body = line.text;
      macro.params.forEach((p, i) => {
        body = body.split(`\\${p}`).join(args[i] ?? "");
      });
      try {
        this.statement(body, line.loc, depth + 1, headLoc);
      } catch (e) {
        // Report errors inside an expansion at the invocation, naming the macro (innermost wins).
        if (e instanceof AsmError && !e.reason.includes("(in macro")) throw new AsmError(headLoc, `${e.reason} (in macro '${macro.name}')`);
        throw e;
      }
    }
  }
}

/** Parses a program once; load it with loadProgram for each capability set. */
export function parseProgram(source: string, options: ParseOptions = {}): ParsedProgram {
  const file = options.file ?? "<input>";
  const extra = options.constants instanceof Map ? options.constants : new Map(Object.entries(options.constants ?? {}));
  const builder = new ProgramBuilder(extra);
  const externals = options.externals ?? DEFAULT_EXTERNALS;
  builder.externals = new Set(externals instanceof Map ? externals.keys() : (externals as Iterable<string>));
  builder.feedSource(BUILTIN_MACRO_SOURCE, BUILTIN_MACRO_FILE);
  builder.feedSource(source.startsWith("\uFEFF") ? source.slice(1) : source, file); // a UTF-8 byte order mark is not text
  builder.finish();
  return { file, items: builder.items, externals: builder.externals, ...(externals instanceof Map ? { externalNames: externals } : {}) };
}
