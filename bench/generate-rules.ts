// A large, valid rule file for benchmarking the front end: about 1 MB of constants,
// predicates, functions, externals, handlers with nested `rules` blocks, and contracts, all of
// which check clean against arch/aarch64.fault and arch/linux-kvm.fault. Deterministic: the
// same options give the same bytes on every machine (a fixed-seed xorshift PRNG, no Math.random).
//
// Shapes are kept shallow on purpose (expressions of a few operands, rules nested four deep):
// the benchmark measures throughput on file size, not the front end's recursion limits.
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export interface GenerateOptions {
  /** Stop adding units once the text has at least this many bytes. Default 1,050,000. */
  targetBytes?: number;
  /** PRNG seed. Default 0x2016. */
  seed?: number;
}

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
/** Where the generated text is checked from: in dsl/, so that its imports resolve from disk. It is never written there. */
export const GENERATED_PATH = path.join(repoRoot, "dsl", "generated-bench.fault");

/** xorshift32: small, fast, and the same everywhere. */
class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x;
  }
  below(n: number): number {
    return this.next() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }
  hex(bits: number): string {
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(this.next() & 0xffff);
    v &= (1n << BigInt(bits)) - 1n;
    return `0x${v.toString(16).toUpperCase().padStart(Math.ceil(bits / 4), "0")}`;
  }
}

const EC_SETS = [
  ["IABT_LOW", "DABT_LOW"],
  ["DABT_LOW"],
  ["IABT_LOW", "DABT_LOW", "WATCHPT_LOW"],
  ["DABT_LOW", "DABT_CUR"],
  ["IABT_LOW", "IABT_CUR", "PC_ALIGN"],
] as const;
const FSC_FAMILIES = ["TRANS", "ACCESS", "PERM", "ADDRSZ", "SEA_TTW", "SECC_TTW"] as const;
const VHE_READS = ["read ESR_EL2 or ESR_EL1 when ARM64_HAS_VIRT_HOST_EXTN", "read ESR_EL2"] as const;
const FAR_READS = ["read FAR_EL2 or FAR_EL1 when ARM64_HAS_VIRT_HOST_EXTN", "read FAR_EL2"] as const;
const AT_OPS = ["S1E1R", "S1E1W", "S1E1R or S1E1A when ARM64_HAS_S1POE"] as const;

