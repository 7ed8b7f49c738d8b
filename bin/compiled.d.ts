// Types of bin/compiled.js (plain JavaScript: the bin runs it before any TypeScript is loaded)
// for the sources that import it (src/codegen/build-cache.ts).
export const ROOT: string;
export const DIST: string;
export const STAMP: string;
export const STAMP_VERSION: number;
export function fileState(rel: string): [number, number] | undefined;
export function staleness(name: string): string | undefined;
export function compiledEntry(name: string): string | undefined;
