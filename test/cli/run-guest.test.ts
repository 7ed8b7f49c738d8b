// `faultc run --scenario FILE`, `--jsonl` lines and `faultc explain --scenario FILE` on the guest-access
// form: the result's "trap", the shape when no handler runs, replay of the computed scenario,
// located errors with exit 1, usage errors with exit 2, and never a stack trace or exit 70.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./harness.ts";

const SEED = "refs/kvm-2016-before.S";
const FIXTURES = "test/fixtures/run/guest";
const dir = mkdtempSync(path.join(tmpdir(), "faultc-run-guest-"));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const S2_READ_ONLY = { va: "0x1234", access: "write", kind: "data", stage1: [{ va: "0x1000", ipa: "0x80001000" }], stage2: [{ ipa: "0x80001000", pa: "0x60001000", s2ap: 1 }] };

type Line = { trap?: { taken: string; scenario?: Record<string, unknown>; meta?: Record<string, unknown> }; outcome?: string; error?: string } & Record<string, unknown>;

describe("faultc run: the guest-access form", () => {
  it("--scenario FILE: the trap builder's registers, then the run on them", async () => {
    const r = await cli(["run", SEED, "--scenario", `${FIXTURES}/s2-read-only.json`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Line;
    expect(Object.keys(j)[0]).toBe("trap");
    expect(j.trap).toMatchObject({ taken: "el2", scenario: { esr: "0x9200004f", far: "0x1234", hpfar: "unknown" }, meta: { faultType: "Permission", level: 3, hpfarValid: false } });
    expect(j).toMatchObject({ outcome: "exit", fault: { esr_el2: "0x9200004f", far_el2: "0x1234", hpfar_el2: "0x800010" } });
  });

  it("the computed scenario, run as a registers-form scenario, gives the same run", async () => {
    const r = await cli(["run", SEED, "--jsonl"], readFileSync(`${FIXTURES}/classes.jsonl`, "utf8"));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
    const el2 = lines.filter((l) => l.trap?.taken === "el2");
    expect(el2.length).toBeGreaterThan(5);
    const replay = await cli(["run", SEED, "--jsonl"], el2.map((l) => JSON.stringify(l.trap!.scenario)).join("\n") + "\n");
    expect(replay.code).toBe(0);
    const replayed = replay.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
    expect(replayed).toEqual(el2.map(({ trap: _trap, ...rest }) => rest));
  });

  it("an access not taken to EL2 is {\"trap\":...} alone, exit 0, with a line per scenario in --jsonl", async () => {
    const single = await cli(["run", SEED, "--scenario", `${FIXTURES}/stage1-fault.json`]);
    expect(single.code).toBe(0);
    expect(JSON.parse(single.stdout)).toEqual({ trap: { taken: "el1", esr: "0x9600004f", far: "0x1234", faultType: "Permission", level: 3 } });
    const stream = await cli(["run", SEED, "--jsonl"], [JSON.stringify({ guest: { ...S2_READ_ONLY, access: "read" } }), JSON.stringify({ guest: { ...S2_READ_ONLY, stage1: [] } }), '{"esr":"0x92000007"}'].join("\n"));
    expect(stream.code).toBe(0);
    const out = stream.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
    expect(out[0]).toEqual({ trap: { taken: "none", ipa: "0x80001234", pa: "0x60001234" } });
    expect(out[1]).toEqual({ trap: { taken: "el1", esr: "0x96000044", far: "0x1234", faultType: "Translation", level: 0 } });
    expect(out[2].outcome).toBe("exit");
    expect(out[2].trap).toBeUndefined();
  });

  it("--scenario reads the registers form too, and standard input as '-'", async () => {
    const viaFile = await cli(["run", SEED, "--scenario", file("regs.json", '{\n  "esr": "0x92000007",\n  "far": "0x1234"\n}\n')]);
    const viaOptions = await cli(["run", SEED, "--esr", "0x92000007", "--far", "0x1234"]);
    expect(viaFile.code).toBe(0);
    expect(viaFile.stdout).toBe(viaOptions.stdout);
    const viaStdin = await cli(["run", SEED, "--scenario", "-"], JSON.stringify({ guest: S2_READ_ONLY }));
    const viaGuestFile = await cli(["run", SEED, "--scenario", `${FIXTURES}/s2-read-only.json`]);
    expect(viaStdin.stdout).toBe(viaGuestFile.stdout);
  });

  it("a bad scenario file is one located error, exit 1", async () => {
    const cases: [string, string][] = [
      [`${FIXTURES}/bad-level.json`, `${FIXTURES}/bad-level.json:6:64: error: "guest.stage1[0].level" must be an integer 1-3, got 4`],
      [`${FIXTURES}/both.json`, `${FIXTURES}/both.json:2:3: error: "esr" and "guest" are both given: the trap builder computes "esr" from "guest"; give one of them`],
      [file("syntax.json", '{"guest":\n  {"va": "0x1" "access": "read"}}'), `${dir}/syntax.json:2:16: error: not valid JSON: expected ',' or '}' after a member of an object, got '"'`],
      [file("empty.json", ""), `${dir}/empty.json:1:1: error: not valid JSON: expected a value, got the end of the text`],
      [file("refused.json", JSON.stringify({ guest: { ...S2_READ_ONLY, kind: "instruction" } })), `${dir}/refused.json:1:10: error: trap: an instruction fetch is a read`],
      [path.join(dir, "missing.json"), `${dir}/missing.json:1:1: error: cannot read '${dir}/missing.json' (no such file)`],
      [dir, `${dir}:1:1: error: cannot read '${dir}' (is a directory)`],
    ];
    for (const [f, message] of cases) {
      const r = await cli(["run", SEED, "--scenario", f]);
      expect(r.stderr, f).toBe(`${message}\n`);
      expect(r.code, f).toBe(1);
      expect(r.stdout).toBe("");
    }
  });

  it("--scenario with scenario options, with --jsonl, or with TARGET '-' on standard input too: usage errors", async () => {
    for (const [argv, message] of [
      [["run", SEED, "--scenario", `${FIXTURES}/s1ptw.json`, "--seed", "1"], "--seed cannot be combined with --scenario"],
      [["run", SEED, "--scenario", `${FIXTURES}/s1ptw.json`, "--jsonl"], "--scenario cannot be combined with --jsonl"],
      [["run", "-", "--scenario", "-"], "TARGET '-' and --scenario - both read standard input"],
      [["explain", "--scenario", `${FIXTURES}/s1ptw.json`, "--esr", "0x1"], "--esr cannot be combined with --scenario"],
    ] as const) {
      const r = await cli([...argv]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it("a guest line's errors in --jsonl keep the line N: form", async () => {
    const r = await cli(["run", SEED, "--jsonl"], [JSON.stringify({ guest: { ...S2_READ_ONLY, el: 2 } }), JSON.stringify({ guest: S2_READ_ONLY, at: "fault" })].join("\n"));
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line)).toEqual([
      { error: 'line 1: "guest.el" must be 0 or 1, got 2' },
      { error: 'line 2: "at" and "guest" are both given: the trap builder computes "at" from "guest"; give one of them' },
    ]);
  });
});

describe("faultc run --scenario on damaged files", () => {
  it("every truncation and byte flip of a guest set-up is a run or one located error, exit 0 or 1, never 70", async () => {
    const text = readFileSync(`${FIXTURES}/erratum-834220.json`, "utf8");
    // Seeded: the same cuts and flips every run.
    let state = 0x2545f491;
    const next = (n: number) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n);
    const damaged = [...Array.from({ length: 20 }, (_, i) => text.slice(0, Math.floor((text.length * i) / 20))), ...Array.from({ length: 30 }, () => {
      const at = next(text.length);
      return text.slice(0, at) + String.fromCharCode(32 + next(95)) + text.slice(at + 1);
    })];
    for (const [i, t] of damaged.entries()) {
      const r = await cli(["run", SEED, "--scenario", file(`damaged-${i}.json`, t)]);
      expect([0, 1], t).toContain(r.code);
      if (r.code === 1) expect(r.stderr, t).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/damaged-${i}\\.json:\\d+:\\d+: error: [^\\n]+\\n$`));
    }
  });
});

describe("faultc explain --scenario", () => {
  it("explains the computed registers after what the builder found; --json puts trap first", async () => {
    const text = await cli(["explain", "--scenario", `${FIXTURES}/s2-read-only.json`]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe("The guest access traps to EL2: Permission fault at stage-2 level 3, IPA 0x80001234, HPFAR_EL2 UNKNOWN (drawn from the seed). The trap builder computed the registers below.");
    expect(text.stdout).toContain(`ESR_EL2 = 0x000000009200004f  (from the trap builder, from ${FIXTURES}/s2-read-only.json)`);
    const json = await cli(["explain", "--scenario", `${FIXTURES}/s2-read-only.json`, "--json"]);
    const j = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(j)[0]).toBe("trap");
    const plain = await cli(["explain", "--esr", "0x9200004f", "--far", "0x1234", "--hpfar", "unknown", "--par", "0x158ef59a8ed356a6", "--at", "ok:0x80001000", "--json"]);
    const { trap: _trap, ...rest } = j;
    expect((rest as { result: unknown }).result).toEqual((JSON.parse(plain.stdout) as { result: unknown }).result);
  });

  it("an access not taken to EL2 is said so, exit 0; a bad file is located, exit 1", async () => {
    const r = await cli(["explain", "--scenario", `${FIXTURES}/stage1-fault.json`, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ trap: { taken: "el1", esr: "0x9600004f", far: "0x1234", faultType: "Permission", level: 3 } });
    const bad = await cli(["explain", "--scenario", `${FIXTURES}/bad-level.json`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`${FIXTURES}/bad-level.json:6:64: error: "guest.stage1[0].level" must be an integer 1-3, got 4\n`);
  });
});
