// The comments of a rule file that document its declarations, found by position, since the
// lexer skips comments and the AST keeps none. A declaration (or enum member, layout field,
// record field) is documented by the comment lines directly above it (no blank line between,
// each starting its own line) and by a comment after it on its last line. The comments before
// the file's first token document the file. A line of dashes opening a comment
// (`// ------ register layouts`) titles a group of declarations in the file, not one of them,
// and is left out.
import type { Range } from "../parser/ast.ts";
import type { SourceText } from "../parser/source.ts";
import { ruleLexer, tokenEnd } from "../parser/tokens.ts";

interface Comment {
  start: number;
  end: number;
  /** The comment's lines without the comment markers. */
  lines: string[];
}

export class DocComments {
  private readonly comments: Comment[] = [];
  /** Offset of the first token; comments before it document the file. */
  private readonly firstToken: number;

  constructor(private readonly source: SourceText) {
    const text = source.text;
    const tokens = ruleLexer.tokenize(text).tokens;
    this.firstToken = tokens.length > 0 ? tokens[0].startOffset : text.length;
    // Between two tokens there is only white space and comments, so a plain scan finds the
    // comments exactly (a `//` inside a string is inside a token, never in a gap).
    let gapStart = 0;
    for (const t of [...tokens, undefined]) {
      const gapEnd = t === undefined ? text.length : t.startOffset;
      for (const m of text.slice(gapStart, gapEnd).matchAll(/\/\/[^\n\r]*|\/\*[\s\S]*?\*\//g)) {
        const start = gapStart + (m.index ?? 0);
        this.comments.push({ start, end: start + m[0].length, lines: commentLines(m[0]) });
      }
      if (t !== undefined) gapStart = tokenEnd(t);
    }
  }

  /** The paragraphs documenting the whole file. */
  file(): string[] {
    return paragraphs(this.comments.filter((c) => c.end <= this.firstToken).flatMap((c) => c.lines));
  }

  /** The paragraphs documenting the item at `range`: the comment lines above it, then the one after it. */
  of(range: Range): string[] {
    return paragraphs([...this.aboveLines(range), ...this.afterLines(range)]);
  }

  /**
   * The same for one of a run of declarations on consecutive lines (`external a;` `external b;`):
   * the comment above the run documents each of them, unless one has a comment above of its own.
   */
  ofRun(run: Range[], index: number): string[] {
    let first = index;
    while (first > 0 && this.aboveLines(run[first]).length === 0 && run[first - 1].end.line + 1 === run[first].start.line) first--;
    return paragraphs([...this.aboveLines(run[first]), ...this.afterLines(run[index])]);
  }

  private aboveLines(range: Range): string[] {
    const text = this.source.text;
    const above: Comment[] = [];
    let next = range.start.offset;
    for (let i = this.lastEndingBefore(next); i >= 0; i--) {
      const c = this.comments[i];
      if (c.start < this.firstToken || !/^[ \t]*\r?\n[ \t]*$/.test(text.slice(c.end, next)) || !this.startsLine(c.start)) break;
      above.unshift(c);
      next = c.start;
    }
    return above.flatMap((c) => c.lines);
  }

  private afterLines(range: Range): string[] {
    const text = this.source.text;
    const after = this.comments.find((c) => c.start >= range.end.offset && /^[ \t;,]*$/.test(text.slice(range.end.offset, c.start)));
    return after ? ["", ...after.lines] : [];
  }

  private lastEndingBefore(offset: number): number {
    let i = this.comments.length - 1;
    while (i >= 0 && this.comments[i].end > offset) i--;
    return i;
  }

  private startsLine(offset: number): boolean {
    const lineStart = this.source.text.lastIndexOf("\n", offset - 1) + 1;
    return /^[ \t]*$/.test(this.source.text.slice(lineStart, offset));
  }
}

function commentLines(comment: string): string[] {
  if (comment.startsWith("//")) return [comment.slice(2).replace(/^ /, "")];
  return comment
    .slice(2, -2)
    .split(/\r?\n/)
    .map((l) => l.replace(/^[ \t]*\*?[ \t]?/, "").trimEnd());
}

/** Lines to paragraphs: a blank line separates them, a title line of dashes is dropped. */
function paragraphs(lines: string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) out.push(current.join(" "));
    current = [];
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (/^-{4,}/.test(line)) {
      flush();
      continue;
    }
    if (line === "") flush();
    else current.push(line);
  }
  flush();
  return out;
}
