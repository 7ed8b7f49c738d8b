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
  /** The exact texts replaced in fault.h, and their replacements; each text must occur exactly once. */
  edits: readonly { from: string; to: string }[];
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
  let text = readFileSync(path.join(t.dir, FAULT_H), "utf8");
  for (const e of m.edits) {
    const at = text.indexOf(e.from);
    if (at < 0 || text.indexOf(e.from, at + 1) >= 0) throw new Error(`mutation ${m.name}: '${e.from}' does not occur exactly once in ${FAULT_H}`);
    text = text.slice(0, at) + e.to + text.slice(at + e.from.length);
  }
  const base = path.join("faultc-mutants", m.name);
  const include = path.join(base, "include");
  mkdirSync(path.join(t.dir, include, "hyp"), { recursive: true });
  writeFileSync(path.join(t.dir, include, "hyp", "fault.h"), text);

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
  { name: "s1ptw-inverted", what: "the S1PTW test inverted", edits: [{ from: "if (!(esr & ESR_ELx_S1PTW) &&", to: "if ((esr & ESR_ELx_S1PTW) &&" }] },
  { name: "mask-narrowed", what: "PAR_TO_HPFAR's mask narrowed to 40-bit physical addresses", edits: [{ from: "*hpfar = PAR_TO_HPFAR(tmp);", to: "*hpfar = (tmp & GENMASK_ULL(39, 12)) >> 8;" }] },
  {
    name: "erratum-gate-dropped",
    // Smaller without the gate, the function is inlined into its caller by gcc; `noinline` keeps
    // it the out-of-line function the unmutated build has, which changes nothing it computes.
    what: "the erratum 834220 gate dropped (and the function kept out of line)",
    edits: [
      { from: "static inline bool __get_fault_info(", to: "static noinline bool __get_fault_info(" },
      { from: "(cpus_have_final_cap(ARM64_WORKAROUND_834220) ||\n\t     esr_fsc_is_permission_fault(esr))", to: "esr_fsc_is_permission_fault(esr)" },
    ],
  },
  { name: "par-not-restored", what: "PAR_EL1 not restored after AT", edits: [{ from: "\twrite_sysreg(par, par_el1);\n", to: "" }] },
  { name: "wrong-at", what: "AT S1E1W instead of S1E1R", edits: [{ from: "__kvm_at(OP_AT_S1E1R, far)", to: "__kvm_at(OP_AT_S1E1W, far)" }] },
  { name: "fsc-access", what: "the permission-fault test made an access-flag test", edits: [{ from: "esr_fsc_is_permission_fault(esr))) {", to: "esr_fsc_is_access_flag_fault(esr))) {" }] },
];
