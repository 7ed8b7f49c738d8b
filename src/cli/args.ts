// A small, strict command-line parser: unknown flags, missing values and stray arguments are
// usage errors (exit 2), reported in one line.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value: `--out DIR` or `--out=DIR`. */
  value?: boolean;
  /** With value: may be given more than once; every value, in order, is in ParsedArgs.lists. */
  repeat?: boolean;
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  /** Every value of each repeatable flag given, in order (flags holds the last). */
  lists: Map<string, string[]>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--?/, "");
    const s = spec[name];
    if (s === undefined) throw new UsageError(`unknown option '${eq >= 0 ? arg.slice(0, eq) : arg}'`);
    if (flags.has(name) && !s.repeat) throw new UsageError(`option '--${name}' given twice`);
    if (s.value) {
      const v = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`option '--${name}' needs a value`);
      flags.set(name, v);
      if (s.repeat) lists.set(name, [...(lists.get(name) ?? []), v]);
    } else {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      flags.set(name, true);
    }
  }
  return { flags, lists, positionals };
}
