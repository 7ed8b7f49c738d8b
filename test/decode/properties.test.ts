// No 64-bit value crashes a decoder, and every decode is a partition of the value: fields hold
// their bits, never overlap, and together give back every set bit.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEsr, decodeFar, decodeHpfar, decodeMidr, decodePar } from "../../src/decode/index.ts";
import type { DecodedRegister } from "../../src/decode/types.ts";

function partition(d: DecodedRegister): void {
  let rebuilt = 0n;
  for (const f of d.fields) {
    expect(f.msb).toBeGreaterThanOrEqual(f.lsb);
    expect(f.lsb).toBeGreaterThanOrEqual(0);
    expect(f.msb).toBeLessThan(64);
    expect(f.value).toBe((d.value >> BigInt(f.lsb)) & ((1n << BigInt(f.msb - f.lsb + 1)) - 1n));
    const mask = ((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb);
    expect(rebuilt & mask).toBe(0n);
    rebuilt |= f.value << BigInt(f.lsb);
  }
  expect(rebuilt).toBe(d.value);
  expect(d.summary.length).toBeGreaterThan(0);
}

// Values with the bits that select layouts (EC, F) drawn from all of their values, and the rest
// from the whole 64-bit space.
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const esr = fc.tuple(u64, fc.integer({ min: 0, max: 63 })).map(([v, ec]) => (v & ~(0x3fn << 26n)) | (BigInt(ec) << 26n));

describe("decoders over all 64-bit values", () => {
  it("decodeEsr never throws and partitions the value", () => {
    fc.assert(fc.property(fc.oneof(u64, esr), (v) => partition(decodeEsr(v))), { numRuns: 3000 });
  });
  it("decodeMidr never throws, partitions the value, and lists every erratum", () => {
    fc.assert(
      fc.property(u64, (v) => {
        const d = decodeMidr(v);
        partition(d);
        expect(d.errata.length).toBe(1);
        expect(d.rev).toBe(`r${d.variant}p${d.revision}`);
      }),
      { numRuns: 2000 },
    );
  });
  it("decodePar, decodeHpfar and decodeFar never throw and partition the value", () => {
    fc.assert(
      fc.property(u64, (v) => {
        partition(decodePar(v));
        partition(decodeHpfar(v));
        partition(decodeFar(v));
      }),
      { numRuns: 2000 },
    );
  });
  it("values beyond 64 bits are taken modulo 2^64, negative ones as two's complement", () => {
    expect(decodeEsr(-1n).value).toBe((1n << 64n) - 1n);
    expect(decodeMidr(1n << 64n).value).toBe(0n);
  });
});

describe("decodePar and decodeHpfar", () => {
  it("QEMU's PAR after AT S1E1R on a 2M block and on an unmapped L1 entry (FACTS.md)", () => {
    const ok = decodePar(0xff00000040001b80n);
    expect(ok.summary).toBe("translation succeeded: PA page 0x40001000, ATTR 0xff");
    expect(ok.fields.find((f) => f.name === "SH")?.meaning).toBe("INNER_SHAREABLE: inner shareable");
    const failed = decodePar(0x80bn);
    expect(failed.summary).toBe("translation failed: translation fault, level 1, stage 1");
    expect(failed.fields.map((f) => f.name)).toEqual(["RES1", "S", "PTW", "FST", "F"]);
    expect(decodePar(0xb19n).summary).toBe("translation failed: permission fault, level 0, stage 2, on a stage-1 table walk");
  });
  it("HPFAR_EL2 0x1800000 (QEMU, stage-2 fault at IPA 0x180000040) holds the page 0x180000000", () => {
    expect(decodeHpfar(0x1800000n).summary).toBe("faulting IPA page 0x180000000");
    expect(decodeHpfar((1n << 63n) | 0x1800000n).summary).toBe("faulting IPA page 0x180000000, NS set");
  });
});
