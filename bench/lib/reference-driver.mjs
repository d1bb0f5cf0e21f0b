// The hand-off between a Node benchmark and the project's Python drivers of
// bench/suite/reference/ (as bench/suite/implicit.mjs does it for ALS): the
// training data goes out as raw by-user CSR arrays, a driver prints one JSON
// line and, for the accuracy table, writes one int32 top-k list per user.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchDir } from './common.mjs';

export const referenceDir = path.join(benchDir, 'suite', 'reference');
export const dataDir = path.join(benchDir, '.data');

/** Debian's interpreter (where the reference tools were built) unless told otherwise. */
export function defaultPython() {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Writes `data`'s by-user CSR arrays raw under `prefix` (.indptr, .indices int32, .values float32). */
export function writeCsr(data, prefix) {
  mkdirSync(path.dirname(prefix), { recursive: true });
  const m = data.byUser;
  for (const [ext, array] of [
    ['indptr', m.indptr],
    ['indices', m.indices],
    ['values', m.values],
  ]) {
    const file = `${prefix}.${ext}`;
    writeFileSync(`${file}.partial`, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    renameSync(`${file}.partial`, file);
  }
}

/** Removes the files writeCsr wrote (and a lists file a driver wrote beside them). */
export function removeCsr(prefix) {
  for (const ext of ['indptr', 'indices', 'values', 'lists']) rmSync(`${prefix}.${ext}`, { force: true });
}

/**
 * Runs `bench/suite/reference/<script>` with `args` and returns its last
 * stdout line parsed. `implicitDir` goes on PYTHONPATH (for implicit's
 * classes); the drivers' own folder always does (reference_io.py).
 */
export function runDriver(python, script, args, { implicitDir, env = {} } = {}) {
  const pythonPath = [referenceDir, implicitDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const out = execFileSync(python, [path.join(referenceDir, script), ...args.map(String)], {
    env: { ...process.env, ...env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Reads a lists file (int32, rows × k) into a function dense user → list. */
export function readLists(file, rows, k) {
  const bytes = readFileSync(file);
  if (bytes.byteLength !== rows * k * 4) throw new Error(`${file}: ${bytes.byteLength} bytes, expected ${rows} × ${k} int32`);
  const all = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return (user) => all.subarray(user * k, (user + 1) * k);
}
