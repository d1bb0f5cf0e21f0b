/**
 * The conformance suite every trainable factor model passes: known answers on
 * a checkerboard, the recommendation filters, batch calls, persistence, the
 * fit contract (abort, busy, reproducibility) and the error codes of bad
 * arguments. A model joins with one call to describeFactorModelConformance,
 * declaring what it is (its capabilities) rather than skipping tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import type { RawId } from '../../lib/data/id-map.js';
import { FactorModel, Recommender, type ModelType, type Recommendation } from '../../lib/models/base/factor-model.js';
import type { FitControl, IterationReport } from '../../lib/models/base/training.js';
import { loadModel } from '../../lib/persist/load-model.js';
import { describeExplain } from './explain-conformance.js';
import { describeLiveUpdates } from './live-conformance.js';

/** A factor model that can be trained (every model class; the shared base leaves fit() to each). */
export type TrainableFactorModel = FactorModel & {
  fit(data: Interactions, control?: FitControl): Promise<unknown>;
};

export interface ConformanceCapabilities {
  /**
   * The data the model learns from: 'implicit' (every value 1, only in-group
   * pairs) or 'ratings' (1–5 stars: in-group items rated 4–5, a few
   * out-of-group items rated 1, so that "not liked" is observed).
   */
  dataKind: 'implicit' | 'ratings';
  /** The model's `type`, as written to model files. */
  type: ModelType;
  /** The model folds users in: recommend(user, { recalculate: true, interactions }) works. */
  recalculate: boolean;
  /** The model implements partialFitUsers / partialFitItems. */
  partialFit: boolean;
  /**
   * The model has user and item vectors (a FactorModel: userVector,
   * itemVector, similarUsers, factors); item-to-item models score through
   * item-to-item weights and have none of those reads.
   */
  vectors: boolean;
  /** partialFitItems works (with `partialFit`); item-to-item models refuse it: a new item's weights need a new fit. */
  partialFitItems: boolean;
  /** explain() splits scores over the user's history (BPR's sampled training has no such split). */
  explain: boolean;
}

/**
 * Creates a model ready to fit the checkerboard well (enough iterations to
 * separate the groups, and at least 2 so a fit can be aborted after the first).
 */
export type CreateModel = (opts: { threads: number; seed: number }) => TrainableFactorModel;

const GROUP_USERS = 12;
const GROUP_ITEMS = 8;
const GROUPS = ['a', 'b'] as const;

/** Group of a checkerboard user ('u0'..'u11' → 'a', 'u12'..'u23' → 'b') or item ('a3' → 'a'). */
export function groupOf(id: RawId): string {
  const s = String(id);
  if (s.startsWith('u')) return GROUPS[Number(s.slice(1)) < GROUP_USERS ? 0 : 1];
  return s[0]!;
}

/** The two in-group items user `u` has not interacted with ('shift' moves them, for a second data set). */
function missing(u: number, shift: number): number[] {
  return [(u + shift) % GROUP_ITEMS, (u + shift + 3) % GROUP_ITEMS];
}

/**
 * Two groups of 12 users; users of group g interact with 6 of the 8 items of
 * group g (each user misses two, in a rotating pattern). Under 'ratings' they
 * rate them 4 or 5 and also rate two items of the other group 1.
 */
export function checkerboard(kind: ConformanceCapabilities['dataKind'], shift = 0): Interactions {
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  for (let u = 0; u < 2 * GROUP_USERS; u++) {
    const g = u < GROUP_USERS ? 0 : 1;
    const skip = missing(u, shift);
    for (let i = 0; i < GROUP_ITEMS; i++) {
      if (skip.includes(i)) continue;
      users.push(`u${u}`);
      items.push(`${GROUPS[g]}${i}`);
      values.push(kind === 'ratings' ? 4 + ((u + i) % 2) : 1);
    }
    if (kind === 'ratings') {
      for (const i of [u % GROUP_ITEMS, (u + 5) % GROUP_ITEMS]) {
        users.push(`u${u}`);
        items.push(`${GROUPS[1 - g]}${i}`);
        values.push(1);
      }
    }
  }
  return Interactions.fromArrays(users, items, { values });
}

