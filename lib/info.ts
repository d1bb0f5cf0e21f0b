import { readFileSync } from 'node:fs';
import path from 'node:path';
import { native, packageRoot } from './native.js';

export interface LibraryInfo {
  version: string;
  /** BLAS the native core runs on: the OpenBLAS configuration string, or "built-in". */
  blas: string;
  openblas: boolean;
  /** Threads used when an option says `threads: 0` (all hardware threads). */
  hardwareThreads: number;
  napiVersion: number;
  node: string;
  platform: string;
}

/** What this installation of mfrec is and runs on (`mfrec info`). */
export function libraryInfo(): LibraryInfo {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return {
    version: pkg.version,
    ...native().info(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
