// The AT operations, derived from dsl/arch/aarch64-at.fault (generated/arch-facts.ts) and nowhere
// else: their names (upper case as the rule language and HypApi write them, lower case as the
// assembler, scenarios and equiv do), what each translates (stages, whose permissions, which
// direction) and their SYS encodings op1:CRn:CRm:op2.
import { AtEncoding, AtOperation } from "../../../generated/arch-facts.ts";

/** An AT operation as the Arm ARM names it: S1E1R, ..., S12E0W. */
export type AtOperationName = keyof typeof AtOperation;
/** The same operation in lower case, as an assembler writes it: s1e1r, ..., s12e0w. */
export type AtKind = Lowercase<AtOperationName>;

/** Every AT operation the model runs, in dsl/arch's order. */
export const AT_OPERATIONS: readonly AtOperationName[] = Object.keys(AtOperation) as AtOperationName[];
export const AT_KINDS: readonly AtKind[] = AT_OPERATIONS.map((n) => n.toLowerCase() as AtKind);

export function isAtKind(s: string): s is AtKind {
  return (AT_KINDS as readonly string[]).includes(s);
}

export function isAtOperationName(s: string): s is AtOperationName {
  return (AT_OPERATIONS as readonly string[]).includes(s);
}

const KIND_OF: ReadonlyMap<string, AtKind> = new Map(AT_OPERATIONS.map((n, i) => [n, AT_KINDS[i]]));

export function atKindOf(name: AtOperationName): AtKind {
  // A HypApi at() asks on every run: the kept lower-case name, not a new string each time.
  return KIND_OF.get(name) ?? (name.toLowerCase() as AtKind);
}

export function atOperationOf(kind: AtKind): AtOperationName {
  return kind.toUpperCase() as AtOperationName;
}

/** What an AT operation translates, read from its name S<stages>E<el><R|W|A>. */
export interface AtTraits {
  /** 1: stage 1 only (the IPA when stage 2 is on); 12: stages 1 and 2 (the PA). */
  readonly stages: 1 | 12;
  /** Whose stage-1 permissions are checked. */
  readonly el: 0 | 1;
  /** read/write: the permission checked; any: none (S1E1A). */
  readonly access: "read" | "write" | "any";
}

const NAME = /^S(1|12)E([01])([RWA])$/;

export function atTraits(op: AtKind | AtOperationName): AtTraits {
  return TRAITS.get(op) ?? traitsOfName(op);
}

function traitsOfName(op: string): AtTraits {
  const m = NAME.exec(op.toUpperCase());
  if (m === null) throw new Error(`internal: AT operation ${op} does not read as S<stages>E<el><R|W|A>`);
  return Object.freeze({ stages: m[1] === "12" ? 12 : 1, el: m[2] === "0" ? 0 : 1, access: m[3] === "R" ? "read" : m[3] === "W" ? "write" : "any" });
}

/** Every operation's traits under both spellings, read once (the machine asks on every AT). */
const TRAITS: ReadonlyMap<string, AtTraits> = new Map(
  AT_OPERATIONS.flatMap((n, i) => {
    const t = traitsOfName(n);
    return [[n, t], [AT_KINDS[i], t]] as const;
  }),
);

/** The SYS fields of an AT operation (op0 = 0b01; Xt is the VA). */
export interface AtSysFields {
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
}

const fieldOf = (value: number, f: { msb: number; lsb: number }): number => (value >> f.lsb) & ((1 << (f.msb - f.lsb + 1)) - 1);

export function atSysFields(op: AtKind | AtOperationName): AtSysFields {
  const v = AtOperation[op.toUpperCase() as AtOperationName];
  return { op1: fieldOf(v, AtEncoding.op1), crn: fieldOf(v, AtEncoding.CRn), crm: fieldOf(v, AtEncoding.CRm), op2: fieldOf(v, AtEncoding.op2) };
}

const BY_ENCODING: ReadonlyMap<string, AtKind> = new Map(
  AT_KINDS.map((k) => {
    const f = atSysFields(k);
    return [`${f.op1}:${f.crn}:${f.crm}:${f.op2}`, k];
  }),
);

/** The AT operation SYS #op1, C<crn>, C<crm>, #op2 performs, or undefined for another system instruction. */
export function atKindByEncoding(f: AtSysFields): AtKind | undefined {
  return BY_ENCODING.get(`${f.op1}:${f.crn}:${f.crm}:${f.op2}`);
}

/** The operation with these traits (the inverse of atTraits). */
export function atKindOfTraits(t: AtTraits): AtKind {
  const kind = `s${t.stages}e${t.el}${t.access === "read" ? "r" : t.access === "write" ? "w" : "a"}`;
  if (!isAtKind(kind)) throw new Error(`internal: no AT operation ${kind}`);
  return kind;
}
