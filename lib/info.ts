import { native } from './addon/loader.js';
import type { SimdCopy } from './addon/simd-cap.js';
import { packageVersion } from './version.js';

export interface LibraryInfo {
  version: string;
  /** BLAS the native core runs on: the OpenBLAS configuration string, or "built-in". */
  blas: string;
  openblas: boolean;
  /** Threads used when an option says `threads: 0` (all hardware threads). */
  hardwareThreads: number;
  napiVersion: number;
  /** The widest vector copy of the kernels' hot loops this process runs: 'avx512', 'avx2' or 'plain' (the CPU's, capped by MFREC_SIMD). */
  simd: SimdCopy;
  node: string;
  platform: string;
}

/** What this installation of mfrec is and runs on (`mfrec info`). */
export function libraryInfo(): LibraryInfo {
  return {
    version: packageVersion(),
    ...native().info(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
