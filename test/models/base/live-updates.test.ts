/**
 * Live updates beyond the conformance suite: what each model stores in a
 * partial fit (ExplicitMF biases, BPR fold-ins), the recalculate path of a
 * model type without fold-in, and forgetting on hand-made states.
 */
import { describe, expect, it } from 'vitest';
import { BPR, ExplicitMF, ImplicitALS, Interactions } from '../../../lib/index.js';
import { Rng } from '../../../lib/random.js';
import { HandMadeModel, randomInteractions, randomState } from '../../helpers/hand-made-model.js';
import { errorCode, stateOf } from '../../helpers/support.js';

/** Ratings of 30 users on 20 items: users like items of their own parity (5) and not the others (1), about half the pairs. */
function ratings(seed: number): Interactions {
  const rng = new Rng(seed);
  const u: string[] = [];
  const i: string[] = [];
  const v: number[] = [];
  for (let a = 0; a < 30; a++) {
    for (let b = 0; b < 20; b++) {
      if (rng.uniform() < 0.5) {
        u.push(`u${a}`);
        i.push(`i${b}`);
        v.push(a % 2 === b % 2 ? 5 : 1);
      }
    }
  }
  return Interactions.fromArrays(u, i, { values: v });
}

describe('ExplicitMF partial fits', () => {
  const options = { factors: 4, iterations: 40, threads: 1, learningRate: 0.03, clamp: false } as const;

  it('stores exactly what recalculateUser gives: factors and bias; other rows and μ unchanged', async () => {
    const model = await new ExplicitMF(options).fit(ratings(1));
    const before = stateOf(model);
    const newbie = { items: ['i0', 'i2', 'i4', 'i1'], values: [5, 5, 4, 1] };
    const changed = { items: ['i1', 'i3', 'i5'], values: [5, 5, 5] }; // u0 (even) turns to odd items
    const foldedNew = model.recalculateUser(newbie);
    const foldedU0 = model.recalculateUser(changed);
    await model.partialFitUsers(
      Interactions.fromArrays([...newbie.items.map(() => 'newbie'), ...changed.items.map(() => 'u0')], [...newbie.items, ...changed.items], {
        values: [...newbie.values, ...changed.values],
      }),
    );
    const after = stateOf(model);
    expect(model.userIds).toEqual([...before.users.toArray(), 'newbie']);
    expect(model.userVector('newbie')).toEqual(foldedNew.factors);
    expect(model.userVector('u0')).toEqual(foldedU0.factors);
    for (const item of ['i6', 'i7']) {
      expect(model.predict('newbie', item)).toBe(model.predictFor(foldedNew, item));
      expect(model.predict('u0', item)).toBe(model.predictFor(foldedU0, item));
    }
    const u0 = before.users.index('u0')!;
    const bias = Array.from(after.userBias!);
    expect(bias[u0]).toBe(Math.fround(foldedU0.bias));
    expect(bias.at(-1)).toBe(Math.fround(foldedNew.bias));
    bias.splice(u0, 1, before.userBias![u0]!);
    expect(bias.slice(0, -1)).toEqual(Array.from(before.userBias!));
    expect(after.globalBias).toBe(before.globalBias);
    expect(after.itemBias).toEqual(before.itemBias);
    expect(after.itemFactors).toEqual(before.itemFactors);
    // u0's record is now the given history: only those items are filtered.
    const recommended = model.recommend('u0', { k: 100 }).map((r) => r.item);
    expect(recommended).toHaveLength(20 - 3);
    expect(recommended.slice(0, 3).every((item) => Number(String(item).slice(1)) % 2 === 1)).toBe(true);
  });

  it('partialFitItems stores what recalculateItem gives, bias included', async () => {
    const model = await new ExplicitMF(options).fit(ratings(2));
    const fans = { users: ['u0', 'u2', 'u4', 'u1'], values: [5, 5, 5, 1] };
    const folded = model.recalculateItem(fans);
    await model.partialFitItems(
      Interactions.fromArrays(
        fans.users,
        fans.users.map(() => 'fresh'),
        { values: fans.values },
      ),
    );
    expect(model.itemVector('fresh')).toEqual(folded.factors);
    expect(stateOf(model).itemBias!.at(-1)).toBe(Math.fround(folded.bias));
    expect(model.predict('u6', 'fresh')).toBe(model.predictFor('u6', folded));
    expect(model.predict('u6', 'fresh')).toBeGreaterThan(model.predict('u7', 'fresh'));
  });

  it('recommend with recalculate ranks like recommendFor on recalculateUser, the history filtered', async () => {
    const model = await new ExplicitMF(options).fit(ratings(3));
    const interactions = { items: ['i0', 'i2', 'i3'], values: [5, 5, 1] };
    const all = model.recommendFor(model.recalculateUser(interactions), { k: 100 });
    expect(model.recommend('someone', { recalculate: true, interactions, k: 100, filterSeen: false })).toEqual(all);
    expect(model.recommend('someone', { recalculate: true, interactions, k: 100 })).toEqual(all.filter((r) => !interactions.items.includes(String(r.item))));
    expect(await errorCode(() => model.recommend('someone', { recalculate: true, interactions: { items: ['i0'] } }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });

  it('is busy-guarded against a running fit, and aborts between batches of rows', async () => {
    const data = ratings(4);
    const model = await new ExplicitMF(options).fit(data);
    const fitting = model.fit(data);
    expect(await errorCode(model.partialFitUsers(data))).toBe('ERR_MFREC_BUSY');
    await fitting;
    // 300 users: the solve yields to the event loop every 64 rows, where an abort lands.
    const many = Interactions.fromArrays(
      Array.from({ length: 300 }, (_, u) => `new${u}`),
      Array.from({ length: 300 }, (_, u) => `i${u % 20}`),
      { values: Array.from({ length: 300 }, () => 4) },
    );
    const before = stateOf(model);
    const controller = new AbortController();
    const pending = model.partialFitUsers(many, { signal: controller.signal });
    setImmediate(() => controller.abort());
    expect(await errorCode(pending)).toBe('ERR_MFREC_ABORTED');
    expect(stateOf(model)).toBe(before);
  });
});

describe('BPR fold-in and partial fits', () => {
  const options = { factors: 4, iterations: 60, learningRate: 0.1, threads: 1, seed: 3 } as const;
  const implicit = () => {
    const r = ratings(5);
    const m = r.byUser;
    const u: string[] = [];
    const i: string[] = [];
    for (let row = 0; row < m.rows; row++) {
      for (let e = m.indptr[row]!; e < m.indptr[row + 1]!; e++) {
        if (m.values[e] === 5) u.push(String(r.users.id(row))), i.push(String(r.items.id(m.indices[e]!)));
      }
    }
    return Interactions.fromArrays(u, i);
  };

  it('is deterministic, ignores values and unknown items, and does not depend on the threads the model trained with', async () => {
    const one = await new BPR(options).fit(implicit());
    const history = { items: ['i0', 'i2', 'i4', 'ghost'] };
    const a = one.recommend('x', { recalculate: true, interactions: history, k: 5 });
    expect(one.recommend('x', { recalculate: true, interactions: { ...history, values: [9, 1, 3, 4] }, k: 5 })).toEqual(a);
    expect(one.recommend('x', { recalculate: true, interactions: { items: ['i0', 'i2', 'i4'] }, k: 5 })).toEqual(a);
    expect(a.every((r) => Number(String(r.item).slice(1)) % 2 === 0)).toBe(true);
  });

  it("partialFitItems re-learns an existing item's audience against the other items", async () => {
    const model = await new BPR(options).fit(implicit());
    const before = stateOf(model);
    const odd = Array.from({ length: 15 }, (_, k) => `u${2 * k + 1}`);
    // i0 was an even item: give it to the odd users.
    await model.partialFitItems(
      Interactions.fromArrays(
        odd,
        odd.map(() => 'i0'),
      ),
    );
    const after = stateOf(model);
    expect(model.itemIds).toEqual(before.items.toArray());
    const i0 = before.items.index('i0')!;
    expect(after.itemFactors.slice(0, i0 * 4)).toEqual(before.itemFactors.slice(0, i0 * 4));
    expect(after.itemFactors.slice((i0 + 1) * 4)).toEqual(before.itemFactors.slice((i0 + 1) * 4));
    expect(after.itemBias![i0]).not.toBe(before.itemBias![i0]);
    const mean = (users: string[]) => users.reduce((s, u) => s + model.scoreItems(u)![i0]!, 0) / users.length;
    const even = Array.from({ length: 15 }, (_, k) => `u${2 * k}`);
    expect(mean(odd)).toBeGreaterThan(mean(even));
    expect(after.itemPopularity[i0]).toBe(15);
  });
});

describe('a model type without fold-in', () => {
  const data = randomInteractions(1, 12, 9, 0.4);
  const model = new HandMadeModel().setState(randomState(2, data, 3));

  it('declares it, and recalculate or partial fits are refused with ERR_MFREC_INVALID_ARGUMENT', async () => {
    expect(model.supportsRecalculate).toBe(false);
    expect(model.supportsPartialFit).toBe(false);
    expect(() => model.recommend('u0', { recalculate: true, interactions: { items: ['i1'] } })).toThrow(/cannot recalculate/);
    expect(await errorCode(() => model.recommend('u0', { recalculate: true, interactions: { items: ['i1'] } }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(model.partialFitUsers(data))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(model.partialFitItems(data))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    // Without recalculate the usual path serves it.
    expect(model.recommend('u0', { recalculate: false, k: 2 })).toHaveLength(2);
  });

  it('still forgets: rows, ids, seen rows and columns, popularity (and biases when present)', async () => {
    const m = new HandMadeModel().setState(randomState(3, data, 3, 'explicit'));
    const s = stateOf(m);
    await m.forgetItem('i4');
    await m.forgetUser('u5');
    const t = stateOf(m);
    expect(t.users.toArray()).toEqual(s.users.toArray().filter((u) => u !== 'u5'));
    expect(t.items.toArray()).toEqual(s.items.toArray().filter((i) => i !== 'i4'));
    expect(t.userBias).toHaveLength(s.users.size - 1);
    expect(t.itemBias).toHaveLength(s.items.size - 1);
    expect(t.seen.rows).toBe(s.seen.rows - 1);
    expect(t.seen.cols).toBe(s.seen.cols - 1);
    // The same pairs as before, minus those of u5 and i4, under the new indices.
    const pairs = (x: typeof s, skipUser: string, skipItem: string) => {
      const out: string[] = [];
      for (let u = 0; u < x.seen.rows; u++) {
        for (let e = x.seen.indptr[u]!; e < x.seen.indptr[u + 1]!; e++) {
          const user = String(x.users.id(u));
          const item = String(x.items.id(x.seen.indices[e]!));
          if (user !== skipUser && item !== skipItem) out.push(`${user}:${item}:${x.seen.values[e]}`);
        }
      }
      return out;
    };
    expect(pairs(t, '', '')).toEqual(pairs(s, 'u5', 'i4'));
    const counts = new Map<string, number>();
    for (const p of pairs(t, '', '')) counts.set(p.split(':')[1]!, (counts.get(p.split(':')[1]!) ?? 0) + 1);
    expect(Array.from(t.itemPopularity)).toEqual(t.items.toArray().map((i) => counts.get(String(i)) ?? 0));
    for (const u of ['u0', 'u6', 'u11']) expect(m.userVector(u)).toEqual(s.userFactors.slice(s.users.index(u)! * 3, s.users.index(u)! * 3 + 3));
    for (const i of ['i0', 'i5', 'i8']) expect(m.itemVector(i)).toEqual(s.itemFactors.slice(s.items.index(i)! * 3, s.items.index(i)! * 3 + 3));
  });

  it('forgetting the only interactions of an item leaves a consistent model (ALS)', async () => {
    const als = await new ImplicitALS({ factors: 3, iterations: 3, threads: 1 }).fit(Interactions.fromArrays(['a', 'a', 'b', 'c'], ['x', 'y', 'y', 'z']));
    await als.forgetUser('c'); // z keeps its row, with no interactions left
    // Cold-start scores are shares of the 2 users left with interactions (a and b).
    expect(als.recommend('stranger', { k: 3 }).map((r) => r.score)).toEqual([1, 0.5, 0]);
    await als.forgetItem('z');
    expect(als.itemIds).toEqual(['x', 'y']);
    expect(
      als
        .recommend('b', { k: 5, filterSeen: false })
        .map((r) => r.item)
        .sort(),
    ).toEqual(['x', 'y']);
    expect(als.recommend('live', { recalculate: true, interactions: { items: ['x'] }, k: 5 }).map((r) => r.item)).toEqual(['y']);
  });
});
