// Mutants of a real kernel's fault decoding, compiled as the kernel compiles it: one small change
// to arch/arm64/kvm/hyp/include/hyp/fault.h of a tree `npm run kernels` prepared, and the tree's
// own saved compile command (kbuild's .NAME.o.cmd) rerun with the mutated header found first on
// the include path. The mutant object lands inside the tree, under faultc-mutants/NAME/, beside
// its own .cmd file, so that faultc finds the tree's capability names, kernel release and the
// VHE/nVHE build flags for it as it does for the real object; it keeps full DWARF (the two
// reduced-debug flags of the defconfig are dropped, as for the faultc-dwarf twins).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { KERNEL_OBJECTS, type KernelObject, type KernelTree } from "./kernels.ts";

const FAULT_H = "arch/arm64/kvm/hyp/include/hyp/fault.h";

export interface KernelMutation {
  /** A short name, used as the folder name. */
  name: string;
  /** What the change is, in words. */
  what: string;
  /** The exact text replaced in fault.h, and its replacement; the text must occur exactly once. */
  from: string;
  to: string;
}

/** The saved compile command of `rel` (relative to the tree), as kbuild wrote it. */
export function savedCommand(tree: string, rel: string): string {
  const cmdFile = path.join(tree, path.dirname(rel), `.${path.basename(rel)}.cmd`);
  const text = readFileSync(cmdFile, "utf8");
  const line = text.split("\n").find((l) => l.startsWith(`savedcmd_${rel} := `) || l.startsWith(`cmd_${rel} := `));
  if (line === undefined) throw new Error(`${cmdFile}: no saved compile command for ${rel}`);
  return line.slice(line.indexOf(" := ") + 4);
}

/** Compiles the mutant; returns the object's path. Throws when the mutation does not apply or gcc fails. */
export function buildKernelMutant(t: KernelTree, object: KernelObject, m: KernelMutation): string {
  const rel = KERNEL_OBJECTS[object];
  const original = readFileSync(path.join(t.dir, FAULT_H), "utf8");
  const at = original.indexOf(m.from);
  if (at < 0 || original.indexOf(m.from, at + 1) >= 0) throw new Error(`mutation ${m.name}: '${m.from}' does not occur exactly once in ${FAULT_H}`);
  const base = path.join("faultc-mutants", m.name);
  const include = path.join(base, "include");
  mkdirSync(path.join(t.dir, include, "hyp"), { recursive: true });
  writeFileSync(path.join(t.dir, include, "hyp", "fault.h"), original.slice(0, at) + m.to + original.slice(at + m.from.length));

  const out = path.join(base, rel);
  mkdirSync(path.join(t.dir, path.dirname(out)), { recursive: true });
  let cmd = savedCommand(t.dir, rel);
  const depFlag = `-Wp,-MMD,${path.dirname(rel)}/.${path.basename(rel)}.d `;
  for (const [from, to] of [
    [" -fno-var-tracking -femit-struct-debug-baseonly ", " "],
    [depFlag, ""],
    [` -o ${rel} `, ` -o ${out} `],
    [" -nostdinc ", ` -nostdinc -I./${include} `],
  ] as const) {
    if (!cmd.includes(from)) throw new Error(`${rel}: the saved compile command has no '${from.trim()}'`);
    cmd = cmd.replace(from, to);
  }
  execFileSync("sh", ["-c", cmd], { cwd: t.dir, stdio: ["ignore", "ignore", "pipe"] });
  writeFileSync(path.join(t.dir, path.dirname(out), `.${path.basename(out)}.cmd`), `savedcmd_${out} := ${cmd}\n`);
  return path.join(t.dir, out);
}

/** Six small mutations of Linux 6.12's fault.h, one of each kind a review could miss. */
export const MUTATIONS_6_12: readonly KernelMutation[] = [
  { name: "s1ptw-inverted", what: "the S1PTW test inverted", from: "if (!(esr & ESR_ELx_S1PTW) &&", to: "if ((esr & ESR_ELx_S1PTW) &&" },
  { name: "mask-narrowed", what: "PAR_TO_HPFAR's mask narrowed to 40-bit physical addresses", from: "*hpfar = PAR_TO_HPFAR(tmp);", to: "*hpfar = (tmp & GENMASK_ULL(39, 12)) >> 8;" },
  { name: "erratum-gate-dropped", what: "the erratum 834220 gate dropped", from: "(cpus_have_final_cap(ARM64_WORKAROUND_834220) ||\n\t     esr_fsc_is_permission_fault(esr))", to: "esr_fsc_is_permission_fault(esr)" },
  { name: "par-not-restored", what: "PAR_EL1 not restored after AT", from: "\twrite_sysreg(par, par_el1);\n", to: "" },
  { name: "wrong-at", what: "AT S1E1W instead of S1E1R", from: "__kvm_at(OP_AT_S1E1R, far)", to: "__kvm_at(OP_AT_S1E1W, far)" },
  { name: "fsc-access", what: "the permission-fault test made an access-flag test", from: "esr_fsc_is_permission_fault(esr))) {", to: "esr_fsc_is_access_flag_fault(esr))) {" },
];
