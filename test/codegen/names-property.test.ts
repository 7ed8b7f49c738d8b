// Issue 9 item 2, as a property: every rule file that checks clean yields a .c that the AArch64
// cross compiler builds with -Werror (and the kernel's extra warnings), a .S that assembles,
// TypeScript that tsc accepts, and the same meaning in each, whatever its names are. fast-check
// draws (seeded) small rule files of one fixed shape (two handlers, functions calling functions,
// predicates calling predicates, AT, every outcome, two capabilities of the rule file's own, which
// no header numbers) whose names are C and TypeScript keywords, the generated code's own names,
// Object.prototype's names, register names, cpp's macros and near-collisions (x, x_, x__, dsl_x_);
// the first case is the issue's own (fn h beside fn h_, fn oneOf, fn origin, handler int, a field
// __proto__, external x0), with capabilities linux and __LINE__. Each case is built like
// `faultc build`, then:
// - the .c is compiled by aarch64-linux-gnu-gcc (twice: the headers' flags, then the kernel's
//   extra warnings), the .S assembled; each object exports exactly the handlers' generated names;
// - every .ts output of every case goes through one tsc program;
// - the .c runs on the host (c-host.ts) and must give what the IR gives, on seeded inputs;
// - #c and #asm, opened by the names the rule file uses (FILE.fault#c:int), run on the model on
//   seeded scenarios and must agree, reporting the rule file's names for handoffs and every
//   record field in the run's JSON; for the first cases, faultc equiv proves them equivalent.
// Without the tools this fails under CI and is skipped elsewhere, saying so.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/codegen/backends.ts";
import { planBuild } from "../../src/codegen/build.ts";
import type * as I from "../../src/codegen/ir/types.ts";
import { moduleCapabilities } from "../../src/codegen/names/capabilities.ts";
import { exportNameOf, mangle } from "../../src/codegen/names/mangle.ts";
import { equivalence } from "../../src/equiv/equiv.ts";
import { renderDiagnostic } from "../../src/parser/diagnostics.ts";
import { keywords } from "../../src/parser/tokens.ts";
import { runResultToJson } from "../../src/runtime/run/json.ts";
import { openSide } from "../../src/sides/index.ts";
import { esr, HOST_CC, hostRegisters, prng, runOnHost, SHIM, type HostInput } from "./c-host.ts";
import { agreementScenarios, resultKey } from "./scenarios.ts";
import { atOperationEnumText } from "../support/at-operation-enum.ts";

const GCC = "aarch64-linux-gnu-gcc";
const NM = "aarch64-linux-gnu-nm";
const CC_FLAGS = ["-c", "-ffreestanding", "-O2", "-Wall", "-Wextra", "-Werror"];
const KERNEL_FLAGS = ["-std=gnu11", "-Wdeclaration-after-statement", "-Wmissing-prototypes", "-Wstrict-prototypes", "-Wshadow"];
const AS_FLAGS = ["-c", "-x", "assembler-with-cpp", "-Wa,--fatal-warnings"];
const INCLUDE = path.resolve("include");

const missing = [GCC, NM].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
if (HOST_CC === undefined) missing.push("cc");
if (missing.length > 0 && !process.env.CI) console.warn(`name property tests skipped: ${missing.join(", ")} not found`);

// ---------------------------------------------------------------- names

