// The scenario machine's physical memory map: the QEMU `virt` board the oracle runs
// (src/oracle/qemu.ts QEMU_MACHINE, `-m 1G`), RAM from 0x40000000. Everything the scenario layout
// places (vcpu, stack, table pool) lies in that RAM; a PA above it is outside memory, where a
// descriptor fetch is a synchronous External abort on the walk.
import { qemuVirtMemoryMap, QEMU_VIRT_RAM_BASE, type MemoryMap } from "../memory-map.ts";

/** The scenario machine's RAM: 1 GiB at the virt board's RAM base. */
export const SCENARIO_RAM = { base: QEMU_VIRT_RAM_BASE, size: 0x4000_0000n } as const;

export const SCENARIO_MEMORY_MAP: MemoryMap = qemuVirtMemoryMap(SCENARIO_RAM.size);
