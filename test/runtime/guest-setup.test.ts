// The guest-access form of a scenario ({"guest":{...}}): the JSON reader with positions it and the
// registers form share, the schema table it is read by, what the trap builder computes from it, and
// errors that say where they are.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GUEST_SCHEMA, guestSchemaTable, readScenario, scenarioErrorPosition, trapToJson } from "../../src/runtime/scenario/guest-setup.ts";
import { readObject, schemaTable, type Schema } from "../../src/runtime/scenario/input-schema.ts";
import { JsonSyntaxError, parseJsonWithPositions } from "../../src/runtime/scenario/json-positions.ts";
import { parseScenario, scenarioToJson, ScenarioError } from "../../src/runtime/scenario/scenario.ts";
import { trapFromGuestAccess, type GuestAccessTrapInput } from "../../src/runtime/scenario/trap.ts";
import { S2AP } from "../../src/runtime/mmu/descriptor-encoding.ts";

/** The error readScenario gives for `text`, as a scenario file reports it: line:col: message. */
function located(text: string): string {
  try {
    readScenario(text);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const p = scenarioErrorPosition(e, text);
    return `${p.line}:${p.column}: ${e.message}`;
  }
  throw new Error(`no error for ${text}`);
}

const PAGE_MAPPED = { stage1: [{ va: "0x1000", ipa: "0x80001000" }], stage2: [{ ipa: "0x80001000", pa: "0x60001000" }] };

describe("the JSON reader with positions", () => {
  it("gives JSON.parse's value for any JSON text", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseJsonWithPositions(text).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses what JSON.parse refuses, and a key given twice", () => {
    for (const text of ["", "{", "[1,]", '{"a":1,}', "01", "-", "1.", "tru", '"\\x"', '"a\nb"', "[1 2]", '{"a" 1}', "{1:2}", '"\\u12"', "1 2", "nul"]) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(() => parseJsonWithPositions(text), text).toThrow(JsonSyntaxError);
    }
    expect(() => parseJsonWithPositions('{"a":1,"a":2}')).toThrow('key "a" appears twice in an object');
  });

  it("a key \"__proto__\" is a plain member, as in JSON.parse", () => {
    const v = parseJsonWithPositions('{"__proto__":{"x":1}}').value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("knows the line and column of every key and value", () => {
    const j = parseJsonWithPositions('{\n  "a": [1,\n    {"b": true}],\n\t"c":"x"}');
    expect(j.positionOf(["a"], "key")).toEqual({ line: 2, column: 3 });
    expect(j.positionOf(["a"])).toEqual({ line: 2, column: 8 });
    expect(j.positionOf(["a", 1, "b"])).toEqual({ line: 3, column: 11 });
    expect(j.positionOf(["c"], "key")).toEqual({ line: 4, column: 2 });
    // A path that is not there: the nearest value that is.
    expect(j.positionOf(["a", 1, "zz"])).toEqual({ line: 3, column: 5 });
  });

  it("a value nested 200,000 arrays deep costs no stack", () => {
    const text = "[".repeat(200_000) + "]".repeat(200_000);
    expect(Array.isArray(parseJsonWithPositions(text).value)).toBe(true);
    expect(() => parseJsonWithPositions("[".repeat(200_000))).toThrow(JsonSyntaxError);
  });

  it("a byte order mark before the text is skipped, and columns count from after it", () => {
    expect(located('\uFEFF{"esr":1}')).toBe('1:8: "esr" must be a hex string like "0x1234", got 1');
  });
});

