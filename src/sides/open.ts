// The one way to open a side by name: parse the name (name.ts), then the kind's opener. Adding a
// kind is a file with its opener and its line in OPENERS (and its name's form in name.ts).
import { SideError } from "./errors.ts";
import { openAssembly } from "./assembly.ts";
import { KIND_DESCRIPTIONS, parseSideName, type SideKind, type SideName } from "./name.ts";
import { openObject } from "./object.ts";
import { openReference } from "./reference.ts";
import { openRuleFile } from "./rule-file.ts";
import type { OpenOptions, Side } from "./side.ts";

type Opener<K extends SideKind> = (name: Extract<SideName, { kind: K }>, options: OpenOptions) => Side | Promise<Side>;

/** Every kind's opener; `undefined` for a kind whose names are reserved but that cannot be opened yet. */
const OPENERS: { readonly [K in SideKind]: Opener<K> | undefined } = {
  assembly: openAssembly,
  "rule-file": openRuleFile,
  reference: openReference,
  object: openObject,
};

const OPENABLE = (Object.keys(KIND_DESCRIPTIONS) as SideKind[]).filter((k) => OPENERS[k] !== undefined);

function listed(words: string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** Opens the side `spec` names. Throws SideError: usage for a bad name, input for what it points at. */
export async function openSide(spec: string, options: OpenOptions = {}): Promise<Side> {
  const name = parseSideName(spec);
  if (name === undefined) throw SideError.usage(`'${spec}' is not a target: expected ${listed(OPENABLE.map((k) => KIND_DESCRIPTIONS[k]))}`);
  const open = OPENERS[name.kind] as Opener<typeof name.kind> | undefined;
  if (open === undefined) throw SideError.usage(`'${spec}': ${KIND_DESCRIPTIONS[name.kind]} cannot be opened by this version of faultc`);
  return await open(name, options);
}
