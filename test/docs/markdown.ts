// The examples in README.md and docs/*.md, as test/docs/examples.test.ts reads them: fenced
// blocks with their info strings and lines, shell sessions split into commands and the output
// printed under each, and the matching of printed text against real text, where a line `...`
// stands for any lines and `…` inside a line for any characters. Not a test file.

export interface Block {
  /** The document, as named in test names: README.md, docs/RUN.md. */
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's words: ["fault", "continued"]; empty when there is none. */
  info: string[];
  /** The block's lines, without the fences and the fence's indentation. */
  lines: string[];
}

export function fencedBlocks(doc: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close !== null && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    blocks.push({ doc, line: i + 1, info: info.trim().split(/\s+/).filter((w) => w !== ""), lines: body });
    i = j;
  }
  return blocks;
}

export interface ShellCommand {
  /** 1-based line of the `$ ` in the document. */
  line: number;
  /** The command as printed, continuation lines joined. */
  command: string;
  /** The exit status the command's `# exit N` comment states; 0 without one. */
  exit: number;
  /** The lines printed under it, up to the next command. */
  output: string[];
}

/** A shell session: `$ COMMAND` lines (a trailing `\` continues one), each followed by its output. */
export function shellCommands(block: Block): ShellCommand[] {
  const commands: ShellCommand[] = [];
  for (let i = 0; i < block.lines.length; i++) {
    const line = block.lines[i];
    if (!line.startsWith("$ ")) {
      if (commands.length === 0) throw new Error(`${block.doc}:${block.line + 1 + i}: a session starts with a '$ ' command line, not '${line}'`);
      commands[commands.length - 1].output.push(line);
      continue;
    }
    const at = block.line + 1 + i;
    let command = line.slice(2);
    while (command.endsWith("\\") && i + 1 < block.lines.length) command = command + "\n" + block.lines[++i];
    const exit = /\s#\s*exit (\d+)\s*$/.exec(command);
    commands.push({ line: at, command, exit: exit ? Number(exit[1]) : 0, output: [] });
  }
  return commands;
}

/** The file an excerpt is of, named on its first line: `// dsl/x.fault (excerpt)...`, or the same as a C or shell comment. */
export function excerptOf(block: Block): string | undefined {
  const m = /^(?:\/\/|\/\*|#)\s*(\S+) \(excerpt\)/.exec(block.lines[0] ?? "");
  return m?.[1];
}

function linePattern(line: string): RegExp {
  const parts = line.trimEnd().split("…").map((p) => p.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}

export interface LineMatch {
  ok: boolean;
  /** When it fails: the first printed line (0-based in `pattern`) that no way of matching gets past. */
  failedAt?: number;
}

/**
 * Whether the real lines are the printed ones: each printed line equals a real line (trailing
 * white space aside; `…` in it matches any characters), in order and with nothing between,
 * except that a printed line `...` matches any number of real lines.
 */
export function matchLines(pattern: string[], actual: string[]): LineMatch {
  const regexes = pattern.map((p) => (p.trim() === "..." ? undefined : linePattern(p)));
  const real = actual.map((l) => l.trimEnd());
  // reach[j] after step i: the first i printed lines can match the first j real lines.
  let reach = new Array<boolean>(real.length + 1).fill(false);
  reach[0] = true;
  for (let i = 0; i < regexes.length; i++) {
    const next = new Array<boolean>(real.length + 1).fill(false);
    const re = regexes[i];
    let any = false;
    for (let j = 0; j <= real.length; j++) {
      if (re === undefined) {
        any ||= reach[j];
        next[j] = any;
      } else if (reach[j] && j < real.length && re.test(real[j])) {
        next[j + 1] = true;
      }
    }
    if (!next.some((x) => x)) return { ok: false, failedAt: i };
    reach = next;
  }
  return reach[real.length] ? { ok: true } : { ok: false, failedAt: regexes.length };
}

/**
 * Whether printed JSON is an excerpt of real JSON text: with white space outside strings left
 * out, its pieces between `…` occur in the real text in order (the first at the start, unless
 * the excerpt starts with `…`).
 */
export function matchJsonExcerpt(printed: string, real: string): { ok: boolean; missing?: string } {
  const pieces = compactJson(printed).split("…");
  let at = 0;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if (p === "") continue;
    const found = i === 0 ? (real.startsWith(p) ? 0 : -1) : real.indexOf(p, at);
    if (found < 0) return { ok: false, missing: p };
    at = found + p.length;
  }
  return { ok: true };
}

/** JSON text without the white space outside strings. */
function compactJson(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (!/\s/.test(c)) {
      out += c;
      if (c === '"') inString = true;
    }
  }
  return out;
}
