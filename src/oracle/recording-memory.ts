// A PhysicalMemory that remembers which 4 KiB pages were written, so that a set-up built in it
// can be replayed on another machine as "zero these pages, then store these words".
import { PhysicalMemory } from "../runtime/memory.ts";

export interface MemoryImage {
  /** Page addresses (4 KiB aligned) to zero, in ascending order. */
  readonly zeroPages: readonly bigint[];
  /** Non-zero 64-bit words inside those pages, by ascending address. */
  readonly writes: readonly (readonly [bigint, bigint])[];
}

export class RecordingMemory extends PhysicalMemory {
  private readonly touched = new Set<bigint>();

  protected override noteWrite(page: number): void {
    this.touched.add(BigInt(page));
  }

  /** The written pages' final contents, checked to lie in [base, end). */
  image(base: bigint, end: bigint): MemoryImage {
    const pages = [...this.touched].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((p) => p << 12n);
    const writes: [bigint, bigint][] = [];
    for (const page of pages) {
      if (page < base || page + 0x1000n > end) {
        throw new RangeError(`set-up writes page 0x${page.toString(16)}, outside [0x${base.toString(16)}, 0x${end.toString(16)})`);
      }
      for (let a = page; a < page + 0x1000n; a += 8n) {
        const v = this.read(a, 8);
        if (v !== 0n) writes.push([a, v]);
      }
    }
    return { zeroPages: pages, writes };
  }
}

/** A memory image as the harness reads it (qemu/lib.c load_memory_image). */
export function pushMemoryImage(words: bigint[], image: MemoryImage): void {
  words.push(BigInt(image.zeroPages.length), BigInt(image.writes.length), ...image.zeroPages);
  for (const [a, v] of image.writes) words.push(a, v);
}

/** Little-endian 64-bit words as bytes. */
export function wordsToBytes(words: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * 8);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setBigUint64(i * 8, BigInt.asUintN(64, w), true));
  return out;
}
