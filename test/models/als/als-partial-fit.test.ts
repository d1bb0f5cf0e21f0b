import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImplicitALS, Interactions, loadModel } from '../../../lib/index.js';
import type { FactorState } from '../../../lib/models/base/factor-model.js';
import { checkerboard, randomData } from '../../helpers/implicit-data.js';
import { dot, errorCode, maxAbs, maxAbsDiff, setState, stateOf } from '../../helpers/support.js';

/** Per-user item lists of the training matrix, by raw id. */
function seenLists(s: FactorState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let u = 0; u < s.seen.rows; u++) {
    const items: string[] = [];
    for (let e = s.seen.indptr[u]!; e < s.seen.indptr[u + 1]!; e++) items.push(String(s.items.id(s.seen.indices[e]!)));
    out.set(String(s.users.id(u)), items.sort());
  }
  return out;
}

/** Popularity recomputed from scratch: the number of users per item. */
function popularityOf(s: FactorState): number[] {
  const counts = new Array<number>(s.items.size).fill(0);
  for (let e = 0; e < s.seen.indices.length; e++) counts[s.seen.indices[e]!]!++;
  return counts;
}

function rowsOf(a: Float32Array, k: number, from: number, to: number): Float32Array {
  return a.slice(from * k, to * k);
}

/** Mean in-group score minus best out-of-group score of a user vector. */
function groupMargin(model: ImplicitALS, x: Float32Array, group: 'a' | 'b'): number {
  const other = group === 'a' ? 'b' : 'a';
  let inGroup = 0;
  let bestOut = -Infinity;
  for (let i = 0; i < 10; i++) {
    inGroup += dot(x, model.itemVector(`${group}${i}`)!) / 10;
    bestOut = Math.max(bestOut, dot(x, model.itemVector(`${other}${i}`)!));
  }
  return inGroup - bestOut;
}

const options = { factors: 4, iterations: 10, threads: 1 } as const;

