// The one JSON reader of scenarios: the value JSON.parse would give (with two strictnesses more: a
// key may not appear twice in an object, and a UTF-8 byte order mark before the text is ignored),
// and where in the text each key and each value starts, so that an error in a scenario file is
// reported at its line and column (`file:line:col: error: ...`), whichever form the scenario has.
//
// It is iterative (an explicit stack, no recursion), so a value nested 200,000 arrays deep costs no
// stack, as with JSON.parse. Positions are kept beside the value, per container (a WeakMap from each
// parsed object or array to the offsets of its members), and turned into line and column only when
// an error asks for one.

/** A place in the text: 1-based line and column (columns count UTF-16 code units, as editors do). */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** A path into a JSON value: object keys and array indexes, from the root. */
export type JsonPath = readonly (string | number)[];

/** A syntax error: what is wrong and the offset in the text where it was found. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

interface Members {
  /** Offset of each member's value (by key, or by index for an array). */
  readonly values: Map<string | number, number>;
  /** Offset of each key's opening quote (objects only). */
  readonly keys: Map<string, number>;
}

/** A parsed JSON text and where its parts are. */
export class PositionedJson {
  constructor(
    readonly text: string,
    readonly value: unknown,
    private readonly rootOffset: number,
    private readonly members: WeakMap<object, Members>,
  ) {}

  /** Offset of the value at `path` (or of its key, for `of: "key"`); undefined when there is none. */
  offsetOf(path: JsonPath, of: "value" | "key" = "value"): number | undefined {
    if (path.length === 0) return this.rootOffset;
    let node: unknown = this.value;
    for (let i = 0; i < path.length; i++) {
      if (typeof node !== "object" || node === null) return undefined;
      const m = this.members.get(node);
      if (m === undefined) return undefined;
      const step = path[i];
      if (i === path.length - 1) return of === "key" && typeof step === "string" ? m.keys.get(step) : m.values.get(step);
      node = (node as Record<string | number, unknown>)[step];
    }
    return undefined;
  }

  /** The line and column of the value at `path` (or its key); the nearest enclosing value's when it has none. */
  positionOf(path: JsonPath, of: "value" | "key" = "value"): TextPosition {
    for (let n = path.length; n >= 0; n--) {
      const offset = this.offsetOf(path.slice(0, n), n === path.length ? of : "value");
      if (offset !== undefined) return positionAt(this.text, offset);
    }
    return positionAt(this.text, this.rootOffset);
  }
}

/** The line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  // A byte order mark is no column of the first line (an editor does not show it).
  const bom = line === 1 && text.startsWith("\uFEFF") && offset > 0 ? 1 : 0;
  return { line, column: offset - lineStart + 1 - bom };
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A character as an error quotes it. */
function shown(ch: string | undefined): string {
  if (ch === undefined) return "the end of the text";
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `character U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `'${ch}'`;
}

type Frame =
  | { kind: "array"; node: unknown[]; members: Members }
  | { kind: "object"; node: Record<string, unknown>; members: Members; key: string };

/** Parses `text` (a byte order mark before it is skipped); throws JsonSyntaxError. */
export function parseJsonWithPositions(text: string): PositionedJson {
  let i = text.startsWith("\uFEFF") ? 1 : 0;
  const members = new WeakMap<object, Members>();
  const stack: Frame[] = [];
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const skip = (): void => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // the opening quote
    let out = "";
    let run = i;
    for (;;) {
      if (i >= text.length) fail("a string is not closed", start);
      const ch = text[i];
      if (ch === '"') break;
      if (ch.charCodeAt(0) < 0x20) fail(`${shown(ch)} in a string (write it as an escape)`);
      if (ch === "\\") {
        out += text.slice(run, i);
        const e = text[i + 1];
        if (e === "u") {
          const digits = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail("\\u must be followed by four hex digits");
          out += String.fromCharCode(parseInt(digits, 16));
          i += 6;
        } else if (e !== undefined && ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          i += 2;
        } else {
          fail(`unknown escape '\\${e ?? ""}' in a string`);
        }
        run = i;
        continue;
      }
      i++;
    }
    out += text.slice(run, i);
    i++; // the closing quote
    return out;
  };

  // Where the value just read goes: the root, the array on top, or the object on top's member.
  let root: unknown;
  let rootOffset = -1;
  const place = (value: unknown, offset: number): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = value;
      rootOffset = offset;
    } else if (top.kind === "array") {
      top.members.values.set(top.node.length, offset);
      top.node.push(value);
    } else {
      top.members.values.set(top.key, offset);
      // defineProperty, as JSON.parse does: a key "__proto__" is a plain member, not the prototype.
      Object.defineProperty(top.node, top.key, { value, writable: true, enumerable: true, configurable: true });
    }
  };
  /** Reads a key and its colon into the object on top. */
  const readKey = (frame: Frame & { kind: "object" }): void => {
    skip();
    if (text[i] !== '"') fail(`expected a key (a string in double quotes), got ${shown(text[i])}`);
    const at = i;
    const key = readString();
    if (frame.members.keys.has(key)) fail(`key ${JSON.stringify(key)} appears twice in an object`, at);
    frame.members.keys.set(key, at);
    frame.key = key;
    skip();
    if (text[i] !== ":") fail(`expected ':' after the key ${JSON.stringify(key)}, got ${shown(text[i])}`);
    i++;
  };

  for (;;) {
    // A value.
    skip();
    const start = i;
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      i++;
      const m: Members = { values: new Map(), keys: new Map() };
      const node = ch === "{" ? {} : [];
      members.set(node, m);
      place(node, start);
      skip();
      if (text[i] === (ch === "{" ? "}" : "]")) {
        i++;
      } else {
        const frame: Frame = ch === "{" ? { kind: "object", node: node as Record<string, unknown>, members: m, key: "" } : { kind: "array", node: node as unknown[], members: m };
        stack.push(frame);
        if (frame.kind === "object") readKey(frame);
        continue;
      }
    } else if (ch === '"') {
      place(readString(), start);
    } else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) fail(`a number must have digits after '-', got ${shown(text[i + 1])}`);
      i += m![0].length;
      place(Number(m![0]), start);
    } else {
      const word = /^(true|false|null)/.exec(text.slice(i, i + 5))?.[1];
      if (word === undefined) fail(`expected a value, got ${shown(ch)}`);
      i += word!.length;
      place(word === "true" ? true : word === "false" ? false : null, start);
    }

    // After a value: close containers, or go on to the next member.
    for (;;) {
      const top = stack[stack.length - 1];
      skip();
      if (top === undefined) {
        if (i < text.length) fail(`unexpected ${shown(text[i])} after the JSON value`);
        return new PositionedJson(text, root, rootOffset, members);
      }
      const close = top.kind === "object" ? "}" : "]";
      if (text[i] === ",") {
        i++;
        if (top.kind === "object") readKey(top);
        break;
      }
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      fail(`expected ',' or '${close}' after ${top.kind === "object" ? "a member of an object" : "an element of an array"}, got ${shown(text[i])}`);
    }
  }
}
