// MIDR_EL1 decoding: implementer, part, variant and revision, and each erratum of dsl/arch with
// whether it applies, cross-checked against the erratum declarations read through the checker.
import { describe, expect, it } from "vitest";
import { decodeMidr } from "../../src/decode/index.ts";
import { archTruth, membersWithValue } from "./arch-truth.ts";

const midr = (implementer: number, variant: number, part: number, revision: number, architecture = 0xf) =>
  BigInt(((implementer << 24) | (variant << 20) | (architecture << 16) | (part << 4) | revision) >>> 0);

describe("decodeMidr", () => {
  it("0x411FD072 is Arm's Cortex-A57 r1p2, which has erratum 834220 (the range cited)", () => {
    const d = decodeMidr(0x411fd072n);
    expect(d).toMatchObject({ register: "MIDR_EL1", implementer: "ARM", part: "CORTEX_A57", variant: 1, revision: 2, rev: "r1p2" });
    expect(d.summary).toBe("Arm Limited Cortex-A57 r1p2, erratum 834220");
    expect(d.errata).toEqual([
      {
        erratum: "834220",
        capability: "ARM64_WORKAROUND_834220",
        applies: true,
        ranges: ["Cortex-A57 r0p0..r1p2"],
        citation: expect.stringContaining("cpu_errata.c"),
      },
    ]);
    expect(d.fields.map((f) => [f.name, f.msb, f.lsb, f.value])).toEqual([
      ["Implementer", 31, 24, 0x41n],
      ["Variant", 23, 20, 1n],
      ["Architecture", 19, 16, 0xfn],
      ["PartNum", 15, 4, 0xd07n],
      ["Revision", 3, 0, 2n],
    ]);
    expect(d.fields.find((f) => f.name === "PartNum")?.meaning).toBe("CORTEX_A57: Cortex-A57");
  });

  it.each([
    [0x410fd070n, "Arm Limited Cortex-A57 r0p0, erratum 834220"],
    [0x410fd071n, "Arm Limited Cortex-A57 r0p1, erratum 834220"],
    [0x411fd070n, "Arm Limited Cortex-A57 r1p0, erratum 834220"],
    [0x411fd073n, "Arm Limited Cortex-A57 r1p3"],
    [0x412fd070n, "Arm Limited Cortex-A57 r2p0"],
    [0x410fd034n, "Arm Limited Cortex-A53 r0p4"],
    [0x413fd0c1n, "Arm Limited Neoverse N1 r3p1"],
    [0x410fd490n, "Arm Limited Neoverse N2 r0p0"],
    [0x411fd402n, "Arm Limited Neoverse V1 r1p2"],
    [0x431f0af1n, "Cavium (Marvell) THUNDERX2 r1p1"],
    [0x510f8000n, "Qualcomm FALKOR V1 or KRYO 2XX GOLD r0p0"],
    [0x610f0220n, "Apple M1 ICESTORM r0p0"],
    [0x00000000n, "implementer 0x0 part 0x0 r0p0"],
  ])("0x%s", (value, summary) => {
    expect(decodeMidr(value).summary).toBe(summary);
  });

  it("erratum 834220 applies exactly where dsl/arch's range says, for every variant and revision", () => {
    const t = archTruth();
    const e = t.errata.find((x) => x.number.value === 834220n)!;
    expect(e.capability.text).toBe("ARM64_WORKAROUND_834220");
    const [range] = e.ranges;
    const part = Number(t.enums.get(range.partEnum.text)!.members.get(range.part.text)!.get(null)!);
    const arm = Number(t.enums.get("Implementer")!.members.get("ARM")!.get(null)!);
    const rv = (w: string) => w.slice(1).split("p").map(Number);
    const [fromV, fromR] = rv(range.from.text);
    const [toV, toR] = rv(range.to.text);
    let applies = 0;
    for (let variant = 0; variant < 16; variant++) {
      for (let revision = 0; revision < 16; revision++) {
        const here = variant * 16 + revision;
        const expected = here >= fromV * 16 + fromR && here <= toV * 16 + toR;
        const d = decodeMidr(midr(arm, variant, part, revision));
        expect(d.errata[0].applies, `r${variant}p${revision}`).toBe(expected);
        if (expected) applies++;
        // Another part, another implementer, or an architecture other than 0xF: never.
        expect(decodeMidr(midr(arm, variant, part + 1, revision)).errata[0].applies).toBe(false);
        expect(decodeMidr(midr(0x43, variant, part, revision)).errata[0].applies).toBe(false);
        expect(decodeMidr(midr(arm, variant, part, revision, 0xe)).errata[0].applies).toBe(false);
      }
    }
    expect(applies).toBe(19); // r0p0..r0p15 and r1p0..r1p2
  });

  it("names every Arm part dsl/arch lists, and marks an unknown part reserved", () => {
    const t = archTruth();
    for (const [name, levels] of t.enums.get("ArmPart")!.members) {
      const d = decodeMidr(midr(0x41, 0, Number(levels.get(null)!), 0));
      expect(d.part?.split(" or ")).toContain(name);
      expect(membersWithValue(t.enums.get("ArmPart")!, levels.get(null)!).length).toBeGreaterThan(0);
    }
    const unknown = decodeMidr(midr(0x41, 0, 0x123, 0));
    expect(unknown.part).toBeUndefined();
    expect(unknown.fields.find((f) => f.name === "PartNum")?.reserved).toBe(true);
  });

  it("bits [63:32] are RES0 and reported as reserved when set", () => {
    const d = decodeMidr(0xffff_ffff_411f_d072n);
    expect(d.fields[0]).toMatchObject({ name: "RES0", msb: 63, lsb: 32, reserved: true });
    expect(d.part).toBe("CORTEX_A57");
  });
});
