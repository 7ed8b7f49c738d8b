// Fuzzing the faultc command line: exit status 70 means a bug in faultc, so no command line and no
// input file may reach it, and none may print a stack trace.
//
// Command lines are drawn (seeded, so every run tries the same ones) from every subcommand, its
// flags, bad flag values and stray arguments, over input files that are missing, a directory,
// empty, binary junk, invalid UTF-8, with a byte order mark, and truncated copies of the bundled
// rule files (dsl/, with and without their arch/ imports), of the references and of scenario JSON
// lines. The command runs in-process (test/cli/harness.ts), as the bin runs it.
//
// Nothing may be written outside the test's own folder: build always gets --out or --check,
// railroad --out, and main only arguments it refuses before it builds generated/.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./harness.ts";

const SEED = 0x9_2016;

/** mulberry32: a small seeded generator; the same seed, the same cases. */
function prng(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const RULE_FILES = readdirSync("dsl").filter((f) => f.endsWith(".fault")).map((f) => path.join("dsl", f));
const ASSEMBLY_FILES = ["refs/kvm-2016-before.S", ...readdirSync("generated").filter((f) => f.endsWith(".S")).map((f) => path.join("generated", f))];
const SCENARIO_LINES = [
  '{"esr":"0x92000045","far":"0x1234","hpfar":"0x10","par":"0x0","at":{"ok":"0x80001000"},"caps":["ARM64_WORKAROUND_834220"],"midr":"0x411fd072","seed":7}',
  '{"esr":"0x9200004f","far":"0x1234","at":"fault"}',
  '{"esr":"0x92000007","far":"0x1234","at":{"s2fault":{"level":2,"fault":"permission"}}}',
  '{"esr":"0x5a000000","sysregs":{"VTTBR_EL2":"0x0"},"at":{"par":"0x801"}}',
  '{"esr":"0x1e000000","hpfar":"unknown","seed":3}',
];

interface Files {
  dir: string;
  ruleFiles: string[];
  assemblyFiles: string[];
  /** Files that are neither: missing, a directory, empty, junk, other names. */
  odd: string[];
  jsonl: string[];
}

const rnd = prng(SEED);
const files: Files = { dir: "", ruleFiles: [], assemblyFiles: [], odd: [], jsonl: [] };

function truncations(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(text.slice(0, rnd.int(text.length)));
  return out;
}

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), "faultc-cli-fuzz-"));
  files.dir = dir;
  const write = (name: string, content: string | Uint8Array): string => {
    const f = path.join(dir, name);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, content);
    return f;
  };
  // Rule files: truncated next to a copy of dsl/arch (imports resolve, the checker sees more), and alone.
  cpSync("dsl/arch", path.join(dir, "withimports", "arch"), { recursive: true });
  for (const f of RULE_FILES) {
    const text = readFileSync(f, "utf8");
    truncations(text, 4).forEach((t, i) => files.ruleFiles.push(write(`withimports/${path.basename(f, ".fault")}-${i}.fault`, t)));
    truncations(text, 2).forEach((t, i) => files.ruleFiles.push(write(`alone/${path.basename(f, ".fault")}-${i}.fault`, t)));
    files.ruleFiles.push(write(`withimports/${path.basename(f, ".fault")}-bom.fault`, "\uFEFF" + text));
  }
  // An arch file truncated under an importer that is whole.
  for (const arch of readdirSync("dsl/arch")) {
    const t = readFileSync(path.join("dsl/arch", arch), "utf8");
    const sub = `brokenarch-${arch}`;
    cpSync("dsl/arch", path.join(dir, sub, "arch"), { recursive: true });
    write(`${sub}/arch/${arch}`, t.slice(0, rnd.int(t.length)));
    files.ruleFiles.push(write(`${sub}/kvm-2016.fault`, readFileSync("dsl/kvm-2016.fault")));
  }
  for (const f of ASSEMBLY_FILES) {
    const text = readFileSync(f, "utf8");
    truncations(text, 3).forEach((t, i) => files.assemblyFiles.push(write(`asm/${path.basename(f, ".S")}-${i}.S`, t)));
    files.assemblyFiles.push(write(`asm/${path.basename(f, ".S")}-bom.S`, "\uFEFF" + text));
  }
  const junk = Uint8Array.from({ length: 300 }, () => rnd.int(256));
  const invalidUtf8 = Buffer.concat([Buffer.from("el1_sync:\n\teret\n// "), Buffer.from([0xc0, 0xaf, 0xff, 0xfe]), Buffer.from("\n")]);
  mkdirSync(path.join(dir, "a-directory.fault"));
  mkdirSync(path.join(dir, "a-directory.S"));
  files.odd.push(
    path.join(dir, "missing.fault"),
    path.join(dir, "missing.S"),
    path.join(dir, "no", "such", "dir.fault"),
    path.join(dir, "a-directory.fault"),
    path.join(dir, "a-directory.S"),
    write("empty.fault", ""),
    write("empty.S", ""),
    write("junk.fault", junk),
    write("junk.S", junk),
    write("invalid-utf8.S", invalidUtf8),
    write("invalid-utf8.fault", invalidUtf8),
    write("notes.txt", "not a handler\n"),
    dir,
    "-",
    "",
  );
  const lines = [...SCENARIO_LINES, ...SCENARIO_LINES.flatMap((l) => truncations(l, 3))];
  files.jsonl.push(
    "",
    "\n\n",
    SCENARIO_LINES.join("\n"),
    "\uFEFF" + SCENARIO_LINES.join("\r\n"),
    lines.join("\n"),
    Buffer.from(junk).toString("latin1"),
    `{"esr":${"[".repeat(100_000)}${"]".repeat(100_000)}}\n${SCENARIO_LINES[1]}`,
    `${"{\"a\":".repeat(50_000)}1${"}".repeat(50_000)}`,
    '{"esr":"0x1","sysregs":{"ESR_EL2":"0x2"}}\n{"esr":"0x1","caps":["ARM64_HAS_S1POE","ARM64_HAS_S1POE"]}\n{"esr":"0x1","sysregs":{"__proto__":"0x1"}}',
  );
});

