// faultc explain on the command line: golden explanations of kernel-log excerpts (the formats of
// arch/arm64/mm/fault.c, traps.c and arch/arm64/kvm/), of a dozen ESR values through
// dsl/linux-6.12.fault and dsl/xen.fault, the decision path's content checked against the
// decoder field by field, and every kind of bad input with its message and exit status.
// Regenerate the goldens after a deliberate change with UPDATE_GOLDEN=1, then read the diff.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeEsr } from "../../src/decode/index.ts";
import { cli } from "../cli/harness.ts";

const FIXTURES = "test/explain/fixtures";
const update = process.env.UPDATE_GOLDEN === "1";

function golden(file: string, actual: string): void {
  if (update) writeFileSync(file, actual);
  expect(existsSync(file), `missing ${file}; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

/** One of every kind the two rule files tell apart, and some they do not. */
const ESRS = [
  "0x93c58005", // DABT_LOW, ISV, translation fault level 1
  "0x9200004f", // DABT_LOW, write permission fault level 3
  "0x92000084", // DABT_LOW, stage-1 walk (S1PTW), translation level 0
  "0x92000210", // DABT_LOW, external abort
  "0x8200000d", // IABT_LOW, permission fault level 1
  "0x96000045", // DABT_CUR
  "0x5600000a", // HVC64 #0xa
  "0x5e000000", // SMC64
  "0x62340400", // SYS64 (an MSR/MRS trap)
  "0x1fe00000", // SVE
  "0x9e000000", // WATCHPT_LOW
  "0x00000000", // UNKNOWN
  "0xbe000011", // SERROR
];

describe("faultc explain: kernel logs", () => {
  const logs = readdirSync(FIXTURES).filter((f) => f.endsWith(".log")).sort();
  for (const log of logs) {
    it(`explains ${log} as the golden says`, async () => {
      const r = await cli(["explain", "-"], readFileSync(path.join(FIXTURES, log), "utf8"));
      golden(path.join(FIXTURES, log.replace(/\.log$/, ".expected")), `exit ${r.code}\n${r.stderr}${r.stdout}`);
    });
  }

  it("takes each value from its line and checks the kernel's own decoding against the ESR", async () => {
    const r = await cli(["explain", "--json", "-"], readFileSync(path.join(FIXTURES, "linux-oops-translation.log"), "utf8"));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ESR_EL2.source).toEqual({ from: "<stdin>:3:24", as: "ESR", text: "[   42.123474]   ESR = 0x0000000096000045", also: ["<stdin>:14:38"] });
    expect(j.FAR_EL2.source.from).toBe("<stdin>:1:74");
    expect(j.FAR_EL2.value).toBe("0xffff800012345678");
    const checked = j.checks.filter((c: { agrees?: boolean }) => c.agrees).map((c: { claim: string }) => c.claim);
    expect(checked).toEqual(expect.arrayContaining(["EC", "IL", "FSC", "WnR", "S1PTW"]));
  });

  it("reads a log from standard input when no --esr is given, and a bare value as the ESR", async () => {
    const r = await cli(["explain", "--json"], "0x96000045\n");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ESR_EL2.fields.EC.value).toBe("0x25");
  });

  it("lets an option override a log's value, and says so", async () => {
    const r = await cli(["explain", "--json", "--far", "0x5000", "-"], readFileSync(path.join(FIXTURES, "hyp-panic.log"), "utf8"));
    const j = JSON.parse(r.stdout);
    expect(j.FAR_EL2).toMatchObject({ value: "0x5000", source: { from: "--far" } });
    expect(j.ESR_EL2.source.from).toBe("<stdin>:4:52");
  });
});

describe("faultc explain: ESR values through the bundled rule files", () => {
  for (const rules of ["dsl/linux-6.12.fault", "dsl/xen.fault"]) {
    it(`explains ${ESRS.length} ESR values through ${rules} as the golden says`, async () => {
      const lines: string[] = [];
      for (const esr of ESRS) {
        const r = await cli(["explain", "--json", "--esr", esr, "--far", "0x12345678", "--hpfar", "0x123450", "--rules", rules]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        lines.push(r.stdout);
      }
      golden(path.join(FIXTURES, `esrs-${path.basename(rules, ".fault")}.jsonl`), lines.join(""));
    });
  }

  it("names every field under the decoder's Arm ARM names, and the fields each guard read are those fields", async () => {
    for (const esr of ESRS) {
      const r = await cli(["explain", "--json", "--esr", esr]);
      const j = JSON.parse(r.stdout);
      const decoded = decodeEsr(BigInt(esr));
      expect(Object.keys(j.ESR_EL2.fields)).toEqual(decoded.fields.map((f) => f.name));
      for (const f of decoded.fields) expect(j.ESR_EL2.fields[f.name].value).toBe(`0x${f.value.toString(16)}`);
      for (const step of j.path.filter((s: { rule?: string }) => s.rule !== undefined)) {
        for (const atom of step.atoms) {
          for (const f of atom.fields.filter((x: { register: string }) => x.register === "ESR_EL2")) {
            const d = decoded.fields.find((x) => x.name === f.field);
            expect(d, `${esr}: ${f.field}`).toBeDefined();
            expect(f.value).toBe(`0x${d!.value.toString(16)}`);
          }
        }
      }
    }
  });

  it("enters the rule the ESR's class selects and stops there", async () => {
    const abort = JSON.parse((await cli(["explain", "--json", "--esr", "0x93c58005"])).stdout);
    const entered = abort.path.filter((s: { entered?: boolean }) => s.entered).map((s: { rule: string }) => s.rule);
    expect(entered).toEqual(["memory_fault", "hpfar_valid"]);
    expect(abort.path[2].atoms[0].fields).toEqual([{ register: "ESR_EL2", field: "EC", bits: "31:26", value: "0x24", meaning: expect.stringContaining("DABT_LOW") }]);
    expect(abort.result).toMatchObject({ outcome: "exit", exit_code: "0x2" });
    const hvc = JSON.parse((await cli(["explain", "--json", "--esr", "0x5600000a"])).stdout);
    expect(hvc.path.filter((s: { entered?: boolean }) => s.entered).map((s: { rule: string }) => s.rule)).toEqual(["no_hyp_handler"]);
    // Erratum 834220 from the MIDR makes the AT path run for a translation fault.
    const a57 = JSON.parse((await cli(["explain", "--json", "--esr", "0x93c58005", "--midr", "0x410fd070"])).stdout);
    expect(a57.caps.from_midr).toEqual(["ARM64_WORKAROUND_834220"]);
    expect(a57.path.filter((s: { entered?: boolean }) => s.entered).map((s: { rule: string }) => s.rule)).toEqual(["memory_fault", "resolve_ipa_with_at", "ipa_from_par"]);
  });

  it("is byte-for-byte the same on a second run", async () => {
    const a = await cli(["explain", "--esr", "0x92000084", "--at", "fault", "--rules", "dsl/xen.fault"]);
    const b = await cli(["explain", "--esr", "0x92000084", "--at", "fault", "--rules", "dsl/xen.fault"]);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it("shows the instructions a machine-code side executed", async () => {
    const r = await cli(["explain", "--json", "--esr", "0x93c58005", "--rules", "refs/kvm-2016-before.S"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.path).toBeUndefined();
    expect(j.instructions.length).toBeGreaterThan(5);
    expect(j.instructions[0].loc).toMatch(/^refs\/kvm-2016-before\.S:\d+:\d+$/);
    const asm = JSON.parse((await cli(["explain", "--json", "--esr", "0x93c58005", "--rules", "dsl/linux-6.12.fault#asm"])).stdout);
    expect(asm.path.length).toBeGreaterThan(0);
    expect(asm.instructions.length).toBeGreaterThan(5);
  });
});

describe("faultc explain: bad input", () => {
  const cases: [string, string[], string, number, string][] = [
    ["no value", ["explain"], "", 1, "<stdin>: error: no ESR value in the input"],
    ["a bad --esr", ["explain", "--esr", "96000045"], "", 2, "faultc explain: --esr must be a hex string"],
    ["an --esr too wide", ["explain", "--esr", "0x1ffffffffffffffff"], "", 2, "does not fit in 64 bits"],
    ["an unknown capability", ["explain", "--esr", "0x0", "--caps", "NOPE"], "", 2, "NOPE"],
    ["a stray argument", ["explain", "--esr", "0x0", "x.fault"], "", 2, "unexpected argument 'x.fault'"],
    ["--html with a value", ["explain", "--html", "--esr", "0x0"], "", 2, "--html takes only --out"],
    ["--out without --html", ["explain", "--esr", "0x0", "--out", "x.html"], "", 2, "--out is for --html"],
    ["--binding for a rule file", ["explain", "--esr", "0x0", "--binding", "dsl/linux-6.12.fault"], "", 2, "--binding is for a side that is an object function"],
    ["a missing rule file", ["explain", "--esr", "0x0", "--rules", "nope.fault"], "", 1, "nope.fault"],
    ["a rule file with errors", ["explain", "--esr", "0x0", "--rules", "test/fixtures/check/width-mismatch.fault"], "", 1, "test/fixtures/check/width-mismatch.fault:5:16: error: field esr has 64 bits"],
    ["not a side", ["explain", "--esr", "0x0", "--rules", "whatever"], "", 2, "'whatever' is not a target"],
    ["two lines that disagree", ["explain", "-"], "ESR_EL2=0x96000045\nFAR_EL2=0x10\nESR_EL2=0x92000045\n", 1, "<stdin>:3:9: error: ESR_EL2 is 0x92000045 here but 0x96000045 at line 1 (one fault at a time: cut the excerpt to one)\n<stdin>:1:9: note: ESR_EL2 first given here\n"],
    ["a kernel's field that disagrees", ["explain", "-"], readFileSync(path.join(FIXTURES, "claim-disagrees.log"), "utf8"), 1, "<stdin>:3:8: error: EC = 0x24 here, but the ESR 0x96000045 has EC = 0x25\n<stdin>:2:9: note: the ESR is given here\n"],
    ["a FAR stage 1 cannot map", ["explain", "--esr", "0x93c58005", "--far", "0x1000000000000"], "", 1, "faultc explain: \"far\" 0x1000000000000 is outside both 48-bit VA ranges"],
    ["a value wider than 64 bits in a log", ["explain", "-"], "FAR_EL2=0x10000000000000000\nESR_EL2=0x0\n", 1, "<stdin>:1:9: error: FAR_EL2 value 0x10000000000000000 does not fit in 64 bits"],
  ];
  for (const [what, argv, stdin, code, message] of cases) {
    it(`refuses ${what} (exit ${code})`, async () => {
      const r = await cli(argv, stdin);
      expect(r.stderr).toContain(message);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }
});
