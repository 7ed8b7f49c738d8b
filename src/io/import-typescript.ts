// Imports a TypeScript module at run time: the C-like variants (generated/*.c.ts, or a fresh one
// in the temporary folder), which import the model's runtime sources. From the sources, faultc
// already runs under tsx, which loads .ts files. The compiled faultc (dist/, built by
// `npm run compile`) is plain JavaScript: it registers tsx on its first TypeScript import, so that
// commands which never load a variant (`check`, `build`, `--help`) do not pay for tsx at start.
// The variants import only pure helpers of the runtime (hyp/ops.ts) besides types, so the second
// copy of those that tsx loads next to the compiled one holds no state of its own.
import { COMPILED } from "./build-mode.ts";

let tsx: Promise<void> | undefined;

export async function importTypeScript(url: string): Promise<unknown> {
  if (COMPILED) {
    tsx ??= import("tsx/esm/api").then((api) => void api.register());
    await tsx;
  }
  return import(url);
}
