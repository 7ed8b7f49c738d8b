// Errors about an object file: `file: error: message`, the form every faultc diagnostic about a
// file without lines takes. Everything in src/object that rejects its input throws this, never a
// plain Error, so that a caller can print it and exit 1.

export class ObjectError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: error: ${reason}`);
    this.name = "ObjectError";
  }
}

/** 0x-prefixed lower-case hex, the way offsets and words appear in every message. */
export function hex(v: number | bigint): string {
  const n = typeof v === "bigint" ? v : BigInt(v);
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}
