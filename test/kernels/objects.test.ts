// The real Linux 6.1 and 6.12 objects `npm run kernels` builds: AArch64 relocatable ELF holding
// __get_fault_info as a function, their DWARF twins the same code with struct kvm_vcpu_fault_info
// described, the struct laid out as dsl/arch/linux-kvm-6.fault's record says, and the capability
// the rule files gate on defined by the build's generated cpucap header.
// Without the trees the suites are skipped with the reason; under CI (which builds them) they fail.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { lowerFile } from "../../src/codegen/ir/lower.ts";
import { RECORD_BASE } from "../../src/codegen/ir/types.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import {
  describeWithKernel, disassembly, dwarfStruct, elfSymbols, KERNEL_OBJECTS, KERNEL_VERSIONS, kernelStamp, nmType, readelf, type KernelObject,
} from "../support/kernels.ts";

/** dsl/linux-<version>.fault's record: field -> byte offset in the struct. */
function ruleFileRecord(version: string): Map<string, number> {
  const file = `dsl/linux-${version}.fault`;
  const ws = checkFiles([file]);
  expect(ws.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const checked = ws.files.get(file);
  if (checked === undefined) throw new Error(`${file} did not load`);
  const [h] = lowerFile(checked, ws).handlers;
  return new Map(h.record.fields.map((f) => [f.name, f.offset - RECORD_BASE]));
}

const kinds = Object.keys(KERNEL_OBJECTS) as KernelObject[];

for (const version of KERNEL_VERSIONS) {
  describeWithKernel(version, `Linux ${version} objects`, (t) => {
    it("come from the Debian package the rule file cites", () => {
      const pkg = kernelStamp(t).get("package") ?? "";
      expect(pkg).toMatch(new RegExp(`^linux-source-${version.replace(".", "\\.")} \\S+$`));
      const [, debVersion] = pkg.split(" ");
      expect(readFileSync(`dsl/linux-${version}.fault`, "utf8")).toContain(`source "Debian linux-source-${version} ${debVersion} `);
      expect(kernelStamp(t).get("kernelversion")).toMatch(new RegExp(`^${version.replace(".", "\\.")}\\.\\d+$`));
    });

    it.each(kinds)("%s: an AArch64 relocatable ELF64 object with __get_fault_info as a function", (kind) => {
      const obj = t.objects[kind];
      const header = readelf(["-h"], obj);
      expect(header).toMatch(/Class:\s+ELF64/);
      expect(header).toMatch(/Type:\s+REL \(Relocatable file\)/);
      expect(header).toMatch(/Machine:\s+AArch64/);
      const fns = elfSymbols(obj).filter((s) => s.name === "__get_fault_info");
      expect(fns).toHaveLength(1);
      expect(fns[0]).toMatchObject({ type: "FUNC", bind: "LOCAL" });
      expect(fns[0].size).toBeGreaterThan(0);
      expect(nmType(obj, "__get_fault_info")).toBe("t");
    });

    it.each(kinds)("%s: the debug-info twin has the same code and relocations, and describes the fault record", (kind) => {
      expect(disassembly(t.dwarf[kind])).toBe(disassembly(t.objects[kind]));
      // The defconfig's reduced debug information declares the struct without its members.
      expect(dwarfStruct(t.objects[kind], "kvm_vcpu_fault_info")).toBeUndefined();
      const s = dwarfStruct(t.dwarf[kind], "kvm_vcpu_fault_info");
      expect(s?.byteSize).toBe(32);
      expect(s?.members).toEqual(new Map([["esr_el2", 0], ["far_el2", 8], ["hpfar_el2", 16], ["disr_el1", 24]]));
      // The rule file records the same fields at the same offsets.
      for (const [field, offset] of ruleFileRecord(version)) expect(s?.members.get(field), field).toBe(offset);
    });

    it("defines ARM64_WORKAROUND_834220 in the build's generated cpucap header", () => {
      // cpucap-defs.h since 6.3; asm/cpucaps.h before.
      const gen = path.join(t.dir, "arch/arm64/include/generated/asm");
      const header = [path.join(gen, "cpucap-defs.h"), path.join(gen, "cpucaps.h")].find((p) => existsSync(p));
      expect(header, `no cpucap header under ${gen}`).toBeDefined();
      expect(path.basename(header ?? "")).toBe(version === "6.1" ? "cpucaps.h" : "cpucap-defs.h");
      expect(readFileSync(header ?? "", "utf8")).toMatch(/^#define ARM64_WORKAROUND_834220\s+\d+$/m);
    });
  });
}
