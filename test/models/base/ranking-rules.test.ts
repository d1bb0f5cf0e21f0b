import { describe, expect, it } from 'vitest';
import { EASE, ImplicitALS, Interactions, ItemKNN, type Recommendation } from '../../../lib/index.js';
import type { Recommender } from '../../../lib/models/base/recommender.js';
import { Rng } from '../../../lib/random.js';
import { randomInteractions } from '../../helpers/hand-made-model.js';
import { errorCode } from '../../helpers/support.js';

const data = randomInteractions(11, 80, 120, 0.12);
const ITEMS = 120;

async function models(): Promise<Array<[string, Recommender]>> {
  const als = await new ImplicitALS({ factors: 8, iterations: 3, threads: 1 }).fit(data);
  const knn = await new ItemKNN({ neighbours: 20, threads: 1 }).fit(data);
  const ease = await new EASE({ lambda: 5, threads: 1 }).fit(data);
  return [
    ['ALS', als],
    ['ItemKNN (sparse weights)', knn],
    ['EASE (dense weights)', ease],
  ];
}

/** Categories c0 .. c3 for every item, as metadata. */
function categorise(model: Recommender): void {
  model.setItemMetadata(Array.from({ length: ITEMS }, (_, i) => ({ item: `i${i}`, category: `c${i % 4}` })));
}

const ids = (list: Recommendation[]) => list.map((r) => r.item);

/** The same items in the same order, scores equal up to float rounding (a candidate list is scored by a gathered product, in another blocking). */
function expectSameRanking(got: Recommendation[], want: Recommendation[]): void {
  expect(ids(got)).toEqual(ids(want));
  got.forEach((r, j) => expect(r.score).toBeCloseTo(want[j]!.score, 5));
}
const allowed = Array.from({ length: ITEMS }, (_, i) => `i${i}`).filter((_, i) => i % 3 !== 0);

/** The greedy "best first, skip a full category" pass over a full ranking. */
function greedy(full: Recommendation[], cap: (item: string) => number, category: (item: string) => string, k: number): string[] {
  const used = new Map<string, number>();
  const out: string[] = [];
  for (const r of full) {
    const c = category(String(r.item));
    if ((used.get(c) ?? 0) >= cap(c)) continue;
    used.set(c, (used.get(c) ?? 0) + 1);
    out.push(String(r.item));
    if (out.length === k) break;
  }
  return out;
}

