import { describe, expect, it } from 'vitest';
import { type EaseFitArgs, itemItemFitBinding } from '../../lib/addon/item-item-fit.js';
import type { SparseRows } from '../../lib/data/sparse.js';
import { easeFitTwin } from '../../lib/twins/ease.js';
import { randomSparse } from '../helpers/sparse-data.js';

function fitBoth(byUser: SparseRows, lambda: number, threads: number) {
  const n = byUser.cols;
  const native: EaseFitArgs = { byUser, lambda, threads, out: new Float32Array(n * n).fill(7) };
  const twin: EaseFitArgs = { ...native, out: new Float32Array(n * n).fill(7) };
  return { native, twin, run: () => Promise.all([itemItemFitBinding().easeFit(native), Promise.resolve(easeFitTwin(twin))]) };
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The error code of a call that throws (bad argument types and lengths) or rejects (the kernel's own checks). */
async function codeOf(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('EASE twin', () => {
  it.each([
    // users, items, density, lambda, options
    ['small dense', 60, 20, 0.3, 5, {}],
    ['one item', 30, 1, 0.5, 2, {}],
    ['signed values', 80, 40, 0.2, 10, { signed: true }],
    // 300 items: more than one 256-item tile and several 64-column panels
    ['several blocks, empty rows and columns', 600, 300, 0.04, 20, { emptyEvery: 13 }],
    ['dense enough for the dense Gram method', 100, 280, 0.9, 50, {}],
  ] as const)('matches the native kernel (%s) at 1 and 2 threads', async (_name, users, items, density, lambda, o) => {
    const byUser = randomSparse(users, items, density, users + items, o);
    for (const threads of [1, 2]) {
      const { native, twin, run } = fitBoth(byUser, lambda, threads);
      await run();
      const scale = maxAbs(twin.out);
      if (items > 1) expect(scale).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(native.out, twin.out)).toBeLessThanOrEqual(1e-3 * scale);
      for (let i = 0; i < items; i++) expect(native.out[i * items + i]).toBe(0);
    }
  });

  it('gives the hand-computed weights of a two-item example', async () => {
    // Users {0, 1} and {0}: XᵀX + I = [[3, 1], [1, 2]], P = [[2, −1], [−1, 3]] / 5,
    // B[0][1] = −P[0][1] / P[1][1] = 1/3 and B[1][0] = −P[1][0] / P[0][0] = 1/2.
    const byUser: SparseRows = { rows: 2, cols: 2, indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(0, 1, 0), values: Float32Array.of(1, 1, 1) };
    const { native, twin, run } = fitBoth(byUser, 1, 1);
    await run();
    for (const b of [native.out, twin.out]) {
      expect(b[0]).toBe(0);
      expect(b[3]).toBe(0);
      expect(b[1]).toBeCloseTo(1 / 3, 6);
      expect(b[2]).toBeCloseTo(1 / 2, 6);
    }
  });

  it('writes nothing for zero items and zero weights for users without interactions', async () => {
    const none = fitBoth(randomSparse(5, 0, 0.5, 1), 1, 2);
    await none.run();
    expect(none.native.out.length).toBe(0);
    const empty = fitBoth(randomSparse(0, 4, 0.5, 1), 1, 2);
    await empty.run();
    // (−P[i][j] / P[j][j] of a zero P[i][j] may be −0.)
    expect(empty.native.out.every((v) => v === 0)).toBe(true);
    expect(empty.twin.out.every((v) => v === 0)).toBe(true);
  });

  it('a set cancel flag rejects with ERR_MFREC_ABORTED', async () => {
    const byUser = randomSparse(100, 300, 0.1, 3);
    const p = itemItemFitBinding().easeFit({ byUser, lambda: 1, threads: 2, out: new Float32Array(300 * 300), cancel: Int32Array.of(1) });
    await expect(p).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });

  it('bad arguments are typed errors', async () => {
    const byUser = randomSparse(10, 4, 0.5, 4);
    const ok: EaseFitArgs = { byUser, lambda: 1, threads: 1, out: new Float32Array(16) };
    const fit = (over: Partial<EaseFitArgs>) => () => itemItemFitBinding().easeFit({ ...ok, ...over });
    expect(await codeOf(fit({ out: new Float32Array(15) }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ out: new Float64Array(16) as unknown as Float32Array }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ lambda: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ lambda: Number.NaN }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ threads: -1 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ byUser: { ...byUser, indptr: byUser.indptr.slice(0, 5) } }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ byUser: { ...byUser, cols: 3 }, out: new Float32Array(9) }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await codeOf(fit({ byUser: { ...byUser, values: byUser.values.map((v, i) => (i === 2 ? Number.NaN : v)) } }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a Gram matrix that float32 cannot factor is a typed error naming the item, from both', async () => {
    // One user, two items of value 2^12: XᵀX = 2^24·[[1, 1], [1, 1]]; 2^24 + 0.5 rounds to
    // 2^24 in float32, so the second pivot is exactly 0 there (the twin's float64 is not fooled).
    const byUser: SparseRows = { rows: 1, cols: 2, indptr: Int32Array.of(0, 2), indices: Int32Array.of(0, 1), values: Float32Array.of(4096, 4096) };
    await expect(itemItemFitBinding().easeFit({ byUser, lambda: 0.5, threads: 1, out: new Float32Array(4) })).rejects.toMatchObject({
      code: 'ERR_MFREC_INVALID_ARGUMENT',
      message: expect.stringContaining('pivot of item 1'),
    });
    // The twin in float64 refuses only what float64 cannot factor: a matrix with a negative pivot.
    const negative: SparseRows = { rows: 1, cols: 1, indptr: Int32Array.of(0, 1), indices: Int32Array.of(0), values: Float32Array.of(1) };
    expect(await codeOf(() => easeFitTwin({ byUser: negative, lambda: -2, threads: 1, out: new Float32Array(1) }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});
