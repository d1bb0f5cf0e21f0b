/**
 * The addon loader picks OpenBLAS's kernels from the CPU's flags when the
 * library would not know the CPU's model (lib/addon/openblas-core.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuinfoFlags, openblasCoreTypeFor, pinOpenblasCoreType } from '../../lib/addon/openblas-core.js';

const AVX512 = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];
const flags = (...names: string[]) => new Set(names);
const root = path.resolve(import.meta.dirname, '..', '..');

describe('OpenBLAS core type from CPU flags', () => {
  it('is the newest kernel family the flags allow', () => {
    expect(openblasCoreTypeFor(flags('sse3', 'avx', 'avx2', 'fma', ...AVX512, 'avx512_bf16'))).toBe('CooperLake');
    expect(openblasCoreTypeFor(flags('avx2', 'fma', ...AVX512))).toBe('SkylakeX');
    // AVX-512 without its byte/word and vector-length parts (Knights Landing) is not SkylakeX.
    expect(openblasCoreTypeFor(flags('avx2', 'fma', 'avx512f', 'avx512cd'))).toBe('Haswell');
    expect(openblasCoreTypeFor(flags('avx2', 'fma'))).toBe('Haswell');
    expect(openblasCoreTypeFor(flags('avx2'))).toBeUndefined();
    expect(openblasCoreTypeFor(flags('sse3', 'avx'))).toBeUndefined();
  });

  it('reads the flags line of /proc/cpuinfo', () => {
    const text = 'processor\t: 0\nmodel\t\t: 207\nflags\t\t: fpu sse3 avx2 fma\nbugs\t\t: spectre_v1\n';
    expect([...cpuinfoFlags(text)]).toEqual(['fpu', 'sse3', 'avx2', 'fma']);
    expect(cpuinfoFlags('processor\t: 0\n').size).toBe(0);
  });

  it('never changes a value the user set, and leaves other platforms alone', () => {
    const env: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Haswell' };
    expect(pinOpenblasCoreType(env, 'linux', 'x64')).toBeUndefined();
    expect(env.OPENBLAS_CORETYPE).toBe('Haswell');
    const other: NodeJS.ProcessEnv = {};
    expect(pinOpenblasCoreType(other, 'darwin', 'arm64')).toBeUndefined();
    expect(pinOpenblasCoreType(other, 'linux', 'arm64')).toBeUndefined();
    expect(other).toEqual({});
  });

  const here = process.platform === 'linux' && process.arch === 'x64' && existsSync('/proc/cpuinfo');
  const expected = here ? openblasCoreTypeFor(cpuinfoFlags(readFileSync('/proc/cpuinfo', 'utf8'))) : undefined;

  it.runIf(expected !== undefined)('the loaded OpenBLAS runs the kernels of this CPU', () => {
    // A fresh process: the library reads its choice once, when the addon loads.
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    const out = execFileSync(process.execPath, ['-e', "import('./dist/index.js').then((m) => console.log(JSON.stringify(m.libraryInfo())))"], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    const info = JSON.parse(out) as { blas: string; openblas: boolean };
    if (!info.openblas) return; // built without OpenBLAS: nothing to choose
    expect(info.blas.toLowerCase()).toContain(expected!.toLowerCase());
  });
});