describe('compiled ranking rules on models', async () => {
  for (const [name, model] of await models()) {
    describe(name, () => {
      it('allowed items and exclusions give what candidates and exclude give, in every call', async () => {
        const rules = model.compileRules({ allowed, exclude: ['i1', 'i2', 'unknown'] });
        expect(rules.permitted).toBe(allowed.length - 2);
        const plain = { candidates: allowed, exclude: ['i1', 'i2'] };
        for (const user of ['u0', 'u5', 'u17']) {
          expectSameRanking(model.recommend(user, { k: 15, rules }), model.recommend(user, { k: 15, ...plain }));
        }
        const batch = await model.recommendBatch(['u0', 'u3', 'nobody'], { k: 7, rules });
        const listed = await model.recommendBatch(['u0', 'u3', 'nobody'], { k: 7, ...plain });
        expect(Array.from(batch.items)).toEqual(Array.from(listed.items));
        expectSameRanking(
          model.similarItems('i4', { k: 9, rules }),
          model.similarItems('i4', { k: 9, candidates: allowed.filter((i) => i !== 'i1' && i !== 'i2') }),
        );
        const sims = await model.similarItemsBatch(['i4', 'i7'], { k: 5, rules });
        const simsListed = await model.similarItemsBatch(['i4', 'i7'], { k: 5, candidates: allowed.filter((i) => i !== 'i1' && i !== 'i2') });
        expect(Array.from(sims.items)).toEqual(Array.from(simsListed.items));
      });

      it('recommendAll and a live history (recalculate) take the rules too', async () => {
        const rules = model.compileRules({ allowed });
        const all = model.recommendAll({ k: 6, rules, blockSize: 16 });
        const first = (await all.next()).value!;
        const listed = await model.recommendBatch(first.users, { k: 6, candidates: allowed });
        expect(Array.from(first.items)).toEqual(Array.from(listed.items));
        await all.return?.(undefined);
        if (!model.supportsRecalculate) return;
        const live = { recalculate: true, interactions: { items: ['i3', 'i7', 'i11'] } };
        expectSameRanking(model.recommend('shopper', { k: 8, rules, ...live }), model.recommend('shopper', { k: 8, candidates: allowed, ...live }));
      });

      it('a batch is as wide as what the rules permit, not k', async () => {
        const few = model.compileRules({ allowed: ['i1', 'i2', 'unknown'] });
        expect(few.permitted).toBe(2);
        expect((await model.recommendBatch(['u0', 'stranger'], { k: 10, rules: few })).items).toHaveLength(4);
        expect((await model.similarItemsBatch(['i3'], { k: 10, rules: few })).items).toHaveLength(2);
      });

      it('category caps keep at most N per category: the greedy pass over the full ranking, for known and cold users', () => {
        categorise(model);
        const caps = { default: 2, byCategory: { c1: 1 } };
        const rules = model.compileRules({ categoryCaps: caps });
        const cap = (c: string) => (c === 'c1' ? 1 : 2);
        const category = (item: string) => `c${Number(item.slice(1)) % 4}`;
        for (const user of ['u0', 'u9', 'stranger']) {
          const got = ids(model.recommend(user, { k: 7, rules }));
          const full = model.recommend(user, { k: ITEMS });
          // 4 categories capped at 2 + 1 + 2 + 2: 7 results exactly.
          expect(got).toEqual(greedy(full, cap, category, 7));
          expect(got).toHaveLength(7);
        }
      });

      it('diversity with lambda 1 ranks by score; a smaller lambda changes the list', () => {
        const same = model.compileRules({ diversity: { lambda: 1 } });
        const diverse = model.compileRules({ diversity: { lambda: 0, pool: 40 } });
        expect(model.recommend('u2', { k: 10, rules: same })).toEqual(model.recommend('u2', { k: 10 }));
        const mixed = ids(model.recommend('u2', { k: 10, rules: diverse }));
        expect(mixed).toHaveLength(10);
        expect(new Set(mixed).size).toBe(10);
        expect(mixed).not.toEqual(ids(model.recommend('u2', { k: 10 })));
      });

      it('rules from another model, or from before the items changed, are refused with a typed error', async () => {
        const other = await new ImplicitALS({ factors: 4, iterations: 1, threads: 1 }).fit(randomInteractions(3, 20, 30, 0.3));
        const foreign = other.compileRules({ allowed: ['i1'] });
        expect(await errorCode(() => model.recommend('u0', { rules: foreign }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await errorCode(() => model.similarItems('i0', { rules: foreign }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await errorCode(() => model.recommend('u0', { rules: { allowed: ['i1'] } as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        const before = other.compileRules({ exclude: ['i2'] });
        await other.forgetItem('i3');
        expect(() => other.recommend('u0', { rules: before })).toThrow(/compiled for another catalogue \(30 items; this model has 29\)/);
      });
    });
  }

  it('rules stay valid while the catalogue stays: after partialFitUsers, not after partialFitItems', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 2, threads: 1 }).fit(data);
    const rules = model.compileRules({ allowed: ['i1', 'i2', 'i3'] });
    await model.partialFitUsers(Interactions.fromArrays(['u1', 'newcomer'], ['i5', 'i6']));
    expect(ids(model.recommend('newcomer', { rules })).every((i) => ['i1', 'i2', 'i3'].includes(String(i)))).toBe(true);
    await model.partialFitItems(Interactions.fromArrays(['u1'], ['i5']));
    expect(await errorCode(() => model.recommend('u1', { rules }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('a bad rules specification is a typed error naming the field', async () => {
    const [[, model]] = await models();
    expect(() => model!.compileRules({ diversity: { lambda: 2 } })).toThrow(/diversity\.lambda/);
    expect(() => model!.compileRules({ categoryCaps: { byCategory: { a: -1 } } })).toThrow(/categoryCaps\.byCategory\["a"\]/);
    expect(await errorCode(() => model!.compileRules({ allowed: 'i1' as never }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(() => model!.compileRules({ stock: [] } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
  });

  it('permit masks over random subsets match candidate lists (random property)', async () => {
    const [[, model]] = await models();
    const rng = new Rng(5);
    for (let round = 0; round < 30; round++) {
      const share = rng.uniform();
      const subset = Array.from({ length: ITEMS }, (_, i) => `i${i}`).filter(() => rng.uniform() < share);
      const rules = model!.compileRules({ allowed: subset });
      const user = `u${rng.below(80)}`;
      const k = 1 + rng.below(20);
      expectSameRanking(model!.recommend(user, { k, rules }), model!.recommend(user, { k, candidates: subset }));
    }
  });
});