describe("the schema table", () => {
  const schema: Schema = {
    n: { type: { kind: "integer", min: 0, max: 3 }, required: true, doc: "a number" },
    h: { type: { kind: "hex" }, doc: "a value" },
    b: { type: { kind: "boolean" }, doc: "a flag" },
    e: { type: { kind: "enum", values: ["x", 1] }, doc: "a choice" },
    t: { type: { kind: "text", example: "ldr x0, [x1]" }, doc: "a text" },
    o: { type: { kind: "object", fields: { k: { type: { kind: "boolean" }, doc: "in o" } } }, doc: "an object" },
    l: { type: { kind: "list", of: { v: { type: { kind: "hex" }, required: true, doc: "in l" } } }, doc: "a list" },
  };
  const read = (v: unknown) => readObject(schema, v, ["s"]);

  it("reads each type, keeping only the fields given", () => {
    expect(read({ n: 2, h: "0xff", b: false, e: 1, t: "nop", o: { k: true }, l: [{ v: "0x1" }] })).toEqual({ n: 2, h: 0xffn, b: false, e: 1, t: "nop", o: { k: true }, l: [{ v: 1n }] });
    expect(read({ n: 0 })).toEqual({ n: 0 });
  });

  it("refuses each wrong value naming the field by its path", () => {
    const cases: [unknown, string, readonly (string | number)[]][] = [
      [{}, 'missing key "n" in "s"', ["s"]],
      [{ n: 4 }, '"s.n" must be an integer 0-3, got 4', ["s", "n"]],
      [{ n: 1.5 }, '"s.n" must be an integer 0-3, got 1.5', ["s", "n"]],
      [{ n: 0, h: 1 }, '"s.h" must be a hex string like "0x1234", got 1', ["s", "h"]],
      [{ n: 0, h: "0x10000000000000000" }, '"s.h" value 0x10000000000000000 does not fit in 64 bits', ["s", "h"]],
      [{ n: 0, b: "yes" }, '"s.b" must be true or false, got "yes"', ["s", "b"]],
      [{ n: 0, e: "y" }, '"s.e" must be "x" or 1, got "y"', ["s", "e"]],
      [{ n: 0, t: " " }, '"s.t" must be a non-empty string like "ldr x0, [x1]", got " "', ["s", "t"]],
      [{ n: 0, o: [] }, '"s.o" must be an object of k, got []', ["s", "o"]],
      [{ n: 0, l: {} }, '"s.l" must be an array of objects, got {}', ["s", "l"]],
      [{ n: 0, l: [{ v: "0x1" }, {}] }, 'missing key "v" in "s.l[1]"', ["s", "l", 1]],
      [{ n: 0, zz: 1 }, 'unknown key "zz" in "s" (expected n, h, b, e, t, o, l)', ["s", "zz"]],
      [7, '"s" must be an object of n, h, b, e, t, o, l, got 7', ["s"]],
    ];
    for (const [value, message, path] of cases) {
      let error: unknown;
      try {
        read(value);
      } catch (e) {
        error = e;
      }
      expect(error, message).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).message).toBe(message);
      expect((error as ScenarioError).path).toEqual(path);
    }
  });

  it("writes the documentation's table, nested fields under their parent", () => {
    expect(schemaTable(schema, "s").split("\n").slice(2, 4)).toEqual(["| `s.n` | integer 0-3 | required | a number |", "| `s.h` | `\"0x...\"` | absent | a value |"]);
    expect(schemaTable(schema, "s")).toContain("| `s.l[].v` | `\"0x...\"` | required | in l |");
  });

  it("docs/RUN.md holds the guest's table as the schema writes it", () => {
    const doc = readFileSync("docs/RUN.md", "utf8");
    // When this fails, replace the table in docs/RUN.md ("The guest-access form") with guestSchemaTable().
    expect(doc).toContain(guestSchemaTable());
  });
});

