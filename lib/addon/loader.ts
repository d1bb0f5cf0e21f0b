/**
 * Loads the compiled addon: a prebuilt binary from prebuilds/, or a local
 * build from build/Release (node-gyp) or build-cmake/Release (cmake-js).
 * The binding files beside this one type its functions through
 * {@link bindingOf}, the one place the untyped addon becomes typed.
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, MfrecError, type ErrorCode } from '../errors.js';
import { withCallerStack } from './caller-stack.js';
import { pinOpenblasCoreType } from './openblas-core.js';
import { checkSimdCap, type SimdCopy } from './simd-cap.js';

const require = createRequire(import.meta.url);
// lib/addon/*.ts (under vitest) and dist/addon/*.js both sit two levels below the package root.
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The functions the addon exports; every binding file adds its own. */
export interface NativeAddon {
  // The addon raises only codes of ErrorCodes (test/addon/error-codes.test.ts checks its sources).
  setErrorClass(ctor: new (code: ErrorCode, message: string) => Error): void;
  info(): { blas: string; openblas: boolean; hardwareThreads: number; napiVersion: number; simd: SimdCopy };
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
  // OpenBLAS reads its kernel choice once, when the addon is loaded; our kernels read MFREC_SIMD once too.
  pinOpenblasCoreType();
  checkSimdCap();
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

/**
 * The typed functions of one binding, taken from the addon on first use:
 * `sync` as they are, `async` wrapped so that a rejection carries the stack
 * of the JavaScript call (caller-stack.ts). Returns the same object on every
 * call, so a test can spy on a function and see the library's own calls.
 */
export function bindingOf<T extends object>(names: { sync: readonly (keyof T & string)[]; async: readonly (keyof T & string)[] }): () => T {
  let binding: T | undefined;
  return () => {
    if (binding === undefined) {
      const functions = native() as unknown as Record<string, (...args: unknown[]) => unknown>;
      const typed: Record<string, unknown> = {};
      for (const name of names.sync) typed[name] = functions[name];
      for (const name of names.async) typed[name] = withCallerStack(functions[name] as (...args: unknown[]) => Promise<unknown>);
      binding = typed as T;
    }
    return binding;
  };
}

/**
 * A binding whose TypeScript shape differs from the addon's (the addon takes
 * one arguments object per call): `adapt` builds the typed functions once,
 * over the raw ones, and every call returns that same object.
 */
export function adaptedBinding<Raw extends object, T extends object>(raw: () => Raw, adapt: (addon: Raw) => T): () => T {
  let binding: T | undefined;
  return () => {
    binding ??= adapt(raw());
    return binding;
  };
}
