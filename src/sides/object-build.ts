// What an object's build says about where its code runs. Linux compiles its hyp code twice, and
// kbuild's `.NAME.o.cmd` beside the object keeps the command: `-D__KVM_VHE_HYPERVISOR__` is the
// VHE hypervisor, which runs only on a VHE host, with HCR_EL2.E2H=1 (ARM64_HAS_VIRT_HOST_EXTN
// present); `-D__KVM_NVHE_HYPERVISOR__` the nVHE one, which never runs on a VHE host (E2H=0, or
// 1 under ARM64_KVM_HVHE, which stays for the proof to enumerate). An object without the command
// file has nothing fixed by its build.
import * as path from "node:path";
import { compileCommand } from "../object/build-tree.ts";
import { ObjectError } from "../object/errors.ts";
import { ARM64_HAS_VIRT_HOST_EXTN } from "../runtime/machine/cpu-features.ts";
import type { FixedCapability } from "../runtime/run/function-call-target.ts";

export const VHE_HYPERVISOR = "__KVM_VHE_HYPERVISOR__";
export const NVHE_HYPERVISOR = "__KVM_NVHE_HYPERVISOR__";

/** The macros a compile command defines (`-DNAME`, `-DNAME=VALUE`, `-D NAME`), by name. */
function definedMacros(command: string): Set<string> {
  const words = command.split(/\s+/);
  const out = new Set<string>();
  words.forEach((w, i) => {
    const text = w === "-D" ? words[i + 1] : w.startsWith("-D") ? w.slice(2) : undefined;
    if (text) out.add(text.split("=")[0]);
  });
  return out;
}

/** The capabilities the object's build fixes, with the reason; empty without a kbuild command file. */
export function buildCapabilities(objectFile: string): Map<string, FixedCapability> {
  const command = compileCommand(objectFile);
  const fixed = new Map<string, FixedCapability>();
  if (command === undefined) return fixed;
  const cmdFile = path.join(path.dirname(objectFile), `.${path.basename(objectFile)}.cmd`);
  const macros = definedMacros(command);
  const [vhe, nvhe] = [macros.has(VHE_HYPERVISOR), macros.has(NVHE_HYPERVISOR)];
  if (vhe && nvhe) throw new ObjectError(cmdFile, `the compile command defines both ${VHE_HYPERVISOR} and ${NVHE_HYPERVISOR}`);
  if (vhe) fixed.set(ARM64_HAS_VIRT_HOST_EXTN, { present: true, reason: `compiled with -D${VHE_HYPERVISOR} (${cmdFile}): VHE hyp code, which runs only on a VHE host, with HCR_EL2.E2H=1` });
  if (nvhe) fixed.set(ARM64_HAS_VIRT_HOST_EXTN, { present: false, reason: `compiled with -D${NVHE_HYPERVISOR} (${cmdFile}): nVHE hyp code, which never runs on a VHE host (HCR_EL2.E2H=0, or 1 under ARM64_KVM_HVHE)` });
  return fixed;
}