const POOLS: Record<string, string[]> = {
  c: "int char auto double extern float goto long register short signed sizeof struct typedef union unsigned volatile inline restrict bool static_assert typeof asm main default switch case break continue return while do for if else void static alignas thread_local nullptr".split(" "),
  ts: "class function var new delete this super await yield implements interface package private protected public eval arguments undefined NaN Infinity globalThis require exports module any number string symbol type from of get set async declare namespace never unknown object bigint instanceof with debugger finally try catch throw export extends null".split(" "),
  generated: ("d h V B origin oneOf HypApi Outcome vcpu exit_code FIRST GENMASK_ULL read_sysreg write_sysreg isb sign_extend64 cpus_have_final_cap " +
    "u8 u32 u64 s64 NULL offsetof linux unix UINT64_C INT8_MAX SIZE_MAX size_t uint64_t translate_s1e1r translate_s1e1r_preserving_par " +
    "faultc_at_s1e1r_preserving_par FAULTC_EXIT FAULTC_RETRY FAULTC_HANDOFF_FIRST FAULTC_EXIT_CODE_E faultc_vcpu faultc_test_entry __faultc_v __pad0 " +
    "__reserved fault __guest_exit __kvm_handle_stub_hvc __fpsimd_guest_restore save_x0_to_x3 restore_x0_to_x3 alternative_else alternative_if_not " +
    "ARM64_HAS_S1POE ARM64_WORKAROUND_834220 ESR_ELx_FSC ARM_EXCEPTION_TRAP VCPU_ESR_EL2 va par tmp saved handlers externals text entry h_record d_record esr esr_el2 printf memset").split(" "),
  proto: "__proto__ constructor toString valueOf hasOwnProperty isPrototypeOf propertyIsEnumerable toLocaleString __defineGetter__ __lookupSetter__".split(" "),
  registers: "x0 x1 x30 w1 w30 sp wsp xzr wzr lr fp ip0 ip1 X3 SP Lr".split(" "),
  near: ["h", "x", "int", "origin", "a"].flatMap((b) => [b, `${b}_`, `${b}__`, `_${b}`, `dsl_${b}_`, `dsl_${b}__`, `dsl_${b}`]),
  // What cpp makes something else of in the .c and the .S: its built-in and predefined macros and operators.
  cpp: "__LINE__ __FILE__ __COUNTER__ __VA_ARGS__ __has_include _Pragma defined linux unix __aarch64__ __GNUC__ _LP64".split(" "),
};
/** Names the template itself uses, and the rule language's builtins (a function of that name would take their place). */
const TEMPLATE = new Set(["ESR_EL2", "ESR_EL1", "FAR_EL2", "HPFAR_EL2", "PAR_EL1", "ARM64_HAS_VIRT_HOST_EXTN", "zext", "sext", "trunc", "genmask"]);
const POOL = [...new Set(Object.values(POOLS).flat())].filter((n) => !(n in keywords) && !TEMPLATE.has(n));

interface Names {
  /** E1 E2 X1 X2 R G1 G2 G3 Q1 Q2 H1 H2 C1 C2 (the rule file's own capabilities): one namespace. */
  globals: string[];
  /** L1..L5 (lets), P1..P6 (parameters): distinct from the globals. */
  locals: string[];
  /** The record's fields F1..F4. */
  fields: string[];
  /** Rule names U1..U8. */
  rules: string[];
}

/** The issue's own example, where it can be one. */
const ISSUE_CASE: Names = {
  globals: ["E", "E_", "x0", "__guest_exit", "rec", "h", "h_", "oneOf", "origin", "constructor", "int", "int_", "linux", "__LINE__"],
  locals: ["d", "va", "par", "esr", "__proto__", "V", "B", "arguments", "eval", "exit_code", "vcpu"],
  fields: ["__proto__", "constructor", "toString", "h_record"],
  rules: ["default", "class", "main", "x1", "h", "FAULTC_EXIT", "origin", "int", "linux"],
};

const unique = (n: number) => fc.uniqueArray(fc.constantFrom(...POOL), { minLength: n, maxLength: n });
const namesArb: fc.Arbitrary<Names> = fc
  .record({
    globals: unique(14),
    locals: unique(11),
    // Fields are where Object.prototype's names matter (run results keyed by them): drawn from those half the time.
    fields: fc.uniqueArray(fc.oneof(fc.constantFrom(...POOLS.proto), fc.constantFrom(...POOL)), { minLength: 4, maxLength: 4 }),
    rules: unique(9),
    near: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  })
  .filter((c) => c.locals.every((l) => !c.globals.includes(l)))
  .map(({ near, ...c }) => {
    // Near-collisions on purpose: G2 = G1_, X2 = X1_, H2 = H1_, F2 = F1_.
    const taken = new Set([...c.globals, ...c.locals]);
    for (const [on, [a, b]] of [[near[0], [5, 6]], [near[1], [2, 3]], [near[2], [10, 11]]] as const) {
      const twin = `${c.globals[a]}_`;
      if (on && !taken.has(twin)) c.globals[b] = twin;
    }
    if (near[3] && !c.fields.includes(`${c.fields[0]}_`)) c.fields[1] = `${c.fields[0]}_`;
    return c;
  });

