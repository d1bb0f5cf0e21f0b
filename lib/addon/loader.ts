/**
 * Loads the compiled addon: a prebuilt binary from prebuilds/, or a local
 * build from build/Release (node-gyp) or build-cmake/Release (cmake-js).
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, MfrecError, type ErrorCode } from '../errors.js';

const require = createRequire(import.meta.url);
// lib/addon/*.ts (under vitest) and dist/addon/*.js both sit two levels below the package root.
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The functions the addon exports; every binding file adds its own. */
export interface NativeAddon {
  // The addon raises only codes of ErrorCodes (test/error-codes.test.ts checks its sources).
  setErrorClass(ctor: new (code: ErrorCode, message: string) => Error): void;
  info(): { blas: string; openblas: boolean; hardwareThreads: number; napiVersion: number };
  [name: string]: unknown;
}

/** libc family and version, as node-gyp-build and our prebuild names see them. */
function libc(): string {
  if (process.platform !== 'linux') return 'n/a';
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'musl (or unknown libc)';
}

function availablePrebuilds(): string[] {
  try {
    return readdirSync(path.join(packageRoot, 'prebuilds'));
  } catch {
    return [];
  }
}

function load(): NativeAddon {
  const errors: string[] = [];
  try {
    return require('node-gyp-build')(packageRoot) as NativeAddon;
  } catch (e) {
    errors.push((e as Error).message.split('\n')[0]!);
  }
  const cmakeBuild = path.join(packageRoot, 'build-cmake', 'Release', 'mfrec.node');
  if (existsSync(cmakeBuild)) return require(cmakeBuild) as NativeAddon;
  const prebuilds = availablePrebuilds();
  throw new MfrecError(
    ErrorCodes.NATIVE,
    `Could not load the mfrec native addon. Found: ${process.platform}-${process.arch}, ${libc()}, ` +
      `Node ${process.version} (N-API ${process.versions.napi}). Loader said: ${errors.join('; ')}. ` +
      `Prebuilt binaries in this package: ${prebuilds.length ? prebuilds.join(', ') : 'none'}. ` +
      `To build from source: install a C++17 compiler, Python 3 and make (Debian/Ubuntu: ` +
      `apt-get install build-essential python3; optional, faster: libopenblas-dev), then run ` +
      `'npm rebuild mfrec --build-from-source' (from a checkout: 'npm run build:native').`,
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
