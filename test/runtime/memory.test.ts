// PhysicalMemory's fast paths against a byte-by-byte reference: accesses inside a page and across
// pages (and across 2^64), copy-on-write clones, zero fills that drop pages, lazy pages; and the
// Machine's UNKNOWN values drawn on first read, equal to those drawn eagerly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Machine } from "../../src/runtime/machine/machine.ts";
import { DeferredPages, PhysicalMemory, type AccessSize } from "../../src/runtime/memory.ts";
import { arbitraryBytes, arbitraryValue } from "../../src/runtime/scenario/index.ts";

const MASK64 = (1n << 64n) - 1n;

/** The reference: one byte per address in a Map, little-endian. */
class ByteMemory {
  readonly bytes = new Map<bigint, number>();
  read(a: bigint, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes.get((a + BigInt(i)) & MASK64) ?? 0);
    return v;
  }
  write(a: bigint, size: number, value: bigint): void {
    for (let i = 0; i < size; i++) this.bytes.set((a + BigInt(i)) & MASK64, Number((value >> BigInt(8 * i)) & 0xffn));
  }
}

const sizes: AccessSize[] = [1, 2, 4, 8];
// Addresses near page boundaries, near 2^53 (where accesses stop taking their address as a Number)
// and near 2^64, so that crossing and wrapping accesses are common.
const address = fc.oneof(
  fc.tuple(fc.bigInt({ min: 0n, max: 3n }), fc.integer({ min: 4088, max: 4104 })).map(([p, o]) => 0x7000_0000n + p * 0x1000n + BigInt(o)),
  fc.integer({ min: 0, max: 16 }).map((o) => (1n << 53n) - 8n + BigInt(o)),
  fc.integer({ min: 0, max: 16 }).map((o) => (MASK64 - 8n + BigInt(o)) & MASK64),
  fc.bigInt({ min: 0n, max: MASK64 }),
);
const op = fc.record({ write: fc.boolean(), address, size: fc.constantFrom(...sizes), value: fc.bigInt({ min: 0n, max: MASK64 }) });

