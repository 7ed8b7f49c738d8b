// Every example in README.md and docs/*.md, run as printed; one test per fenced block, named by
// file:line. Each block says what it is by its info string:
//
//   ```fault            a complete rule file (it may import "arch/..." as a file in dsl/ does),
//                       checked by faultc: it has exactly the diagnostics its lines announce
//                       with a comment `// error: MESSAGE [code]` (or `// warning: ...`) on the
//                       line where each starts, and no other
//   ```fault continued  the rule file of the block before, with these lines added to it
//   ```fault, ```ts, ```c, ... whose first line is `// FILE (excerpt)` (or `/* FILE (excerpt)`):
//                       the rest is in FILE, in order (all of it may be shifted left alike)
//   ```console          a shell session: each `$ COMMAND` runs in bash from the repository root
//                       (with pipefail, standard error into the output, `npx faultc` and
//                       `faultc` being bin/faultc.js) and prints the lines under it; a
//                       trailing `# exit N` is its exit status, else it must exit 0
//   ```sh               commands that change the tree or need a network (`npm ci`, `npm test`):
//                       not run, but every npm script they name exists
//   ```json scenario    a scenario in the JSON form of docs/RUN.md, which must parse
//   ```json ir FILE     a part of the IR of FILE, as JSON.stringify prints it (white space aside)
//   ```text             not an example: a diagram, a format
//
// In printed output and excerpts a line `...` stands for any number of lines, `…` inside a line
// for any characters (a timing, a hash); elsewhere the text must be exact, except for trailing
// white space. A block with no info string, or one this test does not know, fails.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seedAvailable } from "../../scripts/seed-c.ts";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import { version } from "../../src/cli/main.ts";
import { checkFiles, readFromDisk } from "../../src/parser/workspace.ts";
import { parseScenario } from "../../src/runtime/scenario/index.ts";
import { excerptOf, fencedBlocks, matchJsonExcerpt, matchLines, shellCommands, type Block, type ShellCommand } from "./markdown.ts";

const DOCS = ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const blocks = DOCS.flatMap((doc) => fencedBlocks(doc, readFileSync(doc, "utf8")));