/** The error code of a call that throws or rejects; undefined when it succeeds. */
export async function codeOf(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

function seenItems(data: Interactions, user: RawId): Set<string> {
  const u = data.users.index(user)!;
  const row = data.byUser.indices.subarray(data.byUser.indptr[u]!, data.byUser.indptr[u + 1]!);
  return new Set(Array.from(row, (i) => String(data.items.id(i))));
}

/** What the model learned, to compare fits: its vectors, or (a model without vectors) every user's scores. */
function learned(model: FactorModel, vectors: boolean): Array<Float32Array | undefined> {
  if (!vectors) return model.userIds.map((u) => model.scoreItems(u));
  return [...model.userIds.map((u) => model.userVector(u)!), ...model.itemIds.map((i) => model.itemVector(i)!)];
}

/**
 * The same items in the same order with the same scores up to float
 * rounding: a batch scores blocks of rows with one matrix product, a single
 * call one row, and BLAS may sum the products in a different order.
 */
function expectSameRanking(got: Recommendation[], want: Recommendation[], label: string): void {
  expect(
    got.map((r) => r.item),
    label,
  ).toEqual(want.map((r) => r.item));
  got.forEach((r, j) => expect(Math.abs(r.score - want[j]!.score), label).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[j]!.score))));
}

/** Every user's recommendations (a fingerprint of the model's state). */
function everyRecommendation(model: FactorModel): unknown[] {
  return model.userIds.map((u) => model.recommend(u, { k: 5 }));
}