describe("PhysicalMemory", () => {
  it("reads and writes like a byte-by-byte memory, inside, across and around pages", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const m = new PhysicalMemory();
        const ref = new ByteMemory();
        for (const o of ops) {
          if (o.write) {
            // writeAt (a Number address) for some of those below 2^53: the value's low bit says which.
            if (o.address < 1n << 53n && (o.value & 1n) === 1n) m.writeAt(Number(o.address), o.size, o.value);
            else m.write(o.address, o.size, o.value);
            ref.write(o.address, o.size, o.value);
          } else expect(m.read(o.address, o.size)).toBe(ref.read(o.address, o.size));
        }
        for (const o of ops) expect(m.read(o.address, o.size)).toBe(ref.read(o.address, o.size));
        for (const o of ops) if (o.address < 1n << 53n) expect(m.readAt(Number(o.address), o.size)).toBe(ref.read(o.address, o.size));
      }),
    );
  });

  it("after release(), gives its own pages to later memories zeroed, keeps its clones' pages, and refuses any use", () => {
    const template = new PhysicalMemory();
    template.write(0x1000n, 8, 0x1111n);
    const m = template.clone();
    m.write(0x2000n, 8, 0x2222n); // a page of m's own
    m.write(0x1008n, 8, 0x3333n); // a copy of the shared page, m's own
    m.release();
    expect(() => m.read(0x2000n, 8)).toThrow(/after its release/);
    expect(() => m.write(0x2000n, 8, 1n)).toThrow(/after its release/);
    expect(() => m.clone()).toThrow(/after its release/);
    // The pages it gave back come out of later memories zeroed; the shared page is untouched.
    const later = Array.from({ length: 4 }, () => new PhysicalMemory());
    later.forEach((l, i) => l.write(BigInt(i) * 0x1000n + 8n, 1, 0xffn));
    later.forEach((l, i) => {
      expect(l.read(BigInt(i) * 0x1000n, 8)).toBe(0n);
      expect(l.read(BigInt(i) * 0x1000n + 0x10n, 8)).toBe(0n);
    });
    expect(template.read(0x1000n, 8)).toBe(0x1111n);
    expect(template.read(0x1008n, 8)).toBe(0n);
    expect(template.clone().read(0x1000n, 8)).toBe(0x1111n);
  });

  it("clones copy-on-write: writes on either side never reach the other", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), fc.array(op, { maxLength: 20 }), fc.array(op, { maxLength: 20 }), (before, left, right) => {
        const m = new PhysicalMemory();
        const ref = new ByteMemory();
        for (const o of before) if (o.write) (m.write(o.address, o.size, o.value), ref.write(o.address, o.size, o.value));
        const copy = m.clone();
        const refCopy = new ByteMemory();
        for (const [k, v] of ref.bytes) refCopy.bytes.set(k, v);
        for (const o of left) if (o.write) (m.write(o.address, o.size, o.value), ref.write(o.address, o.size, o.value));
        for (const o of right) if (o.write) (copy.write(o.address, o.size, o.value), refCopy.write(o.address, o.size, o.value));
        for (const o of [...before, ...left, ...right]) {
          expect(m.read(o.address, o.size)).toBe(ref.read(o.address, o.size));
          expect(copy.read(o.address, o.size)).toBe(refCopy.read(o.address, o.size));
        }
      }),
    );
  });

  it("fills whole and partial pages, and a zero fill reads as zero afterwards on both sides of a clone", () => {
    const m = new PhysicalMemory();
    m.write(0x1ff8n, 8, 0x1122334455667788n);
    m.write(0x2000n, 8, 0x99n);
    m.write(0x3008n, 8, 0x77n);
    const copy = m.clone();
    m.fill(0x1ffcn, 0x1008n, 0); // the top 4 bytes of page 1, all of page 2, the first 4 bytes of page 3
    expect(m.read(0x3000n, 8)).toBe(0n);
    expect(m.read(0x1ff8n, 8)).toBe(0x55667788n);
    expect(m.read(0x2000n, 8)).toBe(0n);
    expect(m.read(0x3008n, 8)).toBe(0x77n);
    expect(copy.read(0x1ff8n, 8)).toBe(0x1122334455667788n);
    expect(copy.read(0x2000n, 8)).toBe(0x99n);
    m.fill(0x5000n, 3n, 0xab);
    expect(m.read(0x5000n, 4)).toBe(0xabababn);
  });

  it("produces a lazy page when first read or written, once per copy, as if it had been written eagerly", () => {
    let calls = 0;
    const init = (page: Uint8Array) => {
      calls++;
      page.set(arbitraryBytes(5, "stack", 16), 0xff0);
    };
    const eager = new PhysicalMemory();
    eager.writeBytes(0x6000_fff0n, arbitraryBytes(5, "stack", 16));
    const lazy = new PhysicalMemory();
    lazy.lazyPage(0x6000_f000n, init);
    const copy = lazy.clone();
    expect(calls).toBe(0);
    expect(lazy.read(0x6000_fff8n, 8)).toBe(eager.read(0x6000_fff8n, 8));
    expect(calls).toBe(1);
    copy.write(0x6000_fff0n, 1, 0x5an);
    expect(calls).toBe(2);
    expect(copy.read(0x6000_fff0n, 8)).toBe((eager.read(0x6000_fff0n, 8) & ~0xffn) | 0x5an);
    expect(lazy.read(0x6000_fff0n, 8)).toBe(eager.read(0x6000_fff0n, 8));
    // A read across the lazy page's top edge.
    expect(lazy.read(0x6000_fffcn, 8)).toBe(eager.read(0x6000_fffcn, 8));
  });

  it("deferred pages: made once, when a page of their range is first touched, and read, written, filled and cloned as if written eagerly", () => {
    // The range is pages 0x70000-0x70003; the producer writes some of them.
    const FROM = 0x70000;
    const inRange = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4095 })).map(([p, o]) => BigInt(FROM + p) * 0x1000n + BigInt(o & ~7));
    const outside = fc.integer({ min: 0, max: 4095 }).map((o) => 0x6000_0000n + BigInt(o & ~7));
    const step = fc.record({ kind: fc.constantFrom("read", "write", "fill", "clone"), address: fc.oneof(inRange, outside), value: fc.bigInt({ min: 0n, max: MASK64 }), whole: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fc.tuple(inRange, fc.bigInt({ min: 0n, max: MASK64 })), { maxLength: 8 }), fc.array(step, { maxLength: 30 }), (made, steps) => {
        let calls = 0;
        const produce = () => {
          calls++;
          const m = new PhysicalMemory();
          for (const [a, v] of made) m.write(a, 8, v);
          return m;
        };
        let eager = produce();
        calls = 0;
        let deferred = PhysicalMemory.withDeferredPages(eager.map, new DeferredPages(FROM, FROM + 4, produce));
        const others: [PhysicalMemory, PhysicalMemory][] = [];
        let touched = false;
        for (const s of steps) {
          const page = s.address - (s.address & 0xfffn);
          if (s.address >= 0x7000_0000n && s.kind !== "clone") touched = true;
          if (s.kind === "read") expect(deferred.read(s.address, 8)).toBe(eager.read(s.address, 8));
          else if (s.kind === "write") (deferred.write(s.address, 8, s.value), eager.write(s.address, 8, s.value));
          else if (s.kind === "fill") {
            const [a, n] = s.whole ? [page, 0x1000n] : [s.address, 8n];
            (deferred.fill(a, n, 0), eager.fill(a, n, 0));
          } else {
            others.push([deferred, eager]);
            [deferred, eager] = [deferred.clone(), eager.clone()];
          }
          if (!touched) expect(calls).toBe(0);
        }
        expect(calls).toBeLessThanOrEqual(1);
        for (const [d, e] of [[deferred, eager], ...others]) {
          for (let p = 0; p < 4; p++) for (let o = 0; o < 4096; o += 512) expect(d.read(BigInt(FROM + p) * 0x1000n + BigInt(o), 8)).toBe(e.read(BigInt(FROM + p) * 0x1000n + BigInt(o), 8));
          for (const [a] of made) expect(d.read(a, 8)).toBe(e.read(a, 8));
          for (const s of steps) expect(d.read(s.address, 8)).toBe(e.read(s.address, 8));
        }
        expect(calls).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("deferred pages: a producer that writes outside its range is an internal error", () => {
    const m = PhysicalMemory.withDeferredPages(new PhysicalMemory().map, new DeferredPages(0x70000, 0x70004, () => {
      const out = new PhysicalMemory();
      out.write(0x6000_0000n, 8, 1n);
      return out;
    }));
    expect(m.read(0x6000_0000n, 8)).toBe(0n); // outside the range: the producer does not run
    expect(() => m.read(0x7000_0000n, 8)).toThrow(/internal: a deferred page .* is outside its range/);
  });
});