describe("readScenario: the guest-access form", () => {
  const s2ReadOnly = { va: "0x1234", access: "write", kind: "data", stage1: [{ va: "0x1000", ipa: "0x80001000" }], stage2: [{ ipa: "0x80001000", pa: "0x60001000", s2ap: 1 }] };

  it("is the trap builder's answer on the same input, with the scenario's shared keys", () => {
    const r = readScenario(JSON.stringify({ guest: s2ReadOnly, seed: 5, caps: ["ARM64_WORKAROUND_834220"], midr: "0x411fd072" }));
    const direct = trapFromGuestAccess({
      va: 0x1234n,
      access: "write",
      kind: "data",
      stage1: [{ va: 0x1000n, ipa: 0x8000_1000n }],
      stage2: [{ ipa: 0x8000_1000n, pa: 0x6000_1000n, s2ap: S2AP.READ_ONLY }],
      seed: 5,
      caps: ["ARM64_WORKAROUND_834220"],
      midr: 0x411fd072n,
    });
    expect(r.form).toBe("guest");
    if (r.form !== "guest" || direct.taken !== "el2") throw new Error("expected a trap to EL2");
    expect(r.trap).toEqual(direct);
    expect(r.scenario).toEqual(direct.scenario);
    expect(trapToJson(r.trap, r.scenario)).toMatchObject({ taken: "el2", scenario: { esr: "0x9200004f", far: "0x1234", hpfar: "unknown", seed: 5 }, meta: { faultType: "Permission", level: 3, s1ptw: false, ipa: "0x80001234", hpfarValid: false } });
  });

  it("the scenario it computes replays as a registers-form scenario", () => {
    for (const guest of [s2ReadOnly, { ...s2ReadOnly, tableFaults: [{ va: "0x1000", level: 1, fault: "translation" }] }, { ...s2ReadOnly, stage2: [] }]) {
      const r = readScenario({ guest, seed: 2 });
      if (r.form !== "guest" || r.scenario === undefined) throw new Error("expected a trap to EL2");
      expect(parseScenario(JSON.stringify(scenarioToJson(r.scenario)))).toEqual(r.scenario);
    }
  });

  it("an access that is not taken to EL2 has no scenario, and says where it is taken", () => {
    const el1 = readScenario({ guest: { ...s2ReadOnly, stage1: [] } });
    expect(el1.form === "guest" && el1.scenario).toBe(undefined);
    if (el1.form !== "guest") throw new Error("guest form");
    expect(trapToJson(el1.trap)).toEqual({ taken: "el1", esr: "0x96000044", far: "0x1234", faultType: "Translation", level: 0 });
    const none = readScenario({ guest: { ...s2ReadOnly, access: "read" } });
    if (none.form !== "guest") throw new Error("guest form");
    expect(trapToJson(none.trap)).toEqual({ taken: "none", ipa: "0x80001234", pa: "0x60001234" });
  });

  it("top-level sysregs go into the computed scenario; a register the computed scenario sets may not be given", () => {
    const r = readScenario({ guest: s2ReadOnly, sysregs: { VTTBR_EL2: "0x0" } });
    expect(r.scenario?.sysregs).toEqual({ VTTBR_EL2: 0n });
    const bad = JSON.stringify({ guest: s2ReadOnly, sysregs: { ESR_EL2: "0x1" } });
    expect(located(bad)).toBe(`1:${bad.indexOf('{"ESR_EL2"') + 1}: "sysregs.ESR_EL2" sets the register that "esr" sets; give it as "esr"`);
  });

  it("every field of the schema is read into the builder's input", () => {
    // One value per top-level field (the builder may refuse the combination: only the reading is checked here).
    const keys = Object.keys(GUEST_SCHEMA);
    expect(keys).toEqual(expect.arrayContaining(["va", "access", "kind", "el", "size", "stage1", "stage2", "tableFaults", "erratum834220"]));
    const fields = readObject(GUEST_SCHEMA, { ...s2ReadOnly, el: 0, size: 8, tableFaults: [{ va: "0x1000", level: 2, fault: "access-flag" }], erratum834220: "architectural" }, ["guest"]);
    const expected: Partial<GuestAccessTrapInput> = {
      va: 0x1234n,
      access: "write",
      kind: "data",
      el: 0,
      size: 8,
      stage1: [{ va: 0x1000n, ipa: 0x8000_1000n }],
      stage2: [{ ipa: 0x8000_1000n, pa: 0x6000_1000n, s2ap: 1 }],
      tableFaults: [{ va: 0x1000n, level: 2, fault: "access-flag" }],
      erratum834220: "architectural",
    };
    expect(fields).toEqual(expected);
  });
});

