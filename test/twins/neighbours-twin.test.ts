import { describe, expect, it } from 'vitest';
import { itemItemFitBinding, type NeighboursArgs } from '../../lib/addon/item-item-fit.js';
import { type SparseRows, transpose } from '../../lib/data/sparse.js';
import { Rng } from '../../lib/random.js';
import { itemNeighboursTwin } from '../../lib/twins/neighbours.js';
import { randomSparse, rowNormalised } from '../helpers/sparse-data.js';

function argsFor(byItem: SparseRows, byUser: SparseRows, over: Partial<NeighboursArgs>): NeighboursArgs {
  const k = over.k ?? 5;
  return {
    byItem,
    byUser,
    shrink: 0,
    k,
    threads: 1,
    outIndices: new Int32Array(byItem.rows * k).fill(99),
    outScores: new Float32Array(byItem.rows * k).fill(99),
    ...over,
  };
}

async function both(a: NeighboursArgs): Promise<{ native: NeighboursArgs; twin: NeighboursArgs }> {
  const fresh = () => ({ ...a, outIndices: a.outIndices.slice(), outScores: a.outScores.slice() });
  const native = fresh();
  const twin = fresh();
  await itemItemFitBinding().itemNeighbours(native);
  itemNeighboursTwin(twin);
  return { native, twin };
}

function colScale(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => 0.2 + 2 * rng.uniform());
}

describe('neighbours twin', () => {
  const byUser = randomSparse(150, 80, 0.08, 31, { emptyEvery: 9 });
  const byItem = transpose(byUser);
  // RP3beta's shape: two different transition matrices and a popularity scale.
  const pUI = rowNormalised(byUser);
  const pIU = rowNormalised(byItem);

  it.each([
    ['co-occurrence', byItem, byUser, {}],
    ['shrink', byItem, byUser, { shrink: 3 }],
    ['column scale', byItem, byUser, { colScale: colScale(80, 1) }],
    ['transition matrices, shrink and column scale', pIU, pUI, { shrink: 0.5, colScale: colScale(80, 2) }],
    ['k larger than any item has neighbours', byItem, byUser, { k: 120 }],
    ['k = 1', pIU, pUI, { k: 1 }],
  ] as const)('gives the native kernel’s neighbours and scores bit for bit (%s), 1 and 2 threads', async (_name, a, b, over) => {
    for (const threads of [1, 2]) {
      const { native, twin } = await both(argsFor(a, b, { ...over, threads }));
      expect(Array.from(native.outIndices)).toEqual(Array.from(twin.outIndices));
      expect(Array.from(native.outScores)).toEqual(Array.from(twin.outScores));
    }
  });

  it('rows are sorted, positive, never the item itself, padded with −1 / 0; empty items have none', async () => {
    const k = 120;
    const { native } = await both(argsFor(byItem, byUser, { k, threads: 2 }));
    let padded = 0;
    for (let i = 0; i < byItem.rows; i++) {
      const idx = native.outIndices.subarray(i * k, (i + 1) * k);
      const sc = native.outScores.subarray(i * k, (i + 1) * k);
      for (let r = 0; r < k; r++) {
        if (idx[r] === -1) {
          expect(sc[r]).toBe(0);
          padded++;
          continue;
        }
        expect(idx[r]).not.toBe(i);
        expect(sc[r]).toBeGreaterThan(0);
        if (r > 0 && idx[r - 1] !== -1) expect(sc[r - 1]! > sc[r]! || (sc[r - 1] === sc[r] && idx[r - 1]! < idx[r]!)).toBe(true);
        if (r > 0) expect(idx[r - 1]).not.toBe(-1);
      }
      if (i % 9 === 0) expect(Array.from(idx)).toEqual(new Array(k).fill(-1));
    }
    expect(padded).toBeGreaterThan(0);
  });

  it('matrices without entries give only padding (their empty value arrays reach the kernel as null)', async () => {
    const none = randomSparse(3, 4, 0, 1);
    const { native, twin } = await both(argsFor(transpose(none), none, { k: 2, threads: 2 }));
    expect(Array.from(native.outIndices)).toEqual(new Array(8).fill(-1));
    expect(Array.from(native.outScores)).toEqual(new Array(8).fill(0));
    expect(Array.from(twin.outIndices)).toEqual(new Array(8).fill(-1));
  });

  it('a set cancel flag rejects with ERR_MFREC_ABORTED', async () => {
    const a = argsFor(byItem, byUser, { threads: 2, cancel: Int32Array.of(1) });
    await expect(itemItemFitBinding().itemNeighbours(a)).rejects.toMatchObject({ code: 'ERR_MFREC_ABORTED' });
  });

  it.each([
    ['byItem and byUser of different shapes', { byItem: transpose(randomSparse(150, 81, 0.1, 5)) }],
    ['outScores one short', { outScores: new Float32Array(80 * 5 - 1) }],
    ['outIndices as a Float32Array', { outIndices: new Float32Array(80 * 5) as unknown as Int32Array }],
    ['colScale of the wrong length', { colScale: new Float32Array(79) }],
    ['k = 0', { k: 0, outIndices: new Int32Array(0), outScores: new Float32Array(0) }],
    ['a negative shrink', { shrink: -1 }],
    ['a NaN shrink', { shrink: Number.NaN }],
  ] as const)('%s → ERR_MFREC_INVALID_ARGUMENT', async (_what, over) => {
    const a = { ...argsFor(byItem, byUser, {}), ...over } as NeighboursArgs;
    // Argument types and lengths throw at the call; the kernel's own checks reject.
    const code = await (async () => itemItemFitBinding().itemNeighbours(a))().then(
      () => undefined,
      (e: { code?: string }) => e.code,
    );
    expect(code).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});