export function describeFactorModelConformance(name: string, create: CreateModel, capabilities: ConformanceCapabilities): void {
  const { dataKind } = capabilities;

  describe(`${name} conformance`, () => {
    const data = checkerboard(dataKind);
    const other = checkerboard(dataKind, 1);
    const nItems = data.nItems;
    let model: TrainableFactorModel;

    beforeAll(async () => {
      model = create({ threads: 1, seed: 1 });
      await model.fit(data);
    });

    describe('known answers on a checkerboard', () => {
      it('recommends exactly the unseen in-group items first, for every user', () => {
        for (let u = 0; u < 2 * GROUP_USERS; u++) {
          const user = `u${u}`;
          const want = missing(u, 0).map((i) => `${groupOf(user)}${i}`);
          const got = model.recommend(user, { k: 2 }).map((r) => String(r.item));
          expect(got.sort(), user).toEqual(want.sort());
        }
      });

      it('without the seen filter, the whole group ranks above every other item', () => {
        for (const user of ['u0', 'u5', 'u13', 'u23']) {
          const got = model.recommend(user, { k: GROUP_ITEMS, filterSeen: false });
          expect(
            got.map((r) => groupOf(r.item)),
            user,
          ).toEqual(new Array(GROUP_ITEMS).fill(groupOf(user)));
        }
      });

      it('similar items and similar users stay in the group', () => {
        for (const item of model.itemIds) {
          for (const r of model.similarItems(item, { k: 3 })) expect(groupOf(r.item), String(item)).toBe(groupOf(item));
        }
        if (!capabilities.vectors) return; // no similarUsers: see 'a model without vectors'
        for (const user of ['u0', 'u7', 'u12', 'u20']) {
          for (const r of model.similarUsers(user, { k: 3 })) expect(groupOf(r.user), user).toBe(groupOf(user));
        }
      });
    });

    describe('filters', () => {
      it('filterSeen (default true) removes every training item; false keeps them', () => {
        for (const user of ['u1', 'u14']) {
          const seen = seenItems(data, user);
          const filtered = model.recommend(user, { k: nItems });
          expect(filtered).toHaveLength(nItems - seen.size);
          for (const r of filtered) expect(seen.has(String(r.item))).toBe(false);
          const all = model.recommend(user, { k: nItems, filterSeen: false });
          expect(all).toHaveLength(nItems);
          expect(all.filter((r) => seen.has(String(r.item)))).toHaveLength(seen.size);
          // Filtering removes items from the ranking without reordering the rest.
          expect(all.filter((r) => !seen.has(String(r.item)))).toEqual(filtered);
        }
      });

      it('exclude removes the given items (unknown ids ignored)', () => {
        const top = model.recommend('u2', { k: 3, filterSeen: false }).map((r) => r.item);
        const got = model.recommend('u2', { k: 3, filterSeen: false, exclude: [top[0]!, 'no-such-item'] }).map((r) => r.item);
        expect(got).not.toContain(top[0]);
        expect(got.slice(0, 2)).toEqual(top.slice(1));
        const everything = model.recommend('u2', { k: nItems, filterSeen: false, exclude: model.itemIds });
        expect(everything).toEqual([]);
      });

      it('candidates ranks exactly the given subset; unknown and repeated ids are skipped', () => {
        const subset = ['a1', 'b2', 'a6', 'b7', 'a0'];
        const got = model.recommend('u3', { k: 100, filterSeen: false, candidates: [...subset, 'nope', 'a1'] });
        expect(got.map((r) => String(r.item)).sort()).toEqual([...subset].sort());
        const full = model.recommend('u3', { k: nItems, filterSeen: false });
        expect(got).toEqual(full.filter((r) => subset.includes(String(r.item))));
        const seen = seenItems(data, 'u3');
        const unseen = model.recommend('u3', { k: 100, candidates: subset });
        expect(unseen.map((r) => String(r.item)).sort()).toEqual(subset.filter((i) => !seen.has(i)).sort());
        expect(model.recommend('u3', { candidates: ['nope'] })).toEqual([]);
      });

      it('k larger than the catalogue returns every item that qualifies, best first', async () => {
        const got = model.recommend('u4', { k: 10 * nItems, filterSeen: false });
        expect(got).toHaveLength(nItems);
        for (let j = 1; j < got.length; j++) expect(got[j]!.score).toBeLessThanOrEqual(got[j - 1]!.score);
        const batch = await model.recommendBatch(['u4'], { k: 10 * nItems, filterSeen: false });
        expect(batch.k).toBe(nItems);
        expectSameRanking(batch.row(0), got, 'u4');
      });
    });

    describe('batch calls equal single calls', () => {
      it('recommendBatch rows equal recommend for each user (repeats and cold users included)', async () => {
        const users = ['u9', 'u0', 'stranger', 'u9', 'u22'];
        for (const options of [
          { k: 4, exclude: ['a0', 'b1'] },
          { k: 6, filterSeen: false, candidates: ['a2', 'a3', 'b4', 'b5', 'b6'] },
        ]) {
          const batch = await model.recommendBatch(users, { ...options, threads: 2 });
          expect(batch.users).toEqual(users);
          expect(Array.from(batch.coldStart)).toEqual([0, 0, 1, 0, 0]);
          users.forEach((user, r) => expectSameRanking(batch.row(r), model.recommend(user, options), user));
        }
      });

      it('recommendAll yields every user exactly once, rows equal to recommend', async () => {
        const users: RawId[] = [];
        for await (const block of model.recommendAll({ k: 3, blockSize: 5 })) {
          expect(block.length).toBeLessThanOrEqual(5);
          for (let r = 0; r < block.length; r++) {
            users.push(block.users[r]!);
            expectSameRanking(block.row(r), model.recommend(block.users[r]!, { k: 3 }), String(block.users[r]));
          }
        }
        expect(users).toEqual(model.userIds);
      });

      it('similarItemsBatch rows equal similarItems for each item', async () => {
        const items = ['a0', 'b3', 'a0', 'b7'];
        for (const options of [{ k: 4 }, { k: 10, candidates: ['a0', 'a1', 'a2', 'b3', 'b4'] }]) {
          const batch = await model.similarItemsBatch(items, options);
          expect(batch.queries).toEqual(items);
          items.forEach((item, r) => expectSameRanking(batch.row(r), model.similarItems(item, options), item));
        }
      });
    });

    describe('persistence', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-conformance-'));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));

      it('save then loadModel gives the same type, params, ids and answers', async () => {
        const file = path.join(dir, 'model.mfrec');
        await model.save(file);
        const back = await loadModel(file);
        expect(back.type).toBe(capabilities.type);
        expect(back.constructor).toBe(model.constructor);
        expect(back.params).toEqual(model.params);
        expect(JSON.parse(JSON.stringify(back.params))).toEqual(model.params);
        expect(back.userIds).toEqual(model.userIds);
        expect(back.itemIds).toEqual(model.itemIds);
        expect(learned(back, capabilities.vectors)).toEqual(learned(model, capabilities.vectors));
        expect(everyRecommendation(back)).toEqual(everyRecommendation(model));
        expect(back.recommend('stranger', { k: 4 })).toEqual(model.recommend('stranger', { k: 4 }));
        expect(back.similarItems('b2', { k: 4 })).toEqual(model.similarItems('b2', { k: 4 }));
      });
    });

    describe('the fit contract', () => {
      it('an abort during fit rejects with ERR_MFREC_ABORTED and keeps the previous state', async () => {
        const m = create({ threads: 1, seed: 2 });
        await m.fit(data);
        const before = everyRecommendation(m);
        const controller = new AbortController();
        const reports: IterationReport[] = [];
        const fit = m.fit(other, {
          signal: controller.signal,
          onIteration: (r) => {
            reports.push(r);
            if (r.iteration === 1) controller.abort();
          },
        });
        expect(await codeOf(() => fit)).toBe('ERR_MFREC_ABORTED');
        expect(reports.map((r) => r.iteration)).toEqual([1]);
        expect(m.isTraining).toBe(false);
        expect(everyRecommendation(m)).toEqual(before);

        // Aborted right after the call: while the first iteration runs.
        const late = new AbortController();
        const running = m.fit(other, { signal: late.signal });
        late.abort();
        expect(await codeOf(() => running)).toBe('ERR_MFREC_ABORTED');
        expect(everyRecommendation(m)).toEqual(before);

        // Aborted before the call.
        expect(await codeOf(() => m.fit(other, { signal: AbortSignal.abort() }))).toBe('ERR_MFREC_ABORTED');
        expect(everyRecommendation(m)).toEqual(before);
      });

      it('an exception thrown by onIteration ends the fit with it and keeps the previous state', async () => {
        const m = create({ threads: 1, seed: 5 });
        await m.fit(data);
        const before = everyRecommendation(m);
        const stop = new Error('stop');
        await expect(
          m.fit(other, {
            onIteration: () => {
              throw stop;
            },
          }),
        ).rejects.toBe(stop);
        expect(m.isTraining).toBe(false);
        expect(everyRecommendation(m)).toEqual(before);
      });

      it('a signal aborted before the start rejects without training', async () => {
        const fresh = create({ threads: 1, seed: 3 });
        const reports: IterationReport[] = [];
        expect(await codeOf(() => fresh.fit(data, { signal: AbortSignal.abort(), onIteration: (r) => reports.push(r) }))).toBe('ERR_MFREC_ABORTED');
        expect(reports).toEqual([]);
        expect(fresh.isFitted).toBe(false);
      });

      it('a second fit while one runs is refused with ERR_MFREC_BUSY; reads keep answering from the previous state', async () => {
        const m = create({ threads: 1, seed: 4 });
        await m.fit(data);
        const before = everyRecommendation(m);
        const u12 = m.recommend('u12', { k: 5 });
        const first = m.fit(other);
        expect(m.isTraining).toBe(true);
        expect(await codeOf(() => m.fit(data))).toBe('ERR_MFREC_BUSY');
        expect(everyRecommendation(m)).toEqual(before);
        // A batch ranks with the state of its call, even if the fit finishes while it runs.
        const batch = m.recommendBatch(['u0', 'u12'], { k: 5 });
        expectSameRanking((await batch).row(1), u12, 'u12');
        await first;
        expect(m.isTraining).toBe(false);
        // The finished fit installed the new data: its seen items are filtered now.
        const seen = seenItems(other, 'u0');
        for (const r of m.recommend('u0', { k: nItems })) expect(seen.has(String(r.item))).toBe(false);
      });

      it('one thread and the same seed give bit-identical factors; another seed does not (models with vectors)', async () => {
        const a = create({ threads: 1, seed: 7 });
        const b = create({ threads: 1, seed: 7 });
        await a.fit(data);
        await b.fit(data);
        expect(learned(a, capabilities.vectors)).toEqual(learned(b, capabilities.vectors));
        if (!capabilities.vectors) return; // item-to-item weights have no seed: the same data always gives the same model
        const c = create({ threads: 1, seed: 8 });
        await c.fit(data);
        expect(learned(c, true)).not.toEqual(learned(a, true));
      });
    });

    describe('cold start', () => {
      it('an unknown user gets the most popular items by default; coldStart error → ERR_MFREC_UNKNOWN_ID', async () => {
        const users = new Map<string, number>();
        for (const item of model.itemIds) users.set(String(item), 0);
        for (let k = 0; k < data.nnz; k++) {
          const item = String(data.items.id(data.byUser.indices[k]!));
          users.set(item, users.get(item)! + 1);
        }
        const byPopularity = model.itemIds
          .map((item, index) => ({ item, index, count: users.get(String(item))! }))
          .sort((x, y) => y.count - x.count || x.index - y.index);
        const got = model.recommend('stranger', { k: 5 });
        const trained = model.userIds.filter((u) => model.hasUser(u)).length;
        expect(got).toEqual(byPopularity.slice(0, 5).map(({ item, count }) => ({ item, score: Math.fround(count / trained), source: 'cold-start' })));
        expect(await codeOf(() => model.recommend('stranger', { coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
        expect(await codeOf(() => model.recommendBatch(['u0', 'stranger'], { coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
        expect(model.recommend('u0', { coldStart: 'error', k: 2 })).toHaveLength(2);
        expect(await codeOf(() => model.similarItems('no-such-item'))).toBe('ERR_MFREC_UNKNOWN_ID');
        expect(await codeOf(() => model.similarItemsBatch(['a0', 'no-such-item']))).toBe('ERR_MFREC_UNKNOWN_ID');
        if (capabilities.vectors) expect(await codeOf(() => model.similarUsers('stranger'))).toBe('ERR_MFREC_UNKNOWN_ID');
      });
    });

    if (!capabilities.vectors) {
      describe('a model without vectors', () => {
        it('is a Recommender without the reads of vectors (userVector, itemVector, similarUsers, factors belong to FactorModel)', () => {
          expect(model).toBeInstanceOf(Recommender);
          expect(model).not.toBeInstanceOf(FactorModel);
          for (const read of ['userVector', 'itemVector', 'similarUsers', 'factors']) expect(read in model, read).toBe(false);
        });
      });
    }

    describeLiveUpdates({ create, capabilities, data, model: () => model, groupOf, codeOf });
    describeExplain({ create, capabilities, data, model: () => model, codeOf });

    describe('bad arguments', () => {
      const badRecommendOptions: Array<[string, unknown]> = [
        ['k = 0', { k: 0 }],
        ['k = -1', { k: -1 }],
        ['k fractional', { k: 2.5 }],
        ['k NaN', { k: NaN }],
        ['k as a string', { k: '3' }],
        ['filterSeen as a string', { filterSeen: 'yes' }],
        ['filterSeen as a number', { filterSeen: 1 }],
        ['exclude as a string', { exclude: 'a1' }],
        ['exclude holding an object', { exclude: [{}] }],
        ['candidates as an object', { candidates: {} }],
        ['candidates holding NaN', { candidates: [NaN] }],
        ['coldStart unknown', { coldStart: 'random' }],
        ['coldStart as a boolean', { coldStart: true }],
        ['threads negative', { threads: -1 }],
        ['threads fractional', { threads: 1.5 }],
        ['threads as a string', { threads: '2' }],
        ['options a number', 5],
        ['options null', null],
        ['options an array', []],
      ];

      it.each(badRecommendOptions)('recommend, recommendBatch and recommendAll: %s → ERR_MFREC_INVALID_ARGUMENT', async (_what, options) => {
        expect(await codeOf(() => model.recommend('u0', options as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.recommendBatch(['u0'], options as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.recommendAll(options as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      });

      it('unknown options → ERR_MFREC_UNKNOWN_OPTION with a hint', async () => {
        expect(() => model.recommend('u0', { filterseen: false } as never)).toThrow(/Did you mean 'filterSeen'\?/);
        expect(await codeOf(() => model.recommend('u0', { filterseen: false } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
        await expect(model.recommendBatch(['u0'], { canditates: [] } as never)).rejects.toThrow(/Did you mean 'candidates'\?/);
        expect(() => model.recommendAll({ blocksize: 4 } as never)).toThrow(/Did you mean 'blockSize'\?/);
        // signal belongs to the asynchronous calls only.
        expect(await codeOf(() => model.recommend('u0', { signal: AbortSignal.abort() } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
        expect(await codeOf(() => model.similarItems('a0', { filterSeen: true } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
        if (capabilities.vectors) expect(await codeOf(() => model.similarUsers('u0', { candidates: [] } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
      });

      it('bad ids, signals and similar-items options → ERR_MFREC_INVALID_ARGUMENT', async () => {
        expect(await codeOf(() => model.recommend({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.recommendBatch('u0' as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.recommendBatch(['u0', null] as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.recommendBatch(['u0'], { signal: {} } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.recommendAll({ blockSize: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.similarItems('a0', { k: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.similarItems(Infinity))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.similarItemsBatch('a0' as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.similarItemsBatch(['a0'], { k: 1.5 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => model.similarItemsBatch(['a0'], { threads: -2 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        if (capabilities.vectors) expect(await codeOf(() => model.similarUsers('u0', { k: '2' } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      });

      it.each([
        ['an empty object', {}],
        ['null', null],
        ['an array', [['u0', 'a0']]],
        ['a string', 'ratings.csv'],
        ['a by-user matrix', checkerboard(dataKind).byUser],
      ])('fit with %s as data → ERR_MFREC_INVALID_ARGUMENT', async (_what, bad) => {
        const m = create({ threads: 1, seed: 1 });
        expect(await codeOf(() => m.fit(bad as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(m.isFitted).toBe(false);
      });

      it('fit with empty data or a bad control object', async () => {
        const m = create({ threads: 1, seed: 1 });
        expect(await codeOf(() => m.fit(Interactions.fromArrays([], [])))).toBe('ERR_MFREC_EMPTY_DATA');
        expect(await codeOf(() => m.fit(data, { onIteration: 5 } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => m.fit(data, { signal: {} } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(await codeOf(() => m.fit(data, { onIteraton: () => {} } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
        expect(m.isFitted).toBe(false);
      });

      it('every read of an untrained model → ERR_MFREC_NOT_FITTED', async () => {
        const m = create({ threads: 1, seed: 1 });
        const reads: Array<[string, () => unknown]> = [
          ['recommend', () => m.recommend('u0')],
          ['recommendBatch', () => m.recommendBatch(['u0'])],
          ['recommendAll', () => m.recommendAll()],
          ['similarItems', () => m.similarItems('a0')],
          ['similarItemsBatch', () => m.similarItemsBatch(['a0'])],
          ['save', () => m.save(path.join(tmpdir(), 'never-written.mfrec'))],
          ['userIds', () => m.userIds],
          ['itemIds', () => m.itemIds],
          ['scoreItems', () => m.scoreItems('u0')],
        ];
        if (capabilities.vectors) {
          reads.push(['similarUsers', () => m.similarUsers('u0')], ['factors', () => m.factors], ['userVector', () => m.userVector('u0')]);
        }
        for (const [what, read] of reads) expect(await codeOf(read), what).toBe('ERR_MFREC_NOT_FITTED');
      });
    });
  });
}