// `faultc` on PATH is this checkout's bin, as `npx faultc` finds it from the repository root
// (checked once below); `npx faultc` then skips npm's start-up, a second or two per command.
const bin = mkdtempSync(path.join(tmpdir(), "faultc-doc-examples-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
writeFileSync(path.join(bin, "faultc"), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(path.resolve("bin/faultc.js"))} "$@"\n`);
chmodSync(path.join(bin, "faultc"), 0o755);
// A temporary folder of the run's own, so that what other checkouts left in the shared one
// (faultc caches generated modules there) cannot change what the examples print.
const tmp = path.join(bin, "tmp");
mkdirSync(tmp);
const PREAMBLE = `npx() { if [ "$1" = faultc ]; then shift; faultc "$@"; else command npx "$@"; fi; }`;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function where(b: Block, offset = 0): string {
  return `${b.doc}:${b.line + offset}`;
}

// ---------------------------------------------------------------- rule files

/** The rule file a block shows: its own lines, after those of the blocks it continues. */
function ruleFileOf(b: Block): { text: string; docLine: number[] } {
  const chain = [b];
  for (let i = blocks.indexOf(b); blocks[i].info[1] === "continued"; ) {
    i--;
    if (i < 0 || blocks[i].doc !== b.doc || blocks[i].info[0] !== "fault") throw new Error(`${where(b)}: 'fault continued' with no rule-file block before it`);
    chain.unshift(blocks[i]);
  }
  const lines = chain.flatMap((c) => c.lines);
  const docLine = chain.flatMap((c) => c.lines.map((_, k) => c.line + 1 + k));
  return { text: lines.join("\n") + "\n", docLine };
}

function checkRuleFile(b: Block): void {
  const { text, docLine } = ruleFileOf(b);
  // The block is a file in dsl/, so that `import "arch/aarch64.fault"` finds dsl/arch; it is
  // read from here, never written there.
  const file = path.normalize(`dsl/${b.doc.replace(/[/.]/g, "-")}-${b.line}.fault`);
  const ws = checkFiles([file], (p) => (p === file ? Buffer.from(text) : readFromDisk(p)));
  const shown = (line: number) => `${b.doc}:${docLine[line - 1] ?? `?${line}`}`;
  const expected = text.split("\n").flatMap((l, k) => {
    const announced = /\/\/ ((?:error|warning): .*)$/.exec(l);
    return announced ? [`${shown(k + 1)}: ${announced[1]}`] : [];
  });
  const actual = ws.diagnostics.map((d) => `${d.file === file ? shown(d.range.start.line) : `${d.file}:${d.range.start.line}`}: ${d.severity}: ${d.message} [${d.code}]`);
  expect(actual, `the diagnostics of the rule file at ${where(b)}`).toEqual(expected);
}

// ---------------------------------------------------------------- excerpts

function checkExcerpt(b: Block, file: string): void {
  let real: string;
  try {
    real = readFileSync(file, "utf8");
  } catch {
    throw new Error(`${where(b)}: the block is an excerpt of ${file}, which cannot be read`);
  }
  const shown = b.lines.slice(1);
  // An excerpt may be shifted left as a whole: its lines are the file's with the same indentation removed.
  const lines = real.split("\n");
  const shifted = (k: number) => shown.map((l) => (l.trim() === "" || l.trim() === "..." ? l : " ".repeat(k) + l));
  const m = [0, 2, 4, 6, 8, 10, 12].map((k) => matchLines(["...", ...shifted(k), "..."], lines)).find((r) => r.ok) ?? matchLines(["...", ...shown, "..."], lines);
  if (!m.ok) throw new Error(`${where(b, 2 + (m.failedAt ?? 1) - 1)}: this line of the excerpt (and those after it) is not in ${file}, in this order:\n${shown[(m.failedAt ?? 1) - 1]}`);
}

function checkIrExcerpt(b: Block, file: string): void {
  const ws = checkFiles([file]);
  expect(ws.diagnostics, `${file} has no errors`).toEqual([]);
  const ir = JSON.stringify(lowerFile(ws.files.get(path.normalize(file))!, ws), (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
  const m = matchJsonExcerpt("…" + b.lines.join("\n"), ir); // a node anywhere in the module
  if (!m.ok) throw new Error(`${where(b)}: the IR of ${file} has no '${m.missing}' where the excerpt shows it`);
}

// ---------------------------------------------------------------- shell sessions

/** Commands that write into the tree; a document shows them in a `sh` block, which is not run. */
const WRITES = /\b(?:faultc (?:build(?![^|;&]*--check)|docs|railroad|main)\b|npm (?:start|run (?:gen|build|docs|railroad|kernels))\b)/;

function runSession(b: Block): void {
  const commands = shellCommands(b);
  if (commands.length === 0) throw new Error(`${where(b)}: a console block holds at least one '$ ' command`);
  for (const c of commands) runCommand(b, c);
}

function runCommand(b: Block, c: ShellCommand): void {
  if (WRITES.test(c.command)) throw new Error(`${b.doc}:${c.line}: '${c.command}' writes into the tree; show it in a sh block`);
  const r = spawnSync("bash", ["-o", "pipefail", "-c", `${PREAMBLE}\n{ ${c.command}\n} 2>&1`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, TMPDIR: tmp },
    timeout: 240_000,
    maxBuffer: 64 << 20,
  });
  const output = (r.stdout ?? "").replace(/\n$/, "").split("\n");
  const real = r.stdout === "" ? [] : output;
  const m = matchLines(c.output, real);
  const context = `${b.doc}:${c.line}: $ ${c.command}`;
  if (!m.ok) {
    const shownLine = m.failedAt !== undefined && m.failedAt < c.output.length ? `printed line ${c.line + 1 + m.failedAt}: ${c.output[m.failedAt]}` : "the printed output ends before the real output";
    expect.fail(`${context}\nthe output is not as printed (first difference at ${shownLine})\n--- real output:\n${real.join("\n")}\n--- stderr of bash:\n${r.stderr}`);
  }
  expect(r.status, `${context}: exit status (real output:\n${real.join("\n")})`).toBe(c.exit);
}

// ---------------------------------------------------------------- command lists

function checkScripts(b: Block): void {
  const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
  for (const [k, raw] of b.lines.entries()) {
    const line = raw.replace(/\s#.*$/, "").trim();
    if (line === "") continue;
    for (const cmd of line.split(/&&|;|\|/).map((s) => s.trim())) {
      const npm = /^npm (ci|test|start|run(?: -s)? ([\w:-]+))(?:\s|$)/.exec(cmd);
      if (npm === null) throw new Error(`${where(b, k + 1)}: '${cmd}' is not an npm command, so this test cannot check it; show it in a console block, which is run`);
      const script = npm[2] ?? (npm[1] === "ci" ? undefined : npm[1]);
      if (script !== undefined) expect(Object.keys(scripts), `${where(b, k + 1)}: npm script '${script}'`).toContain(script);
    }
  }
}

// ---------------------------------------------------------------- the blocks

function kindOf(b: Block): string {
  const [lang, ...rest] = b.info;
  if (excerptOf(b) !== undefined) return "excerpt";
  if (lang === "fault") return rest[0] === "continued" ? "rule file (continued)" : "rule file";
  if (lang === "json" && rest[0] === "scenario") return "scenario";
  if (lang === "json" && rest[0] === "ir") return "IR";
  return lang ?? "untagged";
}

function checkBlock(b: Block): void {
  const [lang, ...rest] = b.info;
  const excerpt = excerptOf(b);
  if (excerpt !== undefined) return checkExcerpt(b, excerpt);
  switch (lang) {
    case "fault":
      if (rest.length > 0 && rest[0] !== "continued") throw new Error(`${where(b)}: unknown rule-file block kind '${rest.join(" ")}'`);
      return checkRuleFile(b);
    case "console":
      return runSession(b);
    case "sh":
      return checkScripts(b);
    case "json":
      if (rest[0] === "scenario") {
        parseScenario(b.lines.join("\n"));
        return;
      }
      if (rest[0] === "ir" && rest[1] !== undefined) return checkIrExcerpt(b, rest[1]);
      throw new Error(`${where(b)}: a json block is a scenario (json scenario), an IR excerpt (json ir FILE) or an excerpt of a file named on its first line`);
    case undefined:
      throw new Error(`${where(b)}: a fenced block says what it is (fault, console, sh, text, ...; see test/docs/examples.test.ts)`);
    default:
      throw new Error(`${where(b)}: a '${lang}' block is an excerpt of a file named on its first line ('// FILE (excerpt)'), or else a text block`);
  }
}

// The sessions pipe JSON through jq. Without it they are skipped with a message, except under CI
// where they fail.
const JQ_PRESENT = spawnSync("sh", ["-c", "command -v jq"]).status === 0;
const needsMissingJq = (b: Block) => !JQ_PRESENT && !process.env.CI && b.info[0] === "console" && b.lines.some((l) => /\bjq\b/.test(l));
if (!JQ_PRESENT && !process.env.CI) console.warn("doc examples that pipe into jq are skipped: jq not found (apt-get install jq)");

// Sessions that run on compiled objects name them under .cache/: the kernel trees (`npm run
// kernels`) and the seed's C (`npm run seed-c`). Without them they are skipped with a message,
// except under CI, which builds both first.
const BUILT: { dir: string; present: boolean; how: string; always?: boolean }[] = [
  { dir: ".cache/kernels/", present: ["6.1", "6.12"].every((v) => existsSync(path.join(".cache", "kernels", `linux-${v}`, ".faultc-stamp"))), how: "npm run kernels" },
  // The seed is the workplace's file beside the checkout: where it is not readable, nothing is built, under CI too.
  { dir: ".cache/seed-c/", present: existsSync(path.join(".cache", "seed-c", "arch", "arm64", "kvm", "hyp", "switch.o")), how: "npm run seed-c", always: !seedAvailable() },
];
const needsMissingKernels = (b: Block) =>
  b.info[0] === "console" && BUILT.some((x) => !x.present && (!process.env.CI || x.always === true) && b.lines.some((l) => l.includes(x.dir)));
for (const x of BUILT) if (!x.present && !process.env.CI) console.warn(`doc examples on objects under ${x.dir} are skipped: run \`${x.how}\` to build them`);

describe("the examples in README.md and docs/*.md run as printed", () => {
  const examples = blocks.filter((b) => b.info[0] !== "text");
  it("are there", () => {
    expect(examples.length).toBeGreaterThan(10);
  });
  for (const b of examples) {
    it.skipIf(needsMissingJq(b) || needsMissingKernels(b))(`${b.doc}:${b.line} (${kindOf(b)})`, () => checkBlock(b), 300_000);
  }
});

describe("the examples' conventions", () => {
  it("no text block holds a shell session, which would go unrun", () => {
    const sessions = blocks.filter((b) => b.info[0] === "text" && b.lines.some((l) => l.startsWith("$ "))).map((b) => where(b));
    expect(sessions).toEqual([]);
  });

  it("npx faultc from the repository root is this checkout's bin/faultc.js", () => {
    const r = spawnSync("npx", ["--no-install", "faultc", "--version"], { encoding: "utf8", timeout: 120_000 });
    expect(r.stdout).toBe(`faultc ${version()}\n`);
  }, 180_000);
});
