// Whether this is the compiled faultc (dist/, built by scripts/compile.mjs, which defines
// __FAULTC_COMPILED__ as true) or the TypeScript sources run through tsx (tests, and a checkout
// whose sources changed since the last `npm run compile`).

declare const __FAULTC_COMPILED__: boolean | undefined;

export const COMPILED: boolean = typeof __FAULTC_COMPILED__ !== "undefined" && __FAULTC_COMPILED__;