afterAll(() => {
  if (files.dir !== "") rmSync(files.dir, { recursive: true, force: true });
});

const BAD_VALUES = ["", "0x", "zz", "-1", "0x1ffffffffffffffffff", "1e9", "ok:", "par:", "s2fault:9", "NaN", "\u0000", "x".repeat(300)];
const CAPS = ["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220", "ARM64_HAS_S1POE"];

function anyFile(): string {
  return rnd.pick([() => rnd.pick(files.ruleFiles), () => rnd.pick(files.assemblyFiles), () => rnd.pick(files.odd), () => rnd.pick(RULE_FILES)])();
}

function target(): string {
  const base = rnd.pick([...files.ruleFiles, ...RULE_FILES, ...files.odd]);
  return rnd.pick([
    () => rnd.pick(files.assemblyFiles),
    () => rnd.pick(files.odd),
    () => `${base}#${rnd.pick(["c", "asm", "x", ""])}`,
    () => `${base}#${rnd.pick(["c", "asm"])}:${rnd.pick(["el1_sync", "nope", ""])}`,
    () => rnd.pick(["ref:kvm-2016-before", "ref:kvm-2016-after", "ref:", "ref:nope", "refs/kvm-2016-before.S"]),
    () => `${rnd.pick([...files.odd, ...files.assemblyFiles])}${rnd.pick([".o", ".ko", ""])}:${rnd.pick(["el1_sync", "bad sym", "", "__kvm_hyp_handle_fpsimd"])}`,
  ])();
}

function scenarioFlags(): string[] {
  const out: string[] = [];
  const value = (good: () => string): string => (rnd.chance(0.2) ? rnd.pick(BAD_VALUES) : good());
  const hex = (): string => `0x${rnd.int(2 ** 31).toString(16)}`;
  if (rnd.chance(0.9)) out.push("--esr", value(() => rnd.pick(["0x92000007", "0x9200004f", "0x1e000000", "0x5a000000", hex()])));
  if (rnd.chance(0.4)) out.push("--far", value(() => rnd.pick(["0x1234", "0x1000000000000", "0xffff000000001000", hex()])));
  if (rnd.chance(0.3)) out.push("--hpfar", value(() => rnd.pick(["unknown", "0x10", hex()])));
  if (rnd.chance(0.3)) out.push("--par", value(hex));
  if (rnd.chance(0.3)) out.push("--at", value(() => rnd.pick(["fault", "ok:0x80001000", "par:0x801", "s2fault:2", "s2fault:1:access-flag", "ok:0x1000000000000"])));
  if (rnd.chance(0.3)) out.push("--caps", value(() => Array.from({ length: 1 + rnd.int(3) }, () => rnd.pick(CAPS)).join(",")));
  if (rnd.chance(0.2)) out.push("--midr", value(() => rnd.pick(["0x411fd072", "0x411fd073"])));
  if (rnd.chance(0.2)) out.push("--seed", value(() => String(rnd.int(1000))));
  if (rnd.chance(0.2)) out.push("--sysregs", value(() => rnd.pick(["VTTBR_EL2=0x0", "ESR_EL2=0x1", "NOPE=0x1", "VTTBR_EL2=0x0,VTTBR_EL2=0x1", "=", "ESR_EL1=zz"])));
  if (rnd.chance(0.1)) out.push("--entry", value(() => rnd.pick(["el1_sync", "el1_trap", "nope"])));
  if (rnd.chance(0.1)) out.push("--trace");
  return out;
}

