// Building faultc's bare-metal harness (qemu/) with the AArch64 cross toolchain and booting it
// under QEMU's `virt` machine at EL2 (FACTS.md, last section). Every build goes to a fresh
// temporary directory; every QEMU run has a time limit after which QEMU is killed (SIGKILL), so
// that a harness that hangs is an error, never a hung caller.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const QEMU = "qemu-system-aarch64";
export const GCC = "aarch64-linux-gnu-gcc";
/** The Debian packages that provide the tools (FACTS.md). */
export const ORACLE_INSTALL =
  "apt-get update && apt-get install -y --no-install-recommends qemu-system-arm gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu";

/** The harness sources: start.S, lib.c, harness.c (AT) or trap-harness.c (traps), blob.S, link.ld. */
export const HARNESS_DIR = fileURLToPath(new URL("../../qemu/", import.meta.url));

/** Machine options: the virt board with EL2, the CPU whose behaviour the model is compared with. */
export const QEMU_MACHINE = ["-M", "virt,virtualization=on", "-cpu", "cortex-a57", "-m", "1G"] as const;

const CFLAGS = [
  "-ffreestanding",
  "-nostdlib",
  "-fno-pie",
  "-no-pie",
  "-static",
  // The harness runs with its MMU off: all its accesses are Device accesses, which must be aligned,
  // and no FP/SIMD register may be touched (CPTR_EL2 is left as QEMU resets it).
  "-mgeneral-regs-only",
  "-mstrict-align",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Werror",
];
const LDFLAGS = ["-Wl,--no-warn-rwx-segments", "-Wl,--build-id=none"];

/** QEMU or the cross compiler is not installed. */
export class OracleUnavailableError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`${missing.join(" and ")} not found; install with: ${ORACLE_INSTALL}`);
    this.name = "OracleUnavailableError";
  }
}

/** The harness did not build, QEMU failed or timed out, or its output is malformed. */
export class OracleRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OracleRunError";
  }
}

/** The tools the oracle needs that are not on PATH (empty when everything is there). */
export function missingOracleTools(): string[] {
  return [QEMU, GCC].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status !== 0);
}

export function requireOracleTools(): void {
  const missing = missingOracleTools();
  if (missing.length > 0) throw new OracleUnavailableError(missing);
}

function mustRun(cmd: string, args: readonly string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error !== undefined) throw new OracleRunError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new OracleRunError(`${cmd} ${args.join(" ")} failed (status ${r.status}):\n${r.stdout}${r.stderr}`);
}

export interface HarnessImage {
  /** The ELF QEMU loads. */
  readonly elf: string;
  /** The temporary build directory (remove with disposeHarness). */
  readonly dir: string;
}

export interface HarnessSources {
  /** Extra assembly sources (absolute paths) linked into the image. */
  readonly extraSources?: readonly string[];
  /** Extra include directories for the assembler and compiler. */
  readonly includeDirs?: readonly string[];
  /** Extra preprocessor definitions (NAME or NAME=VALUE). */
  readonly defines?: readonly string[];
  /** The C file of the harness (default qemu/harness.c). */
  readonly main?: string;
  /** Sources generated for this build (e.g. a compiled function's words), written into the build directory and linked in. */
  readonly generatedSources?: readonly { readonly name: string; readonly text: string }[];
}

/** Builds the harness with `blob` as its input (cases.bin) in a fresh temporary directory. */
export function buildHarness(blob: Uint8Array, sources: HarnessSources = {}): HarnessImage {
  requireOracleTools();
  const dir = mkdtempSync(path.join(tmpdir(), "faultc-oracle-"));
  try {
    writeFileSync(path.join(dir, "cases.bin"), blob);
    for (const g of sources.generatedSources ?? []) {
      if (g.name !== path.basename(g.name) || g.name === "cases.bin") throw new OracleRunError(`a generated harness source must be a plain file name, not ${JSON.stringify(g.name)}`);
      writeFileSync(path.join(dir, g.name), g.text);
    }
    const includes = [dir, HARNESS_DIR, ...(sources.includeDirs ?? [])].flatMap((d) => [`-I${d}`, `-Wa,-I,${d}`]);
    const defines = (sources.defines ?? []).map((d) => `-D${d}`);
    const inputs = [
      path.join(HARNESS_DIR, "start.S"),
      path.join(HARNESS_DIR, "lib.c"),
      sources.main ?? path.join(HARNESS_DIR, "harness.c"),
      path.join(HARNESS_DIR, "blob.S"),
      ...(sources.extraSources ?? []),
      ...(sources.generatedSources ?? []).map((g) => path.join(dir, g.name)),
    ];
    const objects: string[] = [];
    inputs.forEach((src, i) => {
      const obj = `${i}-${path.basename(src)}.o`;
      mustRun(GCC, [...CFLAGS, ...includes, ...defines, "-c", src, "-o", obj], dir);
      objects.push(obj);
    });
    mustRun(GCC, [...CFLAGS, ...LDFLAGS, "-T", path.join(HARNESS_DIR, "link.ld"), ...objects, "-o", "prog.elf"], dir);
    return { elf: path.join(dir, "prog.elf"), dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export function disposeHarness(image: HarnessImage): void {
  rmSync(image.dir, { recursive: true, force: true });
}

export interface QemuRun {
  readonly stdout: string;
  readonly stderr: string;
  /** QEMU's exit status: the harness's semihosting SYS_EXIT code. */
  readonly status: number;
  /** Wall-clock time of the whole boot-and-run, in milliseconds. */
  readonly ms: number;
}

/** Default limit of one QEMU run; a batch of several hundred AT cases takes well under a second. */
export const QEMU_TIMEOUT_MS = 10_000;

/** Boots `elf` at EL2 and waits for it to exit through semihosting; kills QEMU after `timeoutMs`. */
export function runQemu(elf: string, timeoutMs: number = QEMU_TIMEOUT_MS): QemuRun {
  requireOracleTools();
  const args = [...QEMU_MACHINE, "-nographic", "-nic", "none", "-no-reboot", "-semihosting", "-kernel", elf];
  const t0 = performance.now();
  const r = spawnSync(QEMU, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.error !== undefined) {
    const timedOut = (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
    throw new OracleRunError(
      timedOut
        ? `${QEMU} did not finish within ${timeoutMs} ms and was killed; last output: ${lastLines(r.stdout ?? "")}`
        : `${QEMU}: ${r.error.message}`,
    );
  }
  if (r.status === null) throw new OracleRunError(`${QEMU} was killed by ${r.signal}; last output: ${lastLines(r.stdout)}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, ms };
}

export function lastLines(text: string, n = 3): string {
  const lines = text.split("\n").filter((l) => l.length > 0);
  return lines.length === 0 ? "(none)" : lines.slice(-n).join(" | ");
}
