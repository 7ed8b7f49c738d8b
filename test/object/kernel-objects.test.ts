// The real Linux 6.1 and 6.12 hyp objects (npm run kernels): __get_fault_info of
// nvhe/switch.nvhe.o and vhe/switch.o opened as code the model runs. For every combination of the
// capabilities its alternatives test, every word decodes, prints as objdump prints it, and the
// function runs to a return (or, without ARM64_ALWAYS_SYSTEM, to the BUG() of an unfinalized
// system). Its alternatives are named from the tree's own cpucaps header, and its __kvm_at
// exception-table entries are listed as paths the model cannot take. Skipped without the trees,
// failing under CI.
import { expect, it } from "vitest";
import { decodeA64 } from "../../src/object/decode.ts";
import { disassemble } from "../../src/object/disassemble.ts";
import { AT_NEVER_FAULTS, openObjectFunction } from "../../src/object/function.ts";
import { loadCapabilityNames } from "../../src/object/cpucaps.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import { Machine } from "../../src/runtime/machine/machine.ts";
import { describeWithKernel, KERNEL_OBJECTS, KERNEL_VERSIONS, type KernelObject } from "../support/kernels.ts";
import { normalizeObjdump, objdumpWords, scratchDir } from "./cross-toolchain.ts";

const SYMBOL = "__get_fault_info";

/** What each build's alternatives in __get_fault_info test (ARM64_CB_BIT entries by their capability). */
const EXPECTED: Record<string, { capabilities: string[]; sites: number; fixups: string[] }> = {
  "6.1 nvhe": { capabilities: ["ARM64_ALWAYS_SYSTEM", "ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_1508412", "ARM64_WORKAROUND_834220"], sites: 7, fixups: ["s1e1r"] },
  "6.1 vhe": { capabilities: ["ARM64_ALWAYS_SYSTEM", "ARM64_HAS_VIRT_HOST_EXTN", "ARM64_WORKAROUND_1508412", "ARM64_WORKAROUND_834220"], sites: 7, fixups: ["s1e1r"] },
  "6.12 nvhe": { capabilities: ["ARM64_ALWAYS_SYSTEM", "ARM64_HAS_S1POE", "ARM64_KVM_HVHE", "ARM64_WORKAROUND_1508412", "ARM64_WORKAROUND_834220"], sites: 8, fixups: ["s1e1r", "s1e1a"] },
  "6.12 vhe": { capabilities: ["ARM64_ALWAYS_SYSTEM", "ARM64_HAS_S1POE", "ARM64_WORKAROUND_1508412", "ARM64_WORKAROUND_834220"], sites: 7, fixups: ["s1e1r", "s1e1a"] },
};

for (const version of KERNEL_VERSIONS) {
  describeWithKernel(version, `Linux ${version} __get_fault_info as code the model runs`, (tree) => {
    const dir = scratchDir(`kernel-${version}`);
    for (const which of Object.keys(KERNEL_OBJECTS) as KernelObject[]) {
      const obj = tree.objects[which];
      const expected = EXPECTED[`${version} ${which}`];

      it(`${which}: alternatives named from the tree's cpucaps header, fixups listed`, () => {
        const f = openObjectFunction(obj, SYMBOL);
        expect(f.capabilities).toEqual(expected.capabilities);
        expect(f.alternatives).toHaveLength(expected.sites);
        const names = loadCapabilityNames(obj);
        for (const site of f.alternatives) expect(names.byName.has(site.capability)).toBe(true);
        expect(f.alternatives.filter((a) => a.callback !== undefined).map((a) => [a.capability, a.callback])).toEqual([["ARM64_ALWAYS_SYSTEM", "alt_cb_patch_nops"]]);
        expect([...f.capabilityDefaults.keys()]).toEqual(["ARM64_ALWAYS_SYSTEM"]);
        expect(f.capabilityDefaults.get("ARM64_ALWAYS_SYSTEM")?.present).toBe(true);
        expect(f.fixups.map((x) => x.text.split(/[ ,]+/)[1])).toEqual(expected.fixups);
        for (const x of f.fixups) {
          expect(x.reachable).toBe(false);
          expect(x.reason).toBe(AT_NEVER_FAULTS);
          expect(x.fixupIndex).toBeDefined();
        }
      });

      it(`${which}: every combination decodes, and prints as objdump prints the patched words`, () => {
        const f = openObjectFunction(obj, SYMBOL);
        expect(f.combinations()).toHaveLength(2 ** expected.capabilities.length);
        for (const caps of f.combinations()) {
          const program = f.load(caps);
          const words = f.words(caps);
          expect(program.instructions).toHaveLength(f.size / 4);
          const lines = objdumpWords(dir, words, f.address);
          expect(lines).toHaveLength(words.length);
          lines.forEach((l, i) => {
            const d = decodeA64(l.word, l.address);
            if (!d.ok) throw new Error(`${program.instructions[i].loc.symbol}: ${d.reason}`);
            const ours = disassemble(d.insn, { target: (t) => `0x${t.toString(16)}`, ...(d.unscaled ? { unscaled: true } : {}) });
            expect(ours, `${caps.join("+")} ${program.instructions[i].loc.symbol}`).toBe(normalizeObjdump(l.text));
          });
        }
      });

      it(`${which}: runs to a return in every combination with ARM64_ALWAYS_SYSTEM, to BUG() without it`, () => {
        const f = openObjectFunction(obj, SYMBOL);
        // DABT_LOW: translation fault L3, permission fault L3, S1PTW translation fault L2.
        for (const esr of [0x92000007n, 0x9200004fn, 0x92000086n]) {
          for (const caps of f.combinations()) {
            const vhe = which === "vhe" || caps.includes("ARM64_HAS_VIRT_HOST_EXTN") || caps.includes("ARM64_KVM_HVHE");
            const m = new Machine({
              x: { 0: esr, 1: 0x8000n, 30: 0xffff800010000000n },
              sysregs: { FAR_EL2: 0x40001234n, HPFAR_EL2: 0x400010n, PAR_EL1: 0x5an, HCR_EL2: vhe ? 1n << 34n : 0n },
            });
            const r = runProgram(f.load(caps), m, { entry: SYMBOL });
            if (!caps.includes("ARM64_ALWAYS_SYSTEM") && (esr & 0x80n) === 0n) {
              expect(r.outcome).toEqual({ kind: "breakpoint", imm16: 0x800 });
              continue;
            }
            expect(r.outcome).toEqual({ kind: "return", target: 0xffff800010000000n });
            expect(m.getX(0) & 0xffn).toBe(1n);
            expect(m.memory.read(0x8008n, 8)).toBe(0x40001234n);
            // The HPFAR recorded: from HPFAR_EL2, or from AT's PAR (the MMU is off: PA = VA).
            expect(m.memory.read(0x8010n, 8)).toBe(0x400010n);
            expect(m.getSysreg("PAR_EL1")).toBe(0x5an);
          }
        }
      });
    }
  });
}
