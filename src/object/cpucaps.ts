// Capability numbers to names, from the build tree an object came from. An alt_instr entry
// holds only a number (ARM64_WORKAROUND_834220 is 69 in one 6.12 build and something else in
// another), so the names must come from the tree the object was built in: the generated
// arch/arm64/include/generated/asm/cpucap-defs.h (Linux 6.3 and later), or its older spellings
// (generated asm/cpucaps.h in 6.1 and 6.2, the hand-written asm/cpucaps.h before), found by walking
// up from the object's folder. For an object outside its tree, the header is named explicitly.
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { foldersAbove } from "./build-tree.ts";
import { ObjectError } from "./errors.ts";

/** Where each kernel generation keeps the numbers, relative to the tree root, newest first. */
export const CPUCAP_HEADERS: readonly string[] = [
  "arch/arm64/include/generated/asm/cpucap-defs.h",
  "arch/arm64/include/generated/asm/cpucaps.h",
  "arch/arm64/include/asm/cpucaps.h",
];

export interface CapabilityNames {
  /** The header the names were read from. */
  readonly header: string;
  readonly byNumber: ReadonlyMap<number, string>;
  readonly byName: ReadonlyMap<string, number>;
  /** ARM64_NCAPS, when the header defines it. */
  readonly count?: number;
}

/** Parses `#define ARM64_<NAME> <number>` lines (ARM64_NCAPS is the count, not a capability). */
export function parseCpucapHeader(text: string, header: string): CapabilityNames {
  const byNumber = new Map<number, string>();
  const byName = new Map<string, number>();
  let count: number | undefined;
  text.split("\n").forEach((line, i) => {
    const m = /^\s*#\s*define\s+(ARM64_[A-Za-z0-9_]+)\s+(0x[0-9a-fA-F]+|[0-9]+)\s*(?:\/\*.*\*\/\s*|\/\/.*)?$/.exec(line);
    if (m === null) return;
    const [, name, digits] = m;
    const value = Number(digits);
    if (name === "ARM64_NCAPS") {
      count = value;
      return;
    }
    const other = byNumber.get(value);
    if (other !== undefined) throw new ObjectError(header, `line ${i + 1}: ${name} and ${other} both have number ${value}`);
    byNumber.set(value, name);
    byName.set(name, value);
  });
  if (byNumber.size === 0) throw new ObjectError(header, "no '#define ARM64_<name> <number>' lines: this is not a cpucaps header");
  return { header, byNumber, byName, ...(count !== undefined ? { count } : {}) };
}

/** The cpucaps header of the tree holding `objectPath`: the nearest folder above it with one. */
export function findCpucapHeader(objectPath: string): string | undefined {
  for (const dir of foldersAbove(objectPath)) {
    for (const rel of CPUCAP_HEADERS) {
      const candidate = path.join(dir, rel);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
  }
  return undefined;
}

/**
 * The capability names for an object: from `override` when given (a header path), else from the
 * build tree found above the object. The header is named relative to the current folder in
 * reports, so that they do not carry a machine's absolute paths.
 */
export function loadCapabilityNames(objectPath: string, override?: string): CapabilityNames {
  const header = override ?? findCpucapHeader(objectPath);
  if (header === undefined) {
    throw new ObjectError(objectPath, `no ${CPUCAP_HEADERS[0]} (or ${CPUCAP_HEADERS.slice(1).join(", or ")}) in any folder above the object, so its capability numbers cannot be named; name the build tree's header explicitly`);
  }
  let text: string;
  try {
    text = readFileSync(header, "utf8");
  } catch {
    throw new ObjectError(header, `cannot read the cpucaps header '${header}'`);
  }
  return parseCpucapHeader(text, path.relative(process.cwd(), header) || header);
}