function ruleFile(n: Names): { text: string; handlers: [string, string]; externals: [string, string]; capabilities: [string, string]; fields: string[] } {
  const [E1, E2, X1, X2, R, G1, G2, G3, Q1, Q2, H1, H2, C1, C2] = n.globals;
  const [L1, L2, L3, L4, L5, P1, P2, P3, P4, P5, P6] = n.locals;
  const [F1, F2, F3, F4] = n.fields;
  const [U1, U2, U3, U4, U5, U6, U7, U8, U9] = n.rules;
  const text = `source "faultc name property test";
${atOperationEnumText()}
sysreg ESR_EL2 : 64;
sysreg ESR_EL1 : 64;
sysreg FAR_EL2 : 64;
sysreg HPFAR_EL2 : 64;
sysreg PAR_EL1 : 64;
capability ARM64_HAS_VIRT_HOST_EXTN;
capability ${C1};
capability ${C2};
exitcode ${E1} = 1;
exitcode ${E2} = 0x123456789;
external ${X1};
external ${X2};
record ${R} { ${F1} : 32; ${F2} : 64; ${F3} : 64; ${F4} : 12; }
fn ${G1}(${P1}: 64) : 64 = ${P1} + 1;
fn ${G2}(${P2}: 64) : 64 = ${P2} + 2;
fn ${G3}(${P3}: 64, ${P4}: 64) : 64 = ${G1}(${P3}) ^ (${G2}(${P4}) << 1);
pred ${Q1}(${P5}: 64) = ${P5}[31:26] == 0x24 || ${P5}[31:26] == 0x20;
pred ${Q2}(${P6}: 64) = ${Q1}(${P6}) && (${P6}[7] == 1 || ${C2});
handler ${H1} records ${R} {
  let ${L1} = read ESR_EL2 or ESR_EL1 when ARM64_HAS_VIRT_HOST_EXTN;
  record ${F1} = trunc(${L1}, 32);
  record ${F2} = ${G1}(${L1});
  record ${F3} = ${G2}(${L1});
  rules {
    rule ${U1} when ${Q2}(${L1}) { handoff ${X1}; }
    rule ${U2} when ${Q1}(${L1}) {
      let ${L2} = read FAR_EL2;
      let ${L3} = at S1E1R or S1E1W when ${C1} (${L2}) preserving PAR_EL1;
      record ${F4} = trunc(${L3}, 12);
      rules {
        rule ${U3} when ${L3}[0] == 1 { retry; }
        rule ${U4} otherwise { record ${F2} = ${G3}(${L2}, ${L3}); exit ${E1}; }
      }
    }
    rule ${U5} when ${L1}[0] == 1 { handoff ${X2}; }
    rule ${U6} otherwise { exit ${E2}; }
  }
}
handler ${H2} records ${R} {
  let ${L4} = read HPFAR_EL2;
  let ${L5} = ${L4} == 0;
  record ${F3} = ${G3}(${L4}, ${L4});
  rules {
    rule ${U7} when ${L5} { exit ${E1}; }
    rule ${U9} when ${C1} && !${C2} { handoff ${X2}; }
    rule ${U8} otherwise { handoff ${X1}; }
  }
}
`;
  return { text, handlers: [H1, H2], externals: [X1, X2], capabilities: [C1, C2], fields: n.fields };
}

const CASES: Names[] = [ISSUE_CASE, ...fc.sample(namesArb, { seed: 0x1552, numRuns: 19 })];

// ---------------------------------------------------------------- the checks

function run(cmd: string, args: string[], cwd: string): string | undefined {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return r.status === 0 && r.stderr === "" ? undefined : `${cmd} ${args.join(" ")}\n${r.stdout}${r.stderr}`;
}

