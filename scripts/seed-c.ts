// The seed's own C, compiled: the switch.c hunk of "[PATCH v2 19/21] arm64: KVM: Move most of the
// fault decoding to C" is read out of the review (../shared/seed/000_b177247cef8b16d1.txt) at build
// time, every added line of the hunk in order and nothing else (the reviewer's interleaved text is
// not quoted with "> +"), put after faultc's stand-ins for the kernel API
// (include/seed-2016/kvm-hyp.h) and compiled with aarch64-linux-gnu-gcc -O2 -g, as a kernel would
// compile hyp code. The object is laid out like a build tree (arch/arm64/include/asm/cpucaps.h
// names the two capabilities), so that faultc reads it as it reads a kernel's:
//
//   npx tsx scripts/seed-c.ts [OUT_DIR]     (default .cache/seed-c; prints the object's path)
//   npx faultc equiv refs/kvm-2016-before.S .cache/seed-c/arch/arm64/kvm/hyp/switch.o:__populate_fault_info
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/**
 * The review the seed's C is read from: $FAULTC_SEED_FILE, or the workplace's shared folder beside
 * the checkout (../shared/seed/). It is an input, never copied into the tree; where it is not
 * readable, nothing is built and the tests that need it skip, saying so.
 */
export const SEED_FILE = path.resolve(process.env.FAULTC_SEED_FILE ?? path.join(ROOT, "..", "shared", "seed", "000_b177247cef8b16d1.txt"));
export const seedAvailable = (): boolean => existsSync(SEED_FILE);
export const SEED_OBJECT = "arch/arm64/kvm/hyp/switch.o";

/** The capability numbers of the stand-in tree (faultc's choice; the seed does not give the 2016 numbering). */
const CPUCAPS = `/* faultc's stand-in for a 2016 tree's asm/cpucaps.h: the two capabilities the seed's hyp code tests. */
#define ARM64_WORKAROUND_834220 7
#define ARM64_HAS_VIRT_HOST_EXTN 11
#define ARM64_NCAPS 12
`;

export class SeedError extends Error {}

/**
 * The added lines of the seed's first switch.c hunk, without their "> +" quote and diff marks,
 * each with its line number in the seed. The review prints the patch quoted with "> "; its second
 * switch.c hunk (__guest_run's `goto again`) is the caller, not the function, and is left out.
 */
export function extractSwitchHunk(seedText: string): { text: string; lines: number[] } {
  const all = seedText.split("\n");
  const diff = all.findIndex((l) => l.startsWith("> diff --git a/arch/arm64/kvm/hyp/switch.c"));
  if (diff < 0) throw new SeedError("the seed has no switch.c diff");
  const hunks = all.map((l, i) => ({ l, i })).filter(({ l, i }) => i > diff && l.startsWith("> @@ "));
  // The first hunk adds the <linux/types.h> include; the second, __populate_fault_info.
  const start = hunks.find(({ l }) => l.includes("__vgic_restore_state") || / \+151,/.test(l));
  if (start === undefined) throw new SeedError("the seed's switch.c diff has no hunk at __vgic_restore_state");
  const end = hunks.find(({ i }) => i > start.i)?.i ?? all.length;
  const out: string[] = [];
  const lines: number[] = [];
  for (let i = start.i + 1; i < end; i++) {
    const l = all[i];
    if (!l.startsWith("> +")) continue;
    out.push(l.slice(3));
    lines.push(i + 1);
  }
  if (!out.some((l) => l.includes("__populate_fault_info"))) throw new SeedError("the extracted hunk does not define __populate_fault_info");
  return { text: out.join("\n") + "\n", lines };
}

/** Builds the object into `outDir`; returns its path. */
export function buildSeedC(outDir: string, seedFile = SEED_FILE): string {
  if (!existsSync(seedFile)) throw new SeedError(`the seed is not at ${seedFile} (set FAULTC_SEED_FILE to the review's text)`);
  const seed = readFileSync(seedFile, "utf8");
  const hunk = extractSwitchHunk(seed);
  const asmDir = path.join(outDir, "arch", "arm64", "include", "asm");
  const srcDir = path.join(outDir, "arch", "arm64", "kvm", "hyp");
  mkdirSync(asmDir, { recursive: true });
  mkdirSync(srcDir, { recursive: true });
  writeFileSync(path.join(asmDir, "cpucaps.h"), CPUCAPS);
  const source = path.join(srcDir, "switch.c");
  writeFileSync(
    source,
    `/* Built by faultc's scripts/seed-c.ts: faultc's stand-ins, then the switch.c hunk of the seed's patch (${path.basename(seedFile)}, lines ${hunk.lines[0]}-${hunk.lines[hunk.lines.length - 1]}). */\n#include <kvm-hyp.h>\n${hunk.text}`,
  );
  const object = path.join(outDir, SEED_OBJECT);
  const tmp = `${object}.tmp-${process.pid}`;
  execFileSync(
    "aarch64-linux-gnu-gcc",
    ["-O2", "-g", "-std=gnu11", "-ffreestanding", "-fno-common", "-mgeneral-regs-only", "-Wall", "-Werror", "-Wno-unused-function",
      "-I", path.join(ROOT, "include", "seed-2016"), "-I", path.join(outDir, "arch", "arm64", "include"), "-c", source, "-o", tmp],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  renameSync(tmp, object);
  return object;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, ".cache", "seed-c"));
  try {
    console.log(path.relative(process.cwd(), buildSeedC(out)));
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? "";
    process.stderr.write(`seed-c: ${(e as Error).message.split("\n")[0]}\n${stderr}`);
    process.exit(1);
  }
}