describe("Machine UNKNOWN values", () => {
  const unknown = { x: (i: number) => arbitraryValue(9, `x${i}`), sysreg: (n: string) => (n === "FAR_EL1" ? arbitraryValue(9, n) : undefined) };

  it("draws an X register or an UNKNOWN-reset register on first read, and keeps what was set", () => {
    const m = new Machine({ unknown, x: { 3: 0x33n }, sysregs: { ESR_EL1: 0x5n } });
    expect(m.getX(0)).toBe(arbitraryValue(9, "x0"));
    expect(m.getX(3)).toBe(0x33n);
    expect(m.getSysreg("far_el1")).toBe(arbitraryValue(9, "FAR_EL1"));
    expect(m.getSysreg("ESR_EL1")).toBe(0x5n);
    // Not drawn by the source: starts at 0, as without a source.
    expect(m.getSysreg("ELR_EL1")).toBe(0n);
    m.setX(0, 7n);
    expect(m.getX(0)).toBe(7n);
    expect(() => m.getSysreg("NOT_A_REGISTER")).toThrow(/no system register/);
  });

  it("gives a clone the same values, drawn or not yet drawn", () => {
    const m = new Machine({ unknown });
    expect(m.getX(1)).toBe(arbitraryValue(9, "x1"));
    const c = m.clone();
    expect(c.getX(1)).toBe(arbitraryValue(9, "x1"));
    expect(c.getX(2)).toBe(arbitraryValue(9, "x2"));
    expect(c.getSysreg("FAR_EL1")).toBe(arbitraryValue(9, "FAR_EL1"));
  });
});
