// Output that is never half-written: a file is written under a temporary name in the same
// directory, then renamed over the target, which is atomic on POSIX file systems.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.faultc-tmp-${process.pid}-${path.basename(file)}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
