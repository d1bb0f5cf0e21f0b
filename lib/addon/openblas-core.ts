/**
 * Which OpenBLAS kernels the addon runs on. OpenBLAS built for many CPUs
 * (DYNAMIC_ARCH: Debian's, and the one linked into our prebuilt binaries)
 * picks its kernels from the CPU's family and model numbers, and falls back
 * to its oldest x86-64 kernels ("Prescott", SSE3) for a model it does not
 * know. Cloud machines report models newer than the library (OpenBLAS 0.3.21
 * on a model-207 Xeon in a KVM guest: Prescott), and there its sgemm ran at
 * 33 GFLOP/s on one core against 166 GFLOP/s with the AVX-512 kernels the
 * CPU supports (bench/README.md, "OpenBLAS kernels"). So, before the addon
 * loads, the choice is made from the CPU's feature flags instead, through the
 * library's own OPENBLAS_CORETYPE variable. A value the user set is never
 * changed, and only Linux on x86-64 is touched (where /proc/cpuinfo lists
 * the flags); elsewhere the library's own detection stands.
 */
import { readFileSync } from 'node:fs';

/**
 * The OpenBLAS core type for a CPU with these /proc/cpuinfo flags: the newest
 * kernel family whose instructions the CPU has, or undefined when it has none
 * newer than what any detection would give.
 */
export function openblasCoreTypeFor(flags: ReadonlySet<string>): string | undefined {
  const has = (...names: string[]) => names.every((n) => flags.has(n));
  const avx512 = has('avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl');
  if (avx512 && has('avx512_bf16')) return 'CooperLake';
  if (avx512) return 'SkylakeX';
  if (has('avx2', 'fma')) return 'Haswell';
  return undefined;
}

/** The flags of the first processor in a /proc/cpuinfo text. */
export function cpuinfoFlags(cpuinfo: string): Set<string> {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  return new Set(line ? line[1]!.trim().split(/\s+/) : []);
}

/**
 * Sets OPENBLAS_CORETYPE in `env` from this CPU's flags when it is unset (see
 * above). Returns the value set, or undefined when nothing was changed.
 */
export function pinOpenblasCoreType(env: NodeJS.ProcessEnv = process.env, platform = process.platform, arch = process.arch): string | undefined {
  if (env.OPENBLAS_CORETYPE !== undefined || platform !== 'linux' || arch !== 'x64') return undefined;
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined; // no /proc (a sandbox): the library detects as it would
  }
  const core = openblasCoreTypeFor(cpuinfoFlags(cpuinfo));
  if (core !== undefined) env.OPENBLAS_CORETYPE = core;
  return core;
}