describe('ImplicitALS.partialFitUsers', () => {
  it('appends new users, who then score their own group highest; every other row stays bit for bit', async () => {
    const train = checkerboard(1);
    const model = await new ImplicitALS(options).fit(train);
    const before = stateOf(model);
    const k = before.factors;
    const fresh = Interactions.fromArrays(['new-a', 'new-a', 'new-a', 'new-b', 'new-b', 'new-b'], ['a1', 'a4', 'a8', 'b0', 'b2', 'b9']);
    expect(await model.partialFitUsers(fresh)).toBe(model);
    const after = stateOf(model);
    expect(model.userIds).toEqual([...before.users.toArray(), 'new-a', 'new-b']);
    expect(rowsOf(after.userFactors, k, 0, 40)).toEqual(before.userFactors);
    expect(after.itemFactors).toEqual(before.itemFactors);
    expect(groupMargin(model, model.userVector('new-a')!, 'a')).toBeGreaterThan(0.2);
    expect(groupMargin(model, model.userVector('new-b')!, 'b')).toBeGreaterThan(0.2);
    // The new rows are exactly what a fold-in gives.
    expect(model.userVector('new-a')).toEqual(model.recalculateUser({ items: ['a1', 'a4', 'a8'] }));
    const seen = seenLists(after);
    expect(seen.get('new-a')).toEqual(['a1', 'a4', 'a8']);
    expect(seen.get('new-b')).toEqual(['b0', 'b2', 'b9']);
    for (const [user, items] of seenLists(before)) expect(seen.get(user)).toEqual(items);
    expect(Array.from(after.itemPopularity)).toEqual(popularityOf(after));
    expect(Array.from(after.itemPopularity)).not.toEqual(Array.from(before.itemPopularity));
  });

  it("replaces an existing user's row and history from the whole history given", async () => {
    const model = await new ImplicitALS(options).fit(checkerboard(2));
    const before = stateOf(model);
    const k = before.factors;
    const u0 = before.users.index('u0')!;
    expect(groupMargin(model, model.userVector('u0')!, 'a')).toBeGreaterThan(0);
    // u0 changed taste completely: their whole history is now group b.
    await model.partialFitUsers(Interactions.fromArrays(['u0', 'u0', 'u0', 'u0'], ['b1', 'b3', 'b5', 'b7']));
    const after = stateOf(model);
    expect(model.userIds).toEqual(before.users.toArray());
    expect(groupMargin(model, model.userVector('u0')!, 'b')).toBeGreaterThan(0.2);
    expect(seenLists(after).get('u0')).toEqual(['b1', 'b3', 'b5', 'b7']);
    for (let u = 0; u < 40; u++) {
      if (u === u0) continue;
      expect(rowsOf(after.userFactors, k, u, u + 1)).toEqual(rowsOf(before.userFactors, k, u, u + 1));
    }
    expect(after.itemFactors).toEqual(before.itemFactors);
    const popularity = (s: FactorState, item: string) => s.itemPopularity[s.items.index(item)!]!;
    const had = seenLists(before).get('u0')!;
    for (const item of had) expect(popularity(after, item)).toBe(popularity(before, item) - 1);
    for (const item of ['b1', 'b3', 'b5', 'b7']) expect(popularity(after, item)).toBe(popularity(before, item) + 1);
    expect(Array.from(after.itemPopularity)).toEqual(popularityOf(after));
  });

  it('never changes the state readers hold: a new state is swapped in at the end', async () => {
    const model = await new ImplicitALS(options).fit(checkerboard(3));
    const before = stateOf(model);
    const snapshot = { users: before.users.size, uf: before.userFactors.slice(), indptr: before.seen.indptr.slice(), pop: before.itemPopularity.slice() };
    const pending = model.partialFitUsers(Interactions.fromArrays(['u1', 'zed'], ['a1', 'b1']));
    expect(stateOf(model)).toBe(before); // still serving the old state while the solve runs
    await pending;
    expect(stateOf(model)).not.toBe(before);
    expect(before.users.size).toBe(snapshot.users);
    expect(before.users.has('zed')).toBe(false);
    expect(before.userFactors).toEqual(snapshot.uf);
    expect(before.seen.indptr).toEqual(snapshot.indptr);
    expect(before.itemPopularity).toEqual(snapshot.pop);
  });

  it('skips unknown items and only touches users with interactions in the data', async () => {
    const train = checkerboard(4);
    const model = await new ImplicitALS(options).fit(train);
    const before = stateOf(model);
    // Data built on the training id maps (every training user is in data.users) but with one user's interactions.
    const data = Interactions.fromArrays(['u5', 'u5', 'u5'], ['a2', 'brand-new', 'a6'], { users: train.users.clone(), items: train.items.clone() });
    expect(data.nUsers).toBe(40);
    await model.partialFitUsers(data);
    const after = stateOf(model);
    expect(model.itemIds).toEqual(before.items.toArray());
    expect(seenLists(after).get('u5')).toEqual(['a2', 'a6']);
    const k = before.factors;
    let changed = 0;
    for (let u = 0; u < 40; u++) if (maxAbsDiff(rowsOf(after.userFactors, k, u, u + 1), rowsOf(before.userFactors, k, u, u + 1)) > 0) changed++;
    expect(changed).toBe(1);
    expect(model.userVector('u5')).toEqual(model.recalculateUser({ items: ['a2', 'a6'] }));
  });

  it('gives the native rows with the js backend', async () => {
    const data = randomData(30, 25, 0.25, 9, true);
    const update = randomData(35, 25, 0.2, 10, true);
    const native = await new ImplicitALS({ factors: 5, iterations: 3, seed: 2, threads: 1 }).fit(data);
    const js = await new ImplicitALS({ factors: 5, iterations: 3, seed: 2, backend: 'js' }).fit(data);
    await native.partialFitUsers(update);
    await js.partialFitUsers(update);
    const [n, j] = [stateOf(native), stateOf(js)];
    expect(native.userIds).toEqual(js.userIds);
    expect(native.userIds).toHaveLength(35);
    expect(maxAbsDiff(n.userFactors, j.userFactors)).toBeLessThan(1e-4 * maxAbs(j.userFactors));
    expect(n.itemPopularity).toEqual(j.itemPopularity);
  });

  it('is aborted, busy-guarded and validated with stable codes', async () => {
    const train = checkerboard(5);
    const unfitted = new ImplicitALS(options);
    expect(await errorCode(unfitted.partialFitUsers(train))).toBe('ERR_MFREC_NOT_FITTED');
    const model = await new ImplicitALS(options).fit(train);
    const before = stateOf(model);
    const update = Interactions.fromArrays(['u1', 'new'], ['a1', 'a2']);
    for (const backend of ['native', 'js'] as const) {
      const m = await new ImplicitALS({ ...options, backend }).fit(train);
      const s = stateOf(m);
      expect(await errorCode(m.partialFitUsers(update, { signal: AbortSignal.abort() }))).toBe('ERR_MFREC_ABORTED');
      expect(await errorCode(m.partialFitItems(update, { signal: AbortSignal.abort() }))).toBe('ERR_MFREC_ABORTED');
      expect(stateOf(m)).toBe(s);
      expect(m.isTraining).toBe(false);
    }
    // An abort while the js solve waits for its turn on the event loop.
    const jsModel = await new ImplicitALS({ ...options, backend: 'js' }).fit(train);
    const controller = new AbortController();
    const pending = jsModel.partialFitUsers(update, { signal: controller.signal });
    controller.abort();
    expect(await errorCode(pending)).toBe('ERR_MFREC_ABORTED');

    const fitting = model.fit(train);
    expect(await errorCode(model.partialFitUsers(update))).toBe('ERR_MFREC_BUSY');
    await fitting;
    const partial = model.partialFitUsers(update);
    expect(model.isTraining).toBe(true);
    expect(await errorCode(model.fit(train))).toBe('ERR_MFREC_BUSY');
    expect(await errorCode(model.partialFitItems(update))).toBe('ERR_MFREC_BUSY');
    await partial;
    expect(stateOf(model)).not.toBe(before);

    expect(await errorCode(model.partialFitUsers({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(model.partialFitUsers(update, { signl: AbortSignal.abort() } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    expect(await errorCode(model.partialFitUsers(update, { signal: 'stop' } as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(model.partialFitUsers(update, null as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(await errorCode(model.partialFitUsers(Interactions.fromArrays([], [])))).toBe('ERR_MFREC_EMPTY_DATA');
    expect(await errorCode(model.partialFitUsers(Interactions.fromArrays(['u1'], ['unknown-item'])))).toBe('ERR_MFREC_EMPTY_DATA');
    expect(await errorCode(model.partialFitItems(Interactions.fromArrays(['unknown-user'], ['a1'])))).toBe('ERR_MFREC_EMPTY_DATA');
  });
});

describe('ImplicitALS.partialFitItems', () => {
  it('appends a new item that group-a users like; other rows unchanged; seen and popularity follow', async () => {
    const model = await new ImplicitALS(options).fit(checkerboard(6));
    const before = stateOf(model);
    const k = before.factors;
    const fans = ['u0', 'u2', 'u4', 'u6', 'u8', 'u10', 'u12', 'ghost'];
    await model.partialFitItems(
      Interactions.fromArrays(
        fans,
        fans.map(() => 'c0'),
      ),
    );
    const after = stateOf(model);
    expect(model.itemIds).toEqual([...before.items.toArray(), 'c0']);
    expect(rowsOf(after.itemFactors, k, 0, before.items.size)).toEqual(before.itemFactors);
    expect(after.userFactors).toEqual(before.userFactors);
    expect(model.userIds).toEqual(before.users.toArray()); // 'ghost' is unknown: skipped
    const c0 = model.itemVector('c0')!;
    for (let u = 0; u < 20; u++)
      expect(dot(model.userVector(`u${u}`)!, c0)).toBeGreaterThan(Math.max(...Array.from({ length: 20 }, (_, v) => dot(model.userVector(`u${20 + v}`)!, c0))));
    const seen = seenLists(after);
    for (const [user, items] of seenLists(before)) {
      expect(seen.get(user)).toEqual(fans.includes(user) ? [...items, 'c0'].sort() : items);
    }
    expect(after.itemPopularity[after.items.index('c0')!]).toBe(7);
    expect(Array.from(after.itemPopularity)).toEqual(popularityOf(after));
    expect(model.itemVector('c0')).toEqual(model.recalculateItem({ users: fans }));
  });

  it("replaces an existing item's audience and refreshes the cached XᵀX and YᵀY", async () => {
    const train = checkerboard(7);
    const model = await new ImplicitALS(options).fit(train);
    const before = stateOf(model);
    const k = before.factors;
    const shopper = { items: ['b1', 'b2', 'a3'] };
    const foldedBefore = model.recalculateUser(shopper); // caches YᵀY of the old item factors
    const buyers = ['u20', 'u21', 'u22', 'u23', 'u24', 'u25'];
    await model.partialFitItems(
      Interactions.fromArrays(
        buyers,
        buyers.map(() => 'a3'),
      ),
    );
    const after = stateOf(model);
    const a3 = before.items.index('a3')!;
    for (let i = 0; i < before.items.size; i++) {
      if (i !== a3) expect(rowsOf(after.itemFactors, k, i, i + 1)).toEqual(rowsOf(before.itemFactors, k, i, i + 1));
    }
    const scoreA3 = (u: number) => dot(model.userVector(`u${u}`)!, model.itemVector('a3')!);
    const mean = (from: number) => Array.from({ length: 20 }, (_, v) => scoreA3(from + v)).reduce((x, y) => x + y) / 20;
    for (let u = 20; u <= 25; u++) expect(scoreA3(u)).toBeGreaterThan(0.2);
    expect(mean(20)).toBeGreaterThan(mean(0) + 0.1); // a3 now belongs with the b users
    for (const [user, items] of seenLists(after)) expect(items.includes('a3')).toBe(buyers.includes(user));
    // Item a3 moved, so the fold-in must use the new YᵀY: the result equals a model trained to this state.
    const foldedAfter = model.recalculateUser(shopper);
    expect(foldedAfter).not.toEqual(foldedBefore);
    const fresh = new ImplicitALS(options);
    setState(fresh, after);
    expect(foldedAfter).toEqual(fresh.recalculateUser(shopper));
    // The user side did not change: a new user added next folds in against the same XᵀY as a fresh model.
    expect(model.recalculateItem({ users: ['u1', 'u30'] })).toEqual(fresh.recalculateItem({ users: ['u1', 'u30'] }));
  });
});

describe('ImplicitALS live updates with the rest of the model', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recommends for partially fitted users from their group, filtering their new history', async () => {
    const model = await new ImplicitALS(options).fit(checkerboard(8));
    await model.partialFitUsers(Interactions.fromArrays(['new-b', 'new-b', 'new-b'], ['b0', 'b4', 'b7']));
    const recs = model.recommend('new-b', { k: 5 });
    expect(recs).toHaveLength(5);
    for (const r of recs) {
      expect(String(r.item)[0]).toBe('b');
      expect(['b0', 'b4', 'b7']).not.toContain(r.item);
    }
  });

  it('saves and loads a partially fitted model; the loaded model folds in alike (its YᵀY recomputed)', async () => {
    const model = await new ImplicitALS({ ...options, backend: 'js' }).fit(checkerboard(9));
    await model.partialFitUsers(Interactions.fromArrays(['new-a', 'new-a'], ['a2', 'a5']));
    await model.partialFitItems(Interactions.fromArrays(['u1', 'u3', 'new-a'], ['c9', 'c9', 'c9']));
    const shopper = { items: ['a1', 'c9'] };
    const before = model.recalculateUser(shopper);
    const file = path.join(dir, 'live.mfrec');
    await model.save(file);
    const loaded = (await loadModel(file)) as ImplicitALS;
    expect(loaded).toBeInstanceOf(ImplicitALS);
    expect(loaded.params).toEqual(model.params);
    expect(loaded.userIds).toEqual(model.userIds);
    expect(loaded.itemIds).toEqual(model.itemIds);
    expect(loaded.recalculateUser(shopper)).toEqual(before);
    expect(loaded.recommend('new-a', { k: 20 }).map((r) => r.item)).toEqual(model.recommend('new-a', { k: 20 }).map((r) => r.item));
    // And it keeps growing after the load.
    await loaded.partialFitUsers(Interactions.fromArrays(['later'], ['c9']));
    expect(loaded.userIds.at(-1)).toBe('later');
  });
});
