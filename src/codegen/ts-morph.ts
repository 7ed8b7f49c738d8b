// The in-memory ts-morph project the TypeScript emitters build their modules in. ts-morph, with
// the TypeScript compiler it carries, takes over a second to load, and only these emitters need
// it: it is loaded on their first call, so that `faultc check`, `faultc --help` and a build with
// nothing to regenerate never pay for it.
import type * as TsMorph from "ts-morph";

export interface EmitterProject {
  tsMorph: typeof TsMorph;
  project: TsMorph.Project;
}

let loaded: Promise<EmitterProject> | undefined;

/** ts-morph and one project with an in-memory file system, nothing type-checked: loaded once. */
export function emitterProject(): Promise<EmitterProject> {
  loaded ??= import("ts-morph").then((tsMorph) => ({ tsMorph, project: new tsMorph.Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true } }) }));
  return loaded;
}