/** nm's symbols of an object: name -> type letter. */
function symbols(obj: string, cwd: string): Map<string, string> {
  const out = spawnSync(NM, [obj], { cwd, encoding: "utf8" }).stdout;
  return new Map(out.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const parts = l.trim().split(/\s+/);
    return [parts[parts.length - 1], parts[parts.length - 2]];
  }));
}

interface Built {
  index: number;
  file: string;
  names: ReturnType<typeof ruleFile>;
  module: I.IrModule;
  outputs: Map<string, string>;
}

if (missing.length > 0 && process.env.CI) {
  describe("rule files with hostile names", () => {
    it("have their tools (CI)", () => {
      throw new Error(`${missing.join(", ")} not found; CI must install them (gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu, gcc)`);
    });
  });
}

describe.skipIf(missing.length > 0)("rule files with hostile names build, compile and mean the same in every backend", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "faultc-names-"));
  const out = path.join(dir, "out");
  const host = path.join(dir, "host");
  const built: Built[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    mkdirSync(out);
    mkdirSync(host);
    writeFileSync(path.join(out, "package.json"), '{ "type": "module" }\n');
    writeFileSync(path.join(host, "faultc-hyp.h"), SHIM);
    for (const [index, n] of CASES.entries()) {
      const names = ruleFile(n);
      const file = path.join(dir, `case-${index}.fault`);
      writeFileSync(file, names.text);
      const plan = await planBuild([file], out);
      const errors = plan.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) throw new Error(`case ${index} does not check:\n${errors.map((d) => renderDiagnostic(d, plan.sources)).join("\n")}\n${names.text}`);
      const outputs = new Map<string, string>();
      for (const o of plan.outputs) {
        writeFileSync(o.path, o.content);
        outputs.set(path.basename(o.path).slice(`case-${index}`.length), o.content);
      }
      built.push({ index, file, names, module: plan.modules[0], outputs });
    }
  }, 120_000);

  it("draws names from every pool, and the issue's own case escapes what it must", () => {
    const used = new Set(CASES.flatMap((c) => [...c.globals, ...c.locals, ...c.fields, ...c.rules]));
    for (const [pool, names] of Object.entries(POOLS)) expect(names.filter((x) => used.has(x)).length, pool).toBeGreaterThan(3);
    const c = built[0].outputs.get(".c") ?? "";
    expect(c).toContain("static inline u64 dsl_h_(u64 dsl_V_)");
    expect(c).toContain("static inline u64 dsl_h__(u64 dsl_B_)");
    expect(c).toContain("int dsl_int_(struct faultc_vcpu *vcpu, u64 *exit_code)");
    expect(built[0].outputs.get(".S")).toContain("\tb dsl_x0_\n");
  });

  it("every .c compiles with -Werror, also with the kernel's extra warnings, exporting exactly its handlers", () => {
    const failures: string[] = [];
    for (const b of built) {
      const base = `case-${b.index}`;
      const err = run(GCC, [...CC_FLAGS, `-I${INCLUDE}`, `${base}.c`, "-o", `${base}.c.o`], out) ?? run(GCC, [...CC_FLAGS, ...KERNEL_FLAGS, `-I${INCLUDE}`, `${base}.c`, "-o", `${base}.k.o`], out);
      if (err !== undefined) {
        failures.push(`${err}\n${b.names.text}`);
        continue;
      }
      const exported = [...symbols(`${base}.c.o`, out)].filter(([, t]) => t === "T").map(([s]) => s).sort();
      expect(exported, base).toEqual(b.names.handlers.map(exportNameOf).sort());
    }
    expect(failures).toEqual([]);
  });

  it("every .S assembles, defines its handlers' generated names and branches to its externals' (nothing else)", () => {
    const failures: string[] = [];
    for (const b of built) {
      const base = `case-${b.index}`;
      const err = run(GCC, [...AS_FLAGS, `-I${INCLUDE}`, `${base}.S`, "-o", `${base}.S.o`], out);
      if (err !== undefined) {
        failures.push(`${err}\n${b.names.text}`);
        continue;
      }
      const syms = symbols(`${base}.S.o`, out);
      const defined = [...syms].filter(([, t]) => t === "T").map(([s]) => s).sort();
      const undefinedSyms = [...syms].filter(([, t]) => t === "U").map(([s]) => s).sort();
      expect(defined, base).toEqual(b.names.handlers.map(exportNameOf).sort());
      expect(undefinedSyms, base).toEqual(["__guest_exit", ...b.names.externals.map(mangle)].sort());
    }
    expect(failures).toEqual([]);
  });

  it("tsc accepts every .c.ts and .asm.ts (one program over all cases)", () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.resolve("tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } });
    if (config === undefined) throw new Error("tsconfig.json did not parse");
    const files = readdirSync(out).filter((f) => f.endsWith(".ts")).map((f) => path.join(out, f));
    expect(files.length).toBe(2 * CASES.length);
    const program = ts.createProgram(files, { ...config.options, types: [], noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || d.file.fileName.startsWith(out));
    expect(diagnostics.map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`)).toEqual([]);
  }, 120_000);

  it("every .c on the host gives what the IR gives (so h and h_ stay two functions)", () => {
    for (const b of built) {
      for (const h of b.module.handlers) {
        const r = prng(0x5eed + b.index);
        const inputs: HostInput[] = Array.from({ length: 300 }, () => ({
          caps: new Set(moduleCapabilities(b.module).filter(() => r() & 1n)),
          regs: new Map(hostRegisters(h).map((x) => [x, /^ESR_/.test(x) ? esr(r) : r() % 4n === 0n ? 0n : r()])),
        }));
        const { actual, expected } = runOnHost(host, `case-${b.index}-${h === b.module.handlers[0] ? 1 : 2}`, b.module, b.outputs.get(".c") ?? "", h, inputs);
        expect(actual, `case ${b.index} handler ${h.name}\n${b.names.text}`).toEqual(expected);
      }
    }
  }, 120_000);

  it("#c and #asm, named by the rule file's names, agree on the model and report its names and fields", async () => {
    for (const b of built) {
      // Every combination of the template's capability and the case's own two.
      const scenarios = agreementScenarios(["ARM64_HAS_VIRT_HOST_EXTN", ...b.names.capabilities], 7).filter((_, i) => i % 61 === 0);
      for (const handler of b.names.handlers) {
        const [c, asm] = await Promise.all([openSide(`${b.file}#c:${handler}`), openSide(`${b.file}#asm:${handler}`)]);
        const [tc, ta] = [c.concrete(), asm.concrete()];
        const outcomes = new Set<string>();
        for (const s of scenarios) {
          const rc = tc.run(s);
          const ra = ta.run(s);
          expect(resultKey(ra), `case ${b.index} ${handler} on ${JSON.stringify(s, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}\n${b.names.text}`).toBe(resultKey(rc));
          outcomes.add(rc.outcome);
          const json = JSON.parse(JSON.stringify(runResultToJson(ra))) as { fault: Record<string, string> };
          expect(Object.keys(json.fault).sort(), `case ${b.index}`).toEqual([...b.names.fields].sort());
        }
        // Handoffs are reported by the names the rule file gives the externals.
        expect([...outcomes].filter((o) => o !== "exit" && o !== "retry").every((o) => b.names.externals.includes(o)), [...outcomes].join(" ")).toBe(true);
        expect(outcomes.has(b.names.externals[0]), `case ${b.index} ${handler}: ${[...outcomes].join(" ")}`).toBe(true);
      }
    }
  }, 300_000);

  it("faultc equiv proves #asm and #c equivalent for the first cases (symbolic outcomes by the rule file's names too)", async () => {
    for (const b of built.slice(0, 3)) {
      for (const handler of b.names.handlers) {
        const r = await equivalence(`${b.file}#asm:${handler}`, `${b.file}#c:${handler}`, { strict: true, sweep: false, fills: 0 });
        expect(r.proof.verdict, `case ${b.index} ${handler}`).toBe("equivalent");
      }
    }
  }, 300_000);
});
