// `faultc run`: one scenario from options, --jsonl streams, target resolution, and errors that are
// one line with the right exit status and never a stack trace.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createRunCommand } from "../../src/cli/commands/run.ts";
import { main } from "../../src/cli/main.ts";
import { KNOWN_CAPABILITIES, parseScenario, scenarioToOptions } from "../../src/runtime/scenario/index.ts";
import { KIND_DESCRIPTIONS } from "../../src/sides/index.ts";
import { cli } from "./harness.ts";

const SEED = "refs/kvm-2016-before.S";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

async function jsonl(lines: string[], extra: string[] = []): Promise<{ code: number; out: unknown[]; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const command = createRunCommand(async function* () {
    yield* lines;
  });
  const code = await command.run([SEED, "--jsonl", ...extra], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, out: stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as unknown), stderr };
}

type ResultJson = { outcome: string; exit_code?: string; fault: Record<string, string>; sysregs: Record<string, string>; gprs_restored?: boolean; meta: { seed: number; caps: string[]; arbitrary: Record<string, string> }; trace: { loc: string; insn: string }[] };

describe("faultc run", () => {
  it("runs the seed's before code on one scenario and prints one line of JSON", async () => {
    const r = await run(["run", SEED, "--esr", "0x9200004f", "--far", "0x1234", "--at", "ok:0x80001000", "--par", "0x12345b81"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toHaveLength(2);
    const j = JSON.parse(r.stdout) as ResultJson;
    expect(Object.keys(j)).toEqual(["outcome", "exit_code", "fault", "sysregs", "par_preserved", "steps", "meta", "trace"]);
    expect(j).toMatchObject({
      outcome: "exit",
      exit_code: "0x1",
      fault: { esr_el2: "0x9200004f", far_el2: "0x1234", hpfar_el2: "0x800010" },
      sysregs: { PAR_EL1: "0x12345b81" },
      par_preserved: true,
      trace: [],
    });
    expect(j.meta.seed).toBe(0);
    expect(Object.keys(j.meta.arbitrary)).toContain("x30");
  });

  it("retry: at fault, with gprs_restored", async () => {
    const r = await run(["run", SEED, "--esr", "0x9200004f", "--at", "fault"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: "retry", fault: {}, gprs_restored: true, sp_restored: true, par_preserved: true });
  });

  it("--midr of an affected part adds the 834220 workaround; --caps, --seed, --hpfar unknown, --trace", async () => {
    const r = await run(["run", SEED, "--esr", "0x92000007", "--far", "0x1000", "--hpfar", "unknown", "--midr", "0x411fd072", "--caps", "ARM64_HAS_VIRT_HOST_EXTN", "--seed", "9", "--trace", "--at", "s2fault:1:permission"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ResultJson;
    expect(j.outcome).toBe("retry");
    expect(j.meta.caps).toEqual(["ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_834220"]);
    expect(j.meta.seed).toBe(9);
    expect(j.meta.arbitrary).toHaveProperty("HPFAR_EL2");
    expect(j.trace[0]).toEqual({ index: 0, loc: "refs/kvm-2016-before.S:26:2", insn: "stp x0, x1, [sp, #-16]!", writes: { sp: "0x6000fff0" }, stores: expect.any(Array) as unknown });
    expect(j.trace.at(-1)?.insn).toBe("eret");
  });

  it("the same scenario through flags and through --jsonl gives the same result", async () => {
    const flags = await run(["run", SEED, "--esr", "0x92000007", "--far", "0x1234", "--hpfar", "0x10", "--seed", "3"]);
    const stream = await jsonl(['{"esr":"0x92000007","far":"0x1234","hpfar":"0x10","seed":3}']);
    expect(stream.out).toEqual([JSON.parse(flags.stdout)]);
  });

  it.each<[string[], string]>([
    [[], "no TARGET given"],
    [[SEED], "missing --esr (or read scenarios with --jsonl)"],
    [[SEED, "x.S"], "unexpected argument 'x.S'"],
    [[SEED, "--esr", "92000007"], '--esr must be a hex string like "0x1234", got "92000007"'],
    [[SEED, "--esr", "0x1", "--far", "0x10000000000000000"], "--far value 0x10000000000000000 does not fit in 64 bits"],
    [[SEED, "--esr", "0x1", "--at", "ok"], "--at must be ok:IPA, par:PAR, fault or s2fault:LEVEL[:translation|permission|access-flag], got 'ok'"],
    [[SEED, "--esr", "0x1", "--at", "ok:0x1000000000000"], "--at ok:0x1000000000000: IPA 0x1000000000000 is outside the 48-bit IPA space"],
    [[SEED, "--esr", "0x1", "--at", "ok:80001000"], '--at ok:80001000: IPA must be a hex string like "0x1234", got "80001000"'],
    [[SEED, "--esr", "0x1", "--at", "s2fault:4"], "--at must be ok:IPA, par:PAR, fault or s2fault:LEVEL[:translation|permission|access-flag], got 's2fault:4'"],
    [[SEED, "--esr", "0x1", "--at", "par:801"], '--at par:801: PAR_EL1 must be a hex string like "0x1234", got "801"'],
    [[SEED, "--esr", "0x1", "--at", "par:0x1,s1e1x:0x2"], "--at par:0x1,s1e1x:0x2: after par:PAR come OP:PAR for the AT operations answered differently (s1e1r, s1e1w, s1e1a, s1e0r, s1e0w, s12e1r, s12e1w, s12e0r, s12e0w), got 's1e1x:0x2'"],
    [[SEED, "--esr", "0x1", "--at", "par:0x1,s1e1a:1"], '--at par:0x1,s1e1a:1: s1e1a\'s PAR_EL1 must be a hex string like "0x1234", got "1"'],
    [[SEED, "--esr", "0x1", "--at", "par:0x1,s1e1a:0x2,s1e1a:0x3"], "--at par:0x1,s1e1a:0x2,s1e1a:0x3: s1e1a is given twice"],
    [[SEED, "--esr", "0x1", "--binding", "dsl/linux-6.12.fault"], "--binding is for a TARGET that is an object function (PATH.o:SYMBOL)"],
    [[SEED, "--esr", "0x1", "--caps", "VHE"], `unknown capability "VHE" in --caps (known: ${KNOWN_CAPABILITIES.join(", ")})`],
    [[SEED, "--esr", "0x1", "--caps", "ARM64_HAS_S1POE,ARM64_HAS_S1POE"], 'capability "ARM64_HAS_S1POE" appears twice in --caps'],
    [[SEED, "--esr", "0x1", "--sysregs", "ESR_EL2=0x1"], "--sysregs ESR_EL2 sets the register that --esr sets; give it as --esr"],
    [[SEED, "--esr", "0x1", "--sysregs", "MIDR_EL1=0x411fd072"], "--sysregs MIDR_EL1 sets the register that --midr sets; give it as --midr"],
    [[SEED, "--esr", "0x1", "--sysregs", "VTTBR_EL2"], "--sysregs must be NAME=HEX[,NAME=HEX...], got 'VTTBR_EL2'"],
    [[SEED, "--esr", "0x1", "--sysregs", "VTTBR_EL2=0x0,VTTBR_EL2=0x1"], "--sysregs: register 'VTTBR_EL2' given twice"],
    [[SEED, "--esr", "0x1", "--sysregs", "NOPE=0x1"], 'unknown system register "NOPE" in --sysregs'],
    [[SEED, "--esr", "0x1", "--sysregs", "VTTBR_EL2=1"], '--sysregs VTTBR_EL2 must be a hex string like "0x1234", got "1"'],
    [["-", "--jsonl"], "TARGET '-' and --jsonl both read standard input; give one of them a file"],
    [[SEED, "--esr", "0x1", "--seed", "-1"], "--seed must be a non-negative decimal integer, got '-1'"],
    [[SEED, "--jsonl", "--esr", "0x1"], "--esr cannot be combined with --jsonl (each line is a whole scenario)"],
    [[SEED, "--esr", "0x1", "--frob"], "unknown option '--frob'"],
    [["dsl/kvm-2016.fault#x", "--esr", "0x1"], "'dsl/kvm-2016.fault#x': a rule-file target is FILE.fault#c or FILE.fault#asm, optionally followed by :HANDLER"],
    [["dsl/kvm-2016.fault#c", "--esr", "0x1", "--entry", "x"], "--entry is for assembly targets; name a rule file's handler as dsl/kvm-2016.fault#c:HANDLER"],
    [["ref:nope", "--esr", "0x1"], "unknown reference 'ref:nope' (faultc refs lists them)"],
    [["handler.c", "--esr", "0x1"], "'handler.c' is not a target: expected an assembly file (.S or .s), a rule file's variant (FILE.fault#c or FILE.fault#asm, optionally :HANDLER), a reference (ref:NAME) or a function in an object file (PATH.o:SYMBOL or PATH.ko:SYMBOL)"],
  ])("usage error: %j", async (argv, message) => {
    const r = await run(["run", ...argv]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`faultc run: ${message}\nusage: faultc run TARGET --esr HEX [--far HEX] [--hpfar HEX|unknown] [--par HEX]\n`);
  });

  it("--help", async () => {
    const r = await run(["run", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--jsonl");
    expect(r.stdout).toContain("s2fault:LEVEL[:KIND]");
    for (const kind of [...Object.values(KIND_DESCRIPTIONS), "par:PAR", "--sysregs NAME=HEX"]) expect(r.stdout).toContain(kind);
    expect(r.stdout).not.toContain("come with code generation");
  });

  it("a counterexample replays from the command line as from JSON: --at par:PAR and --sysregs", async () => {
    const flags = await run(["run", SEED, "--esr", "0x5a000000", "--far", "0x1000", "--at", "par:0x801", "--sysregs", "VTTBR_EL2=0x0,ESR_EL1=0x5"]);
    const stream = await jsonl(['{"esr":"0x5a000000","far":"0x1000","at":{"par":"0x801"},"sysregs":{"VTTBR_EL2":"0x0","ESR_EL1":"0x5"}}']);
    expect(flags.code).toBe(0);
    expect(stream.out).toEqual([JSON.parse(flags.stdout)]);
    expect((stream.out[0] as ResultJson).outcome).toBe("host_hvc"); // VTTBR_EL2 = 0: no guest, the host's HVC
    // AT on FAR answers the given PAR: the handler records what it makes of it.
    const at = await run(["run", SEED, "--esr", "0x9200004f", "--far", "0x1234", "--at", "par:0x80001000"]);
    const atJson = await jsonl(['{"esr":"0x9200004f","far":"0x1234","at":{"par":"0x80001000"}}']);
    expect(atJson.out).toEqual([JSON.parse(at.stdout)]);
  });

  it("scenarioToOptions: every scenario's options run it as its JSON does", async () => {
    const scenarios = [
      '{"esr":"0x92000045","far":"0x1234","hpfar":"0x10","par":"0x12345b81","at":{"ok":"0x80001000"},"caps":["ARM64_WORKAROUND_834220","ARM64_HAS_VIRT_HOST_EXTN"],"midr":"0x411fd072","seed":7}',
      '{"esr":"0x9200004f","far":"0x1234","at":"fault","hpfar":"unknown"}',
      '{"esr":"0x92000007","far":"0x1000","at":{"s2fault":{"level":1,"fault":"access-flag"}}}',
      '{"esr":"0x5a000000","at":{"par":"0x801"},"sysregs":{"VTTBR_EL2":"0x0","ESR_EL1":"0x5"}}',
      '{"esr":"0x1e000000"}',
    ];
    for (const text of scenarios) {
      const options = scenarioToOptions(parseScenario(text));
      const flags = await run(["run", SEED, ...options]);
      expect(flags.stderr).toBe("");
      expect((await jsonl([text])).out).toEqual([JSON.parse(flags.stdout)]);
    }
    expect(scenarioToOptions(parseScenario(scenarios[3]))).toEqual(["--esr", "0x5a000000", "--at", "par:0x801", "--sysregs", "VTTBR_EL2=0x0,ESR_EL1=0x5"]);
  });

  it("TARGET '-' reads the assembly from standard input, named <stdin>", async () => {
    const text = readFileSync(SEED, "utf8");
    const r = await cli(["run", "-", "--esr", "0x92000007", "--far", "0x1234", "--trace"], text);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ResultJson;
    expect(j.outcome).toBe("exit");
    expect(j.trace[0].loc).toBe("<stdin>:26:2");
    const bad = await cli(["run", "-", "--esr", "0x1"], "el1_sync:\n\tfrob x0\n");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:2:2: error: [^\n]+\n$/);
  });

  it("a UTF-8 byte order mark before an assembly file is accepted", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "faultc-run-"));
    const bom = path.join(dir, "bom.S");
    writeFileSync(bom, "\uFEFF" + readFileSync(SEED, "utf8"));
    const r = await run(["run", bom, "--esr", "0x92000007", "--trace"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ResultJson).trace[0].loc).toBe(`${bom}:26:2`);
  });

  it("an unreadable target, bad assembly and a failed run: one located line, exit 1, no stack trace", async () => {
    const missing = await run(["run", "no/such.S", "--esr", "0x1"]);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: "no/such.S:1:1: error: cannot read 'no/such.S' (no such file)\n" });

    const dir = mkdtempSync(path.join(tmpdir(), "faultc-run-"));
    const bad = path.join(dir, "bad.S");
    writeFileSync(bad, "el1_sync:\n\tmrs\tx1, esr_el2\n\tldr\tx0, [x1, #3]!!\n");
    const r = await run(["run", bad, "--esr", "0x1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+: error: [^\\n]+\\n$`));

    const undef = path.join(dir, "undef.S");
    writeFileSync(undef, "el1_sync:\n\tmrs\tx0, far_el12\n\teret\n");
    const u = await run(["run", undef, "--esr", "0x1"]);
    expect(u).toEqual({ code: 1, stdout: "", stderr: `${undef}:2:2: error: mrs x0, far_el12: FAR_EL12 is UNDEFINED at EL2 when HCR_EL2.E2H == 0\n`.replace("mrs x0", "mrs\tx0") });

    const noEntry = path.join(dir, "noentry.s");
    writeFileSync(noEntry, "start:\n\teret\n");
    expect(await run(["run", noEntry, "--esr", "0x1"])).toEqual({ code: 1, stdout: "", stderr: `${noEntry}: error: no label 'el1_sync' (the entry point) in the program\n` });
    expect(JSON.parse((await run(["run", noEntry, "--entry", "start", "--esr", "0x1"])).stdout)).toMatchObject({ outcome: "retry" });

    const canonical = await run(["run", SEED, "--esr", "0x9200004f", "--far", "0x1000000000000"]);
    expect(canonical).toEqual({ code: 1, stdout: "", stderr: 'faultc run: "far" 0x1000000000000 is outside both 48-bit VA ranges (bits [63:48] must be all 0 or all 1), so stage 1 cannot map it; use "at":"fault"\n' });
  });

  describe("--jsonl", () => {
    it("one result per line, in order; bad lines become errors and the stream goes on; exit 1", async () => {
      const r = await jsonl([
        '{"esr":"0x92000007","far":"0x1000","hpfar":"0x10"}',
        '{"esr":"0x9200004f","bogus":1}',
        "",
        "not json",
        '{"esr":"0x9200004f","far":"0x1000000000000"}',
        '{"esr":"0x9200004f","far":"0x1000","at":"fault"}',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("");
      expect(r.out).toHaveLength(5);
      expect(r.out[0]).toMatchObject({ outcome: "exit", fault: { hpfar_el2: "0x10" } });
      expect(r.out[1]).toEqual({ error: 'line 2: unknown key "bogus" (expected one of esr, far, hpfar, par, at, caps, midr, seed, sysregs, guest)' });
      expect((r.out[2] as { error: string }).error).toMatch(/^line 4: not valid JSON: /);
      expect(r.out[3]).toEqual({ error: 'line 5: "far" 0x1000000000000 is outside both 48-bit VA ranges (bits [63:48] must be all 0 or all 1), so stage 1 cannot map it; use "at":"fault"' });
      expect(r.out[4]).toMatchObject({ outcome: "retry", gprs_restored: true });
    });

    it("exit 0 when every line ran; --trace applies to every line", async () => {
      const r = await jsonl(['{"esr":"0x1e000000"}', '{"esr":"0x92000007","caps":["ARM64_HAS_VIRT_HOST_EXTN"]}'], ["--trace"]);
      expect(r.code).toBe(0);
      expect(r.out.map((o) => (o as ResultJson).outcome)).toEqual(["fpsimd_guest_restore", "exit"]);
      expect((r.out[0] as ResultJson).trace.length).toBeGreaterThan(0);
    });

    it("a failed run is an error line, too", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "faultc-run-"));
      const undef = path.join(dir, "undef.S");
      writeFileSync(undef, "el1_sync:\n\tmrs\tx0, far_el12\n\teret\n");
      let stdout = "";
      const command = createRunCommand(async function* () {
        yield '{"esr":"0x1","caps":["ARM64_HAS_VIRT_HOST_EXTN"]}';
        yield '{"esr":"0x1"}';
      });
      const code = await command.run([undef, "--jsonl"], { stdout: (t) => void (stdout += t), stderr: () => undefined });
      expect(code).toBe(1);
      const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ outcome: "retry" });
      expect(lines[1]).toEqual({ error: `line 2: ${undef}:2:2: error: mrs\tx0, far_el12: FAR_EL12 is UNDEFINED at EL2 when HCR_EL2.E2H == 0` });
    });

    it("a line nested 200,000 deep is that line's error; the stream goes on", async () => {
      const deep = `{"esr":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
      const r = await jsonl([deep, '{"esr":"0x92000007"}', "[".repeat(200_000) + "]".repeat(200_000), `{"esr":"0x1","sysregs":{"VTTBR_EL2":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`]);
      expect(r.code).toBe(1);
      expect(r.out).toHaveLength(4);
      expect(r.out[0]).toEqual({ error: `line 1: "esr" must be a hex string like "0x1234", got ${"[".repeat(37)}...` });
      expect(r.out[1]).toMatchObject({ outcome: "exit" });
      expect(r.out[2]).toEqual({ error: `line 3: a scenario must be a JSON object, got ${"[".repeat(37)}...` });
      expect(r.out[3]).toEqual({ error: `line 4: "sysregs.VTTBR_EL2" must be a hex string like "0x1234", got ${"[".repeat(37)}...` });
    });

    it("a byte order mark before the first line is accepted; sysregs may not set what a key sets", async () => {
      const r = await cli(["run", SEED, "--jsonl"], ["\uFEFF{\"esr\":\"0x92000007\"}", '{"esr":"0x1","sysregs":{"ESR_EL2":"0x92000007"}}', '{"esr":"0x1","sysregs":{"MIDR_EL1":"0x411fd072"}}', '{"esr":"0x1","far":"0x0","sysregs":{"FAR_EL2":"0x1234"}}'].join("\n"));
      const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(out[0]).toMatchObject({ outcome: "exit" });
      expect(out.slice(1)).toEqual([
        { error: 'line 2: "sysregs.ESR_EL2" sets the register that "esr" sets; give it as "esr"' },
        { error: 'line 3: "sysregs.MIDR_EL1" sets the register that "midr" sets; give it as "midr"' },
        { error: 'line 4: "sysregs.FAR_EL2" sets the register that "far" sets; give it as "far"' },
      ]);
    });

    it("a reader that stops early (| head -1): exit 141 quietly, as a filter on SIGPIPE", async () => {
      const child = spawn(process.execPath, ["bin/faultc.js", "run", SEED, "--jsonl"], { stdio: ["pipe", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
      child.stdout.once("data", () => child.stdout.destroy());
      child.stdin.on("error", () => undefined); // it may stop reading before all lines are in
      child.stdin.end('{"esr":"0x92000007"}\n'.repeat(5000));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(stderr).toBe("");
      expect(code).toBe(141);
    });

    it("reads stdin through the installed bin", () => {
      const input = ['{"esr":"0x92000007","far":"0x1234","hpfar":"0x10"}', '{"esr":"0x9200004f","far":"0x1234","at":"fault"}', '{"esr":"x"}'].join("\r\n");
      const r = spawnSync(process.execPath, ["bin/faultc.js", "run", SEED, "--jsonl"], { input, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(1);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.outcome ?? l.error)).toEqual(["exit", "retry", 'line 3: "esr" must be a hex string like "0x1234", got "x"']);
    });
  });
});

describe("faultc run on rule files and references", () => {
  it.each(["dsl/kvm-2016.fault#c", "dsl/kvm-2016.fault#asm", "dsl/kvm-2016.fault#c:el1_sync", "ref:kvm-2016-after", "ref:kvm-2016-before"])("%s: a permission fault resolves the IPA with AT", async (target) => {
    const r = await run(["run", target, "--esr", "0x9200004f", "--far", "0x1234", "--at", "ok:0x80001000"]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as { outcome: string; exit_code: string; fault: Record<string, string>; par_preserved: boolean };
    expect(res).toMatchObject({ outcome: "exit", exit_code: "0x1", fault: { esr_el2: "0x9200004f", far_el2: "0x1234", hpfar_el2: "0x800010" }, par_preserved: true });
  });

  it("a rule file with errors prints its diagnostics and exits 1", async () => {
    const r = await run(["run", "test/fixtures/check/width-mismatch.fault#c", "--esr", "0x1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("width-mismatch.fault:5:16: error: field esr has 64 bits but this value has 6");
  });
});
