// What instruction selection can fail with. IselError is a bug in faultc (exit 70); a handler
// too large for the hyp stack is the rule file's (reported at the handler, `too-complex`).
import type * as I from "../ir/types.ts";

export class IselError extends Error {}

/** The handler cannot be selected within a limit the generated code must keep (the frame's size). */
export class HandlerTooComplex extends Error {
  constructor(
    readonly handler: string,
    readonly origin: I.Origin,
    message: string,
  ) {
    super(message);
  }
}
