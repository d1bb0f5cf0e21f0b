/**
 * MFREC_SIMD: the widest copy of the kernels' hot loops a process may run.
 * The addon compiles the SGD, ALS, BPR and item-to-item loops several times
 * (plain, AVX2, AVX-512) and runs the widest the CPU has; all copies give the
 * same bits. "avx2" or "plain" caps that choice, so that every copy can be
 * run and compared on one machine (the tests do) and a copy can be set aside
 * without a rebuild; "avx512" (or unset) is no cap. The native side reads the
 * variable once (native/kernels/simd.h); any other value is refused here,
 * before the addon loads, rather than silently running the widest copy.
 */
import { ErrorCodes, MfrecError } from '../errors.js';

/** The values MFREC_SIMD takes, narrowest first. */
export const SIMD_COPIES = ['plain', 'avx2', 'avx512'] as const;

/** The vector copy of the hot loops a process runs, as `libraryInfo().simd` reports it. */
export type SimdCopy = (typeof SIMD_COPIES)[number];

/** Throws ERR_MFREC_INVALID_ARGUMENT when MFREC_SIMD in `env` is set to anything but a copy's name. */
export function checkSimdCap(env: Readonly<Record<string, string | undefined>> = process.env): void {
  const value = env.MFREC_SIMD;
  if (value === undefined || value === '' || (SIMD_COPIES as readonly string[]).includes(value)) return;
  throw new MfrecError(
    ErrorCodes.INVALID_ARGUMENT,
    `MFREC_SIMD must be plain, avx2 or avx512 (the widest vector copy of the kernels to run), not ${JSON.stringify(value.slice(0, 40))}`,
  );
}
