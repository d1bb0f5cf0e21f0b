/**
 * Loads the compiled addon: a prebuilt binary from prebuilds/, or a local
 * build from build/Release (node-gyp) or build-cmake/Release (cmake-js).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, MfrecError } from './errors.js';

const require = createRequire(import.meta.url);
// lib/*.ts (under vitest) and dist/*.js both sit one level below the package root.
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The functions the addon exports; every binding file adds its own. */
export interface NativeAddon {
  setErrorClass(ctor: new (code: string, message: string) => Error): void;
  info(): { blas: string; openblas: boolean; hardwareThreads: number; napiVersion: number };
  [name: string]: unknown;
}

function load(): NativeAddon {
  const errors: string[] = [];
  try {
    return require('node-gyp-build')(packageRoot) as NativeAddon;
  } catch (e) {
    errors.push((e as Error).message);
  }
  const cmakeBuild = path.join(packageRoot, 'build-cmake', 'Release', 'mfrec.node');
  if (existsSync(cmakeBuild)) return require(cmakeBuild) as NativeAddon;
  throw new MfrecError(
    ErrorCodes.NATIVE,
    `Could not load the mfrec native addon for ${process.platform}-${process.arch} ` +
      `(Node ${process.version}, N-API ${process.versions.napi}). ${errors.join('; ')}. ` +
      `Build it from source with 'npm run build:native' (needs a C++17 compiler and Python; ` +
      `OpenBLAS, e.g. apt-get install libopenblas-dev, is optional but faster).`,
  );
}

let addon: NativeAddon | undefined;

/** The addon, loaded on first use. */
export function native(): NativeAddon {
  if (addon === undefined) {
    addon = load();
    addon.setErrorClass(MfrecError);
  }
  return addon;
}
