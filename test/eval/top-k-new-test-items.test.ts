import { describe, expect, it } from 'vitest';
import { IdMap, ImplicitALS, Interactions, evaluateLists, evaluateRanking, evaluateTopK } from '../../lib/index.js';
import { checkerboard } from '../helpers/implicit-data.js';

/** The (user, item) pairs of the checkerboard, as raw ids. */
function pairs(): [string, string][] {
  const data = checkerboard(1);
  const out: [string, string][] = [];
  const r = data.byUser;
  for (let u = 0; u < r.rows; u++)
    for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) out.push([String(data.users.id(u)), String(data.items.id(r.indices[e]!))]);
  return out;
}

describe('evaluateTopK with test items added to the shared map after train was built', () => {
  it('counts them as train items would be counted', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 5, seed: 1 }).fit(checkerboard(1));
    const all = pairs();
    const bought = new Set(all.map(([u, i]) => `${u}/${i}`));
    const trainPairs = all.filter(([, i]) => i !== 'a9');
    // "a" shoppers who have not bought a9: their held-out purchase is a9, an item train does not hold.
    const held = Array.from({ length: 20 }, (_, u) => `u${u}`).filter((u) => !bought.has(`${u}/a9`));
    expect(held.length).toBeGreaterThan(0);

    const evaluate = (users: IdMap, items: IdMap) => {
      const train = Interactions.fromArrays(
        trainPairs.map((p) => p[0]),
        trainPairs.map((p) => p[1]),
        { users, items },
      );
      const test = Interactions.fromArrays(
        held,
        held.map(() => 'a9'),
        { users, items },
      );
      return evaluateTopK(model, train, test, { k: 10, threads: 1 });
    };
    const late = await evaluate(new IdMap(), new IdMap());
    const known = await evaluate(new IdMap(), new IdMap(['a9']));
    expect(late.precision).toBeGreaterThan(0);
    expect(late).toEqual({ ...known, coverage: late.coverage });
  });
});

describe('the index-based evaluators with test items added to the shared map after train was built', () => {
  it('refuse them with a typed error rather than never counting them', () => {
    const users = new IdMap();
    const items = new IdMap();
    const train = Interactions.fromArrays(['u1', 'u2'], ['i1', 'i2'], { users, items });
    const test = Interactions.fromArrays(['u1', 'u2'], ['i2', 'i3'], { users, items });
    const expected = expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT', message: expect.stringContaining("test holds items past train's 2 (3)") });
    expect(() => evaluateRanking(() => undefined, train, test)).toThrow(expected);
    expect(() => evaluateLists(() => [0, 1], train, test, { k: 2 })).toThrow(expected);
  });
});