describe("readScenario: errors at their place", () => {
  const text = (guest: object) => JSON.stringify({ guest: { va: "0x1234", access: "read", kind: "data", ...PAGE_MAPPED, ...guest } });

  it("a bad field of the guest, at its value", () => {
    expect(located('{"guest":{"va":"0x1234","access":"read","kind":"data",\n  "stage1":[{"va":"0x1000","ipa":"0x80001000","level":4}],"stage2":[]}}')).toBe('2:55: "guest.stage1[0].level" must be an integer 1-3, got 4');
    expect(located(text({ access: "rd" }))).toBe(`1:34: "guest.access" must be "read" or "write", got "rd"`);
  });

  it("an unknown key, at the key", () => {
    expect(located('{"guest":{"va":"0x1234",\n "acess":"read"}}')).toBe('2:2: unknown key "acess" in "guest" (expected ' + Object.keys(GUEST_SCHEMA).join(", ") + ")");
    expect(located('{"guest":{},\n "bogus":1}')).toBe('2:2: unknown key "bogus" (expected one of esr, far, hpfar, par, at, caps, midr, seed, sysregs, guest)');
  });

  it("a register key beside the guest names both", () => {
    for (const key of ["esr", "far", "hpfar", "par", "at"]) {
      expect(located(`{"guest":{},\n  "${key}":"0x1"}`)).toBe(`2:3: "${key}" and "guest" are both given: the trap builder computes "${key}" from "guest"; give one of them`);
    }
  });

  it("what the builder refuses, at the guest", () => {
    expect(located(text({ kind: "instruction", access: "write" }))).toMatch(/^1:10: trap: /);
  });

  it("the registers form's errors are placed too", () => {
    expect(located('{"esr":"0x1",\n  "far":7}')).toBe('2:9: "far" must be a hex string like "0x1234", got 7');
    expect(located('{"esr":"0x1","at":{"s2fault":{"level":9}}}')).toBe('1:19: "at.s2fault.level" must be a stage-1 lookup level 0-3, got 9');
    expect(located('{"esr":"0x1",\n  "far":7,}')).toBe("2:11: not valid JSON: expected a key (a string in double quotes), got '}'");
    expect(located('{"esr":"0x1","esr":"0x2"}')).toBe('1:14: not valid JSON: key "esr" appears twice in an object');
    expect(located("[1]")).toBe("1:1: a scenario must be a JSON object, got [1]");
  });
});

describe("readScenario never fails but with a ScenarioError", () => {
  const base = { va: "0x1234", access: "read", kind: "data", ...PAGE_MAPPED };
  const hexish = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => `0x${n.toString(16)}`), fc.constantFrom("0x0", "0x1000", "0xffffffffffffffff", "0x80001000"));
  const anyValue = fc.oneof(fc.jsonValue(), hexish, fc.integer({ min: -2, max: 70 }));
  const fieldOf = (schema: Schema) => fc.constantFrom(...Object.keys(schema));

  it("on any value of any guest field, or of a mapping's or table fault's field", () => {
    fc.assert(
      fc.property(fieldOf(GUEST_SCHEMA), anyValue, fc.constantFrom("stage1", "stage2", "tableFaults", "stage2WalkAborts", "beyondOutputSize"), fc.string({ maxLength: 12 }), anyValue, (key, value, list, inner, innerValue) => {
        const guest: Record<string, unknown> = { ...base, [key]: value };
        const spec = GUEST_SCHEMA[key as keyof typeof GUEST_SCHEMA];
        if (spec.type.kind === "list") guest[list] = [{ ...(list === "stage1" ? PAGE_MAPPED.stage1[0] : {}), [inner]: innerValue }];
        try {
          readScenario({ guest, seed: 1 });
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });

  it("on any JSON text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          readScenario(text);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          scenarioErrorPosition(e, text);
        }
      }),
      { numRuns: 300 },
    );
  });
});
