/**
 * The kernels' vector copies (plain, AVX2, AVX-512; native/kernels/simd.h)
 * give the same bits: every family whose kernels have copies is fitted and
 * ranked in a process of its own under each MFREC_SIMD cap, and the digests
 * must be equal. Without the cap a CPU with AVX-512 would never run the
 * narrower copies, which is what AVX2-only machines run.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSimdCap } from '../../lib/addon/simd-cap.js';
import { libraryInfo } from '../../lib/index.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const child = path.join(root, 'test', 'helpers', 'simd-copies-child.mjs');

function run(cap: string | undefined): Record<string, string> {
  const env = { ...process.env };
  delete env.MFREC_SIMD;
  if (cap !== undefined) env.MFREC_SIMD = cap;
  return JSON.parse(execFileSync(process.execPath, [child], { cwd: root, env, encoding: 'utf8' })) as Record<string, string>;
}

describe('MFREC_SIMD', () => {
  it('every vector copy learns and ranks the same bits as the widest one', { timeout: 120_000 }, () => {
    const widest = run(undefined);
    const avx2 = run('avx2');
    const plain = run('plain');
    expect(plain.simd).toBe('plain');
    expect(avx2.simd).not.toBe('avx512');
    expect(widest.simd).toBe(libraryInfo().simd);
    const { simd: _w, ...learned } = widest;
    expect(Object.keys(learned).length).toBeGreaterThan(10);
    for (const other of [avx2, plain]) {
      const { simd: _o, ...rest } = other;
      expect(rest).toEqual(learned);
    }
  });

  it('refuses a value that names no copy, before the addon loads', () => {
    expect(() => checkSimdCap({ MFREC_SIMD: 'avx9' })).toThrow(
      expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT', message: expect.stringContaining('MFREC_SIMD must be plain, avx2 or avx512') }),
    );
    for (const ok of [undefined, '', 'plain', 'avx2', 'avx512']) expect(() => checkSimdCap({ MFREC_SIMD: ok })).not.toThrow();
  });

  it('a process started with a bad value gets the typed error at its first native call', () => {
    const script = "import('./dist/index.js').then((m) => { try { m.libraryInfo(); console.log('loaded'); } catch (e) { console.log(e.code, e.message); } })";
    const out = execFileSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, MFREC_SIMD: 'AVX2' }, encoding: 'utf8' });
    expect(out).toContain('ERR_MFREC_INVALID_ARGUMENT');
    expect(out).toContain('"AVX2"');
  });
});