function shuffleIn(argv: string[]): string[] {
  if (rnd.chance(0.15)) argv.splice(rnd.int(argv.length + 1), 0, rnd.pick(["--frob", "-x", "--", "--help=1", "extra", "--json=1"]));
  return argv;
}

/** One command line and the standard input it gets. */
function commandLine(): { argv: string[]; stdin: string } {
  const stdin = rnd.chance(0.5) ? rnd.pick(files.jsonl) : "";
  const kind = rnd.pick(["check", "check", "run", "run", "run", "run-jsonl", "build", "equiv", "refs", "railroad", "main", "top"]);
  const out = path.join(files.dir, "out");
  switch (kind) {
    case "check":
      return { argv: shuffleIn(["check", ...(rnd.chance(0.3) ? ["--json"] : []), ...Array.from({ length: 1 + rnd.int(2) }, anyFile)]), stdin: rnd.chance(0.5) ? readFileSync(rnd.pick(RULE_FILES), "utf8").slice(0, rnd.int(3000)) : stdin };
    case "run":
      return { argv: shuffleIn(["run", target(), ...scenarioFlags()]), stdin: rnd.chance(0.5) ? readFileSync(rnd.pick(ASSEMBLY_FILES), "utf8").slice(0, rnd.int(4000)) : stdin };
    case "run-jsonl": {
      // Mostly a good target, so that the lines are what is being tried.
      const t = rnd.chance(0.7) ? rnd.pick(["refs/kvm-2016-before.S", "ref:kvm-2016-after", "dsl/kvm-2016.fault#asm", "dsl/xen.fault#c"]) : target();
      return { argv: shuffleIn(["run", t, "--jsonl", ...(rnd.chance(0.2) ? ["--trace"] : [])]), stdin: rnd.pick(files.jsonl) };
    }
    case "build":
      return { argv: shuffleIn(["build", ...(rnd.chance(0.5) ? ["--check"] : []), "--out", rnd.chance(0.8) ? out : rnd.pick(files.odd.filter((f) => f !== "" && f !== "-")), ...Array.from({ length: rnd.int(2) }, anyFile)]), stdin };
    case "equiv":
      // One side is always a bad input (a proof on two good ones takes seconds, and is tested elsewhere).
      return { argv: shuffleIn(["equiv", "--no-sweep", "--timeout", "5000", rnd.pick([...files.odd, ...files.ruleFiles.slice(0, 4).map((f) => `${f}#c`)]), target(), ...(rnd.chance(0.3) ? ["--fills", rnd.pick(["0", "x", "3"])] : [])]), stdin };
    case "refs":
      return { argv: shuffleIn(["refs", ...(rnd.chance(0.5) ? [anyFile()] : [])]), stdin };
    case "railroad":
      return { argv: shuffleIn(["railroad", "--out", path.join(out, rnd.pick(["g.html", "x/y/g.html"])), ...(rnd.chance(0.3) ? [anyFile()] : [])]), stdin };
    case "main":
      // Only what main refuses before it builds: a folder that reads (even an empty one) would build generated/.
      return { argv: ["main", ...rnd.pick([["--dsl", path.join(files.dir, "missing")], ["--dsl", rnd.pick(files.ruleFiles)], ["--dsl", rnd.pick(files.assemblyFiles)], ["--bogus"], ["extra"], ["--dsl"]])], stdin };
    default:
      return { argv: rnd.pick([["--version"], ["--version", "x"], ["-V"], ["help", "nope"], ["help", "run"], [], ["--frob"], ["nosuch"], [""]]), stdin };
  }
}

describe("faultc command line fuzz", () => {
  const CASES = 400;
  it(`${CASES} seeded command lines: exit 0, 1, 2 or 3, never 70, never a stack trace`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const { argv, stdin } = commandLine();
      const r = await cli(argv, stdin);
      const where = `case ${i}: faultc ${argv.map((a) => JSON.stringify(a.length > 80 ? a.slice(0, 80) + "..." : a)).join(" ")} (stdin ${stdin.length} chars)`;
      if (![0, 1, 2, 3].includes(r.code)) failures.push(`${where}: exit ${r.code}: ${r.stderr.split("\n")[0]}`);
      if (/\n\s+at /.test(`\n${r.stderr}`)) failures.push(`${where}: stack trace in stderr`);
      if (r.code === 2 && !/^faultc( \w+)?: /.test(r.stderr)) failures.push(`${where}: usage error without a 'faultc ...:' line`);
    }
    expect(failures).toEqual([]);
  });
});
