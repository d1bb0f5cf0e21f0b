import { describe, expect, it } from 'vitest';
import { IdMap, ImplicitALS, type Interactions } from '../../../lib/index.js';
import { kernelOptions } from '../../../lib/models/als/implicit-als.js';
import { alsHalfSweep } from '../../../lib/twins/als.js';
import { checkerboard, randomData } from '../../helpers/implicit-data.js';
import { errorCode, maxAbs, maxAbsDiff, setState, stateOf } from '../../helpers/support.js';

/** Every interaction of one user (or item), as raw ids and values. */
function historyOf(data: Interactions, key: 'user' | 'item', id: string | number) {
  const other: (string | number)[] = [];
  const values: number[] = [];
  for (const e of data.entries()) {
    if (String(e[key]) !== String(id)) continue;
    other.push(key === 'user' ? e.item : e.user);
    values.push(e.value);
  }
  return { other, values };
}

/** The twin's exact solve of one row against fixed `y`: the oracle of a fold-in. */
function twinFoldIn(model: ImplicitALS, y: Float32Array, yRows: number, columns: number[], values: number[]): Float32Array {
  const order = columns.map((c, j) => [c, values[j]!] as const).sort((a, b) => a[0] - b[0]);
  const row = {
    rows: 1,
    cols: yRows,
    indptr: Int32Array.of(0, order.length),
    indices: Int32Array.from(order, (p) => p[0]),
    values: Float32Array.from(order, (p) => p[1]),
  };
  const x = new Float32Array(model.params.factors);
  alsHalfSweep(row, y, x, { ...kernelOptions(model.params), solver: 1 });
  return x;
}

