import { describe, expect, it } from 'vitest';
import { Interactions } from '../../../lib/data/interactions.js';
import { Popularity } from '../../../lib/models/popularity/popularity.js';

// Distinct users per item: a 4, b 3, c 2 (u1 and u4, each twice), d 2, e 1.
const data = Interactions.fromArrays(
  ['u1', 'u2', 'u3', 'u4', 'u1', 'u2', 'u3', 'u1', 'u1', 'u2', 'u3', 'u4', 'u4', 'u4'],
  ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd', 'd', 'e', 'c', 'c'],
);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('Popularity', () => {
  const model = new Popularity().fit(data);

  it('counts distinct users per item (repeat interactions count once)', () => {
    expect(['a', 'b', 'c', 'd', 'e', 'zzz'].map((i) => model.popularity(i))).toEqual([4, 3, 2, 2, 1, 0]);
  });

  it('ranks by popularity, ties to the lower index, scores are counts', () => {
    expect(model.recommend('stranger', { k: 3 })).toEqual([
      { item: 'a', score: 4, source: 'model' },
      { item: 'b', score: 3, source: 'model' },
      { item: 'c', score: 2, source: 'model' },
    ]);
    // c and d tie at 2: c has the lower index.
    expect(model.recommend('stranger', { k: 4 })[3]).toEqual({ item: 'd', score: 2, source: 'model' });
  });

  it('filters the seen items of a known user unless filterSeen is false', () => {
    expect(model.recommend('u2').map((r) => r.item)).toEqual(['c', 'e']);
    expect(model.recommend('u2', { filterSeen: false, k: 2 }).map((r) => r.item)).toEqual(['a', 'b']);
  });

  it('exclude and candidates (unknown ids skipped), k beyond the catalogue', () => {
    expect(model.recommend('x', { exclude: ['a', 'nope'] }).map((r) => r.item)).toEqual(['b', 'c', 'd', 'e']);
    expect(model.recommend('x', { candidates: ['e', 'd', 'nope'] }).map((r) => r.item)).toEqual(['d', 'e']);
    expect(model.recommend('u4', { candidates: ['e', 'd', 'b'] }).map((r) => r.item)).toEqual(['b', 'd']);
    expect(model.recommend('x', { k: 99 })).toHaveLength(5);
  });

  it('recommendBatch equals single calls', async () => {
    const users = ['u1', 'x', 'u4'];
    const batch = await model.recommendBatch(users, { k: 2 });
    expect(batch.k).toBe(2);
    users.forEach((u, r) => expect(batch.row(r)).toEqual(model.recommend(u, { k: 2 })));
  });

  it('bad input', () => {
    expect(codeOf(() => new Popularity().recommend('u1'))).toBe('ERR_MFREC_NOT_FITTED');
    expect(codeOf(() => new Popularity().fit({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => new Popularity().fit(Interactions.fromArrays([], [])))).toBe('ERR_MFREC_EMPTY_DATA');
    expect(codeOf(() => model.recommend('u1', { k: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => model.recommend('u1', { coldStart: 'error' } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(codeOf(() => model.recommend(null as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});