/** One self-contained group of declarations, all names suffixed with `n`. */
function unit(n: number, rnd: Prng): string {
  const u = `u${n}`;
  const ecs = rnd.pick(EC_SETS);
  const fam = rnd.pick(FSC_FAMILIES);
  const levels = [0, 1, 2, 3].filter(() => rnd.below(2) === 0);
  const levelSet = (levels.length === 0 ? [3] : levels).map((l) => `${fam}[${l}]`).join(", ");
  const shift = 1 + rnd.below(31);
  const lo = 4 + rnd.below(8);
  const hi = lo + 8 + rnd.below(36);
  const fsType = rnd.below(16);
  const nested = rnd.below(3) === 0;
  const out: string[] = [];
  out.push(`// ---------------------------------------------------------------- unit ${n}: ${ecs.join("/")} with ${fam} faults`);
  out.push(`source "generated unit ${n}: ${fam} at levels {${levels.join(", ")}}";`);
  out.push(`const ${u}_MASK : 64 = ${rnd.hex(64)};`);
  out.push(`const ${u}_PAGE : 64 = genmask(${hi}, ${lo});`);
  out.push(`const ${u}_SHIFT = ${shift};`);
  out.push(`external ${u}_slow_path;`);
  out.push(`record ${u}_info {\n  esr : 64;\n  far : 64;\n  ipa : 64;\n  tag : 8;\n}`);
  out.push(`pred ${u}_is_abort(esr: ESR) = esr.EC in {${ecs.join(", ")}};`);
  out.push(`pred ${u}_fsc_matches(esr: ESR) =\n  esr.FSC in {${levelSet}} || esr.FSC_TYPE == ${fsType};`);
  out.push(`pred ${u}_trust_hpfar(esr: ESR, far: 64) =\n  (esr.S1PTW == 1 && ${u}_fsc_matches(esr)) || ((far & ${u}_MASK) == 0 && !ARM64_WORKAROUND_834220);`);
  out.push(`fn ${u}_mix(esr: ESR, far: 64) : 64 = ((far >> ${u}_SHIFT) ^ zext(esr.ISS, 64)) & ${u}_MASK;`);
  out.push(`fn ${u}_ipa(par: PAR, far: 64) : 64 = (par & ${u}_PAGE) | (far & 0xFFF);`);
  out.push(`fn ${u}_tag(esr: ESR) : 8 = trunc(esr >> ${shift % 24}, 8) ^ zext(esr.FSC, 8);`);
  const translate = [
    `          let par = at ${rnd.pick(AT_OPS)}(far) preserving PAR_EL1;`,
    `          rules {`,
    `            rule ${u}_at_failed when par.F == 1 {`,
    `              retry;`,
    `            }`,
    `            rule ${u}_at_ok otherwise {`,
    `              record ipa = ${u}_ipa(par, far);`,
    `              handoff ${u}_slow_path;`,
    `            }`,
    `          }`,
  ];
  const inner = nested
    ? [
        `          rules {`,
        `            rule ${u}_level_known when esr.FSC_LEVEL == ${rnd.below(4)} {`,
        `              record tag = ${u}_tag(esr);`,
        `              exit ARM_EXCEPTION_TRAP;`,
        `            }`,
        `            rule ${u}_level_other otherwise {`,
        ...translate.map((l) => `    ${l}`),
        `            }`,
        `          }`,
      ]
    : translate;
  out.push(
    [
      `handler ${u}_decode records ${u}_info {`,
      `  let esr = ${rnd.pick(VHE_READS)};`,
      `  record esr = esr;`,
      `  rules {`,
      `    rule ${u}_not_abort when !${u}_is_abort(esr) {`,
      `      exit ARM_EXCEPTION_IRQ;`,
      `    }`,
      `    rule ${u}_abort otherwise {`,
      `      let far = ${rnd.pick(FAR_READS)};`,
      `      record far = ${u}_mix(esr, far);`,
      `      rules {`,
      `        rule ${u}_hpfar_valid when ${u}_trust_hpfar(esr, far) {`,
      `          record ipa = read HPFAR_EL2;`,
      `          exit ARM_EXCEPTION_TRAP;`,
      `        }`,
      `        rule ${u}_needs_at otherwise {`,
      ...inner,
      `        }`,
      `      }`,
      `    }`,
      `  }`,
      `}`,
    ].join("\n"),
  );
  out.push(
    [
      `contract ${u}_decode {`,
      `  assume ESR_EL2[63:32] == 0;`,
      `  on retry { }`,
      `  on exit ARM_EXCEPTION_IRQ {`,
      `    observe esr;`,
      `  }`,
      `  on exit ARM_EXCEPTION_TRAP {`,
      `    observe esr;`,
      `    observe far when ESR_EL2.EC in {${ecs.join(", ")}};`,
      `    observe ipa;`,
      `  }`,
      `  on handoff ${u}_slow_path {`,
      `    observe far;`,
      `    observe ipa;`,
      `  }`,
      `}`,
    ].join("\n"),
  );
  return out.join("\n\n") + "\n\n";
}

/** The generated rule file's text. ASCII only, so its length in characters is its size in bytes. */
export function generateRuleFile(options: GenerateOptions = {}): string {
  const target = options.targetBytes ?? 1_050_000;
  const rnd = new Prng(options.seed ?? 0x2016);
  const parts = [
    "// Generated by bench/generate-rules.ts for `npm run bench`: do not edit.\n",
    'import "arch/aarch64.fault";\nimport "arch/linux-kvm.fault";\n\n',
  ];
  let size = parts.reduce((s, p) => s + p.length, 0);
  for (let n = 0; size < target; n++) {
    const text = unit(n, rnd);
    parts.push(text);
    size += text.length;
  }
  return parts.join("");
}