describe('ImplicitALS.recalculateUser / recalculateItem', () => {
  const data = randomData(50, 40, 0.2, 21, true);

  it.each(['native', 'js'] as const)('recovers a training user from their history after a converged Cholesky fit (%s)', async (backend) => {
    const model = await new ImplicitALS({ factors: 5, iterations: 300, solver: 'cholesky', seed: 4, threads: 1, backend }).fit(data);
    for (const user of [0, 7, 23, 49]) {
      const { other, values } = historyOf(data, 'user', user);
      const trained = model.userVector(user)!;
      const x = model.recalculateUser({ items: other, values });
      expect(x).toBeInstanceOf(Float32Array);
      expect(x.length).toBe(5);
      // User vectors were solved against the item vectors of the previous iteration: equal once converged.
      expect(maxAbsDiff(x, trained)).toBeLessThan(1e-3 * Math.max(maxAbs(trained), 0.1));
    }
  });

  it('matches the exact solve of the twin against the final item factors (frequency-scaled λ, log confidence, negatives)', async () => {
    const model = await new ImplicitALS({ factors: 6, iterations: 3, confidence: 'log', epsilon: 0.5, regularization: 0.4 }).fit(data);
    const s = stateOf(model);
    for (const user of [1, 12, 30]) {
      const { other, values } = historyOf(data, 'user', user);
      const expected = twinFoldIn(
        model,
        s.itemFactors,
        s.items.size,
        other.map((i) => s.items.index(i)!),
        values,
      );
      const x = model.recalculateUser({ items: other, values });
      expect(maxAbsDiff(x, expected)).toBeLessThan(1e-5 * maxAbs(expected));
    }
  });

  it('reproduces trained item vectors bit for bit (items are solved last, against the final user factors)', async () => {
    const model = await new ImplicitALS({ factors: 6, iterations: 2, solver: 'cholesky' }).fit(data);
    for (const item of [0, 9, 39]) {
      const { other, values } = historyOf(data, 'item', item);
      expect(model.recalculateItem({ users: other, values })).toEqual(model.itemVector(item));
    }
    // With CG training the last sweep is approximate; the fold-in is the exact solution.
    const cg = await new ImplicitALS({ factors: 6, iterations: 2, solver: 'cg' }).fit(data);
    const s = stateOf(cg);
    const { other, values } = historyOf(data, 'item', 5);
    const expected = twinFoldIn(
      cg,
      s.userFactors,
      s.users.size,
      other.map((u) => s.users.index(u)!),
      values,
    );
    expect(maxAbsDiff(cg.recalculateItem({ users: other, values }), expected)).toBeLessThan(1e-5 * maxAbs(expected));
  });

  it('skips unknown ids, adds up repeated ones, and defaults values to 1', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 3 }).fit(checkerboard(2));
    const base = model.recalculateUser({ items: ['a1', 'a4', 'a7'] });
    expect(model.recalculateUser({ items: ['a1', 'new-item', 'a4', 'a7', 99] })).toEqual(base);
    expect(model.recalculateUser({ items: ['a7', 'a1', 'a4'], values: [1, 1, 1] })).toEqual(base);
    const summed = model.recalculateUser({ items: ['a1', 'a4', 'a1'], values: [2, 1, 3] });
    expect(summed).toEqual(model.recalculateUser({ items: ['a1', 'a4'], values: [5, 1] }));
    expect(summed).not.toEqual(model.recalculateUser({ items: ['a1', 'a4'] }));
    // Ids match by their string form, as everywhere in mfrec.
    const numeric = await new ImplicitALS({ factors: 3, iterations: 2 }).fit(randomData(20, 15, 0.3, 3));
    expect(numeric.recalculateUser({ items: ['3', '5'] })).toEqual(numeric.recalculateUser({ items: [3, 5] }));
  });

  it('scores a folded-in shopper within the right group', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 10 }).fit(checkerboard(3));
    const x = model.recalculateUser({ items: ['b2', 'b5'] });
    const score = (item: string) => model.itemVector(item)!.reduce((s, v, j) => s + v * x[j]!, 0);
    for (let i = 0; i < 10; i++) expect(score(`b${i}`)).toBeGreaterThan(score(`a${i}`));
  });

  it('returns the zero vector for an empty history or one with only unknown ids (cold start)', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 2 }).fit(checkerboard(4));
    expect(model.recalculateUser({ items: [] })).toEqual(new Float32Array(4));
    expect(model.recalculateUser({ items: ['nope', 'nada'], values: [3, 4] })).toEqual(new Float32Array(4));
    expect(model.recalculateItem({ users: [] })).toEqual(new Float32Array(4));
  });

  it('does not change the model', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 2 }).fit(checkerboard(5));
    const before = stateOf(model);
    const copy = before.userFactors.slice();
    model.recalculateUser({ items: ['a1', 'b1'] });
    model.recalculateItem({ users: ['u1', 'u2'] });
    expect(stateOf(model)).toBe(before);
    expect(before.userFactors).toEqual(copy);
    expect(model.userIds).toHaveLength(40);
  });

  it('rejects bad input with stable codes', async () => {
    const unfitted = new ImplicitALS({ factors: 2 });
    expect(await errorCode(() => unfitted.recalculateUser({ items: ['a1'] }))).toBe('ERR_MFREC_NOT_FITTED');
    expect(await errorCode(() => unfitted.recalculateItem({ users: ['u1'] }))).toBe('ERR_MFREC_NOT_FITTED');
    const model = await new ImplicitALS({ factors: 3, iterations: 2 }).fit(checkerboard(6));
    const cases: [unknown, string][] = [
      [undefined, 'ERR_MFREC_INVALID_ARGUMENT'],
      [null, 'ERR_MFREC_INVALID_ARGUMENT'],
      [['a1'], 'ERR_MFREC_INVALID_ARGUMENT'],
      [{}, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: 'a1' }, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: [{}] }, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: [Number.NaN] }, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: ['a1', 'a2'], values: [1] }, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: ['a1'], values: [Infinity] }, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: ['a1'], values: ['2'] }, 'ERR_MFREC_INVALID_ARGUMENT'],
      [{ items: ['a1'], value: [2] }, 'ERR_MFREC_UNKNOWN_OPTION'],
      [{ users: ['u1'] }, 'ERR_MFREC_UNKNOWN_OPTION'],
    ];
    for (const [input, code] of cases) expect([input, await errorCode(() => model.recalculateUser(input as never))]).toEqual([input, code]);
    expect(await errorCode(() => model.recalculateItem({ items: ['a1'] } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(() => model.recalculateUser({ items: ['a1'], values: [Number.NaN] })).toThrow(
      'Expected a finite number for values[0] but received NaN of type number',
    );
    expect(() => model.recalculateUser({ items: ['a1'], valeus: [1] } as never)).toThrow("Did you mean 'values'?");
  });

  it('reports a singular system as divergence (regularization 0, item factors that span nothing)', async () => {
    for (const backend of ['native', 'js'] as const) {
      const model = new ImplicitALS({ factors: 2, regularization: 0, backend });
      setState(model, {
        factors: 2,
        users: new IdMap(['u']),
        items: new IdMap(['x', 'y']),
        userFactors: new Float32Array(2),
        itemFactors: new Float32Array(4),
        seen: { rows: 1, cols: 2, indptr: Int32Array.of(0, 0), indices: new Int32Array(0), values: new Float32Array(0) },
        itemPopularity: new Float32Array(2),
      });
      expect(await errorCode(() => model.recalculateUser({ items: ['x'] }))).toBe('ERR_MFREC_DIVERGED');
    }
  });

  it('recomputes the cached YᵀY when the factors change', async () => {
    const model = new ImplicitALS({ factors: 4, iterations: 2 });
    await model.fit(checkerboard(7));
    const first = model.recalculateUser({ items: ['a1', 'a2'] });
    await model.fit(checkerboard(8)); // other data: other item factors
    const s = stateOf(model);
    const after = model.recalculateUser({ items: ['a1', 'a2'] });
    expect(after).not.toEqual(first);
    const expected = twinFoldIn(model, s.itemFactors, s.items.size, [s.items.index('a1')!, s.items.index('a2')!], [1, 1]);
    expect(maxAbsDiff(after, expected)).toBeLessThan(1e-5 * maxAbs(expected));
  });
});
