// A small rule file for the decision-graph tests, written where a test asks (its imports point back
// at dsl/arch): two handlers, nested rules, a capability in a guard, every kind of outcome, an
// outcome reached from two rules, and an `otherwise`. Not a test file: the graph tests share it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export function smallRuleFile(body: string = SMALL): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "faultc-graph-"));
  const file = path.join(dir, "small.fault");
  const arch = path.relative(dir, path.resolve("dsl/arch"));
  writeFileSync(file, body.replaceAll('import "arch/', `import "${arch}/`));
  return { dir, file };
}

export const SMALL = `import "arch/aarch64.fault";

record small_info { esr : 64; far : 64; }
exitcode SMALL_TRAP = 1;
external small_elsewhere;

handler small records small_info {
  let esr = read ESR_EL2;
  record esr = esr;
  rules {
    rule hvc when esr.EC == HVC64 {
      handoff small_elsewhere;
    }
    rule abort when esr.EC in {DABT_LOW, IABT_LOW} {
      rules {
        rule worked_around when ARM64_WORKAROUND_834220 && esr.S1PTW == 0 {
          retry;
        }
        rule recorded otherwise {
          record far = read FAR_EL2;
          exit SMALL_TRAP;
        }
      }
    }
    rule other otherwise {
      exit SMALL_TRAP;
    }
  }
}

handler tiny records small_info {
  exit SMALL_TRAP;
}
`;
