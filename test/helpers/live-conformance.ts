/**
 * The live-update part of the conformance suite: recommending for a user
 * recalculated from a history, partial fits and forgetting, on the same
 * checkerboard. Gated on the model's declared capabilities, which must match
 * what the model reports.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import type { RawId } from '../../lib/data/id-map.js';
import type { LiveInteractions, Recommendation } from '../../lib/models/base/factor-model.js';
import { loadModel } from '../../lib/persist/load-model.js';
import type { ConformanceCapabilities, CreateModel, TrainableFactorModel } from './conformance.js';

export interface LiveContext {
  create: CreateModel;
  capabilities: ConformanceCapabilities;
  data: Interactions;
  model: () => TrainableFactorModel;
  groupOf: (id: RawId) => string;
  codeOf: (call: () => unknown) => Promise<string | undefined>;
}

/** A group-a history: five of the eight a-items (liked), and for ratings two b-items rated 1. */
function historyOf(kind: ConformanceCapabilities['dataKind'], group: 'a' | 'b'): LiveInteractions & { items: string[] } {
  const other = group === 'a' ? 'b' : 'a';
  const liked = [0, 1, 2, 3, 4].map((i) => `${group}${i}`);
  if (kind === 'implicit') return { items: liked };
  return { items: [...liked, `${other}0`, `${other}1`], values: [5, 4, 5, 4, 5, 1, 1] };
}

/** A fit checkerboard plus one user and one item with distinctive ids, to forget. */
const FORGET_USER = 'forget-me-7731';
const FORGET_ITEM = 'forget-me-item-4410';

function withForgettable(data: Interactions, kind: ConformanceCapabilities['dataKind']): Interactions {
  const users: RawId[] = [];
  const items: RawId[] = [];
  const values: number[] = [];
  const m = data.byUser;
  for (let u = 0; u < m.rows; u++) {
    for (let e = m.indptr[u]!; e < m.indptr[u + 1]!; e++) {
      users.push(data.users.id(u));
      items.push(data.items.id(m.indices[e]!));
      values.push(m.values[e]!);
    }
  }
  const h = historyOf(kind, 'a');
  h.items.forEach((item, j) => (users.push(FORGET_USER), items.push(item), values.push(h.values?.[j] ?? 1)));
  // The item to forget: liked by most of group b, so it shows up in their rankings and similar lists.
  for (let u = 12; u < 22; u++) users.push(`u${u}`), items.push(FORGET_ITEM), values.push(kind === 'ratings' ? 5 : 1);
  return Interactions.fromArrays(users, items, { values });
}

/**
 * What the model learned for one side, to check that an update leaves rows
 * alone: the vectors, or for a model without vectors each user's scores and
 * each item's neighbours (what its weights answer).
 */
function vectors(model: TrainableFactorModel, side: 'users' | 'items', hasVectors = true): unknown[] {
  if (!hasVectors) {
    return side === 'users' ? model.userIds.map((u) => model.scoreItems(u)) : model.itemIds.map((i) => model.similarItems(i, { k: 100 }));
  }
  return side === 'users' ? model.userIds.map((u) => model.userVector(u)) : model.itemIds.map((i) => model.itemVector(i));
}

function expectSameRanking(got: Recommendation[], want: Recommendation[], label: string): void {
  expect(
    got.map((r) => r.item),
    label,
  ).toEqual(want.map((r) => r.item));
  got.forEach((r, j) => expect(Math.abs(r.score - want[j]!.score), label).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[j]!.score))));
}

/** Every user's top 5 and every item's neighbours: a fingerprint of what the model answers. */
function everyAnswer(model: TrainableFactorModel): unknown[] {
  return [...model.userIds.map((u) => model.recommend(u, { k: 5 })), ...model.itemIds.map((i) => model.similarItems(i, { k: 5 }))];
}

function fileHolds(file: string, id: string): boolean {
  return readFileSync(file).includes(Buffer.from(id, 'utf8'));
}

export function describeLiveUpdates(c: LiveContext): void {
  const { create, capabilities, data, groupOf, codeOf } = c;
  const kind = capabilities.dataKind;
  const nItems = data.nItems;

  describe('recommend with recalculate', () => {
    it('declares its capability as the suite expects', () => {
      expect(c.model().supportsRecalculate).toBe(capabilities.recalculate);
      expect(c.model().supportsPartialFit).toBe(capabilities.partialFit);
    });

    if (!capabilities.recalculate) {
      it('refuses recalculate with ERR_MFREC_INVALID_ARGUMENT', async () => {
        const interactions = historyOf(kind, 'a');
        expect(await codeOf(() => c.model().recommend('newcomer', { recalculate: true, interactions }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      });
      it('refuses a cart with ERR_MFREC_INVALID_ARGUMENT', async () => {
        expect(await codeOf(() => c.model().recommend('u0', { cart: ['a0'] }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      });
      return;
    }

    /** A cart of `items` in the shape the model takes (ratings of 5 for the explicit model). */
    const cartOf = (items: string[]) => (kind === 'ratings' ? { items, values: items.map(() => 5) } : items);
    /** User `user`'s training history plus `items`, as recalculate's interactions. */
    const unionOf = (user: string, items: string[]) => {
      const d = data.byUser;
      const u = data.users.index(user)!;
      const trained = Array.from(d.indices.subarray(d.indptr[u]!, d.indptr[u + 1]!), (i) => String(data.items.id(i)));
      const values = Array.from(d.values.subarray(d.indptr[u]!, d.indptr[u + 1]!));
      return { items: [...trained, ...items], values: [...values, ...items.map(() => (kind === 'ratings' ? 5 : 1))] };
    };

    it('cart: a known user is folded in over the trained history plus the cart; seen and cart items are filtered', () => {
      const model = c.model();
      const cart = ['a0', 'a1', 'a2'];
      const all = { k: nItems, filterSeen: false };
      const got = model.recommend('u12', { cart: cartOf(cart), ...all });
      expectSameRanking(got, model.recommend('u12', { recalculate: true, interactions: unionOf('u12', cart), ...all }), 'cart = history + cart');
      // Not the cart alone: the trained history stays in.
      const cartOnly = model.recommend('u12', { recalculate: true, interactions: kind === 'ratings' ? (cartOf(cart) as never) : { items: cart }, ...all });
      expect(got.map((r) => r.score)).not.toEqual(cartOnly.map((r) => r.score));
      expect(got.every((r) => r.source === 'model')).toBe(true);
      const filtered = model.recommend('u12', { cart: cartOf(cart), k: nItems });
      const hidden = new Set(unionOf('u12', cart).items);
      expect(filtered).toHaveLength(nItems - hidden.size);
      for (const r of filtered) expect(hidden.has(String(r.item)), String(r.item)).toBe(false);
    });

    it('cart: an unknown user gets the fold-in of the cart alone; a cart of unknown items changes nothing', async () => {
      const model = c.model();
      const h = historyOf(kind, 'a');
      const cart = kind === 'ratings' ? h : h.items;
      expectSameRanking(model.recommend('stranger', { cart, k: 5 }), model.recommend('stranger', { recalculate: true, interactions: h, k: 5 }), 'cart only');
      const nothing = cartOf(['nope-1']);
      expect(model.recommend('u3', { cart: nothing, k: 5 })).toEqual(model.recommend('u3', { k: 5 }));
      expect(model.recommend('stranger', { cart: nothing, k: 5 })).toEqual(model.recommend('stranger', { k: 5 }));
      expect(await codeOf(() => model.recommend('stranger', { cart: nothing, coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
    });

    it('cart: malformed carts and cart with recalculate are refused with stable codes', async () => {
      const model = c.model();
      const cases: Array<[unknown, string]> = [
        [{ cart: 'a0' }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ cart: ['a0', null] }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ cart: { items: ['a0'], values: [NaN] } }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ cart: { items: ['a0'], values: [1, 2] } }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ cart: { itemz: ['a0'] } }, 'ERR_MFREC_UNKNOWN_OPTION'],
        [{ cart: cartOf(['a0']), recalculate: true, interactions: historyOf(kind, 'a') }, 'ERR_MFREC_INVALID_ARGUMENT'],
      ];
      if (kind === 'ratings') cases.push([{ cart: ['a0'] }, 'ERR_MFREC_INVALID_ARGUMENT']);
      for (const [options, code] of cases) expect(await codeOf(() => model.recommend('u0', options as never)), JSON.stringify(options)).toBe(code);
      expect(await codeOf(() => model.recommendBatch(['u0'], { cart: ['a0'] } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    });

    it('a new user whose history is in group a gets group-a recommendations, the history filtered; b likewise', () => {
      const model = c.model();
      for (const group of ['a', 'b'] as const) {
        const interactions = historyOf(kind, group);
        const got = model.recommend(`new-${group}`, { recalculate: true, interactions, k: 3 });
        expect(got.map((r) => String(r.item)).sort()).toEqual([5, 6, 7].map((i) => `${group}${i}`));
        const all = model.recommend(`new-${group}`, { recalculate: true, interactions, k: nItems, filterSeen: false });
        expect(all).toHaveLength(nItems);
        expect(all.slice(0, 8).map((r) => groupOf(r.item))).toEqual(new Array(8).fill(group));
      }
    });

    it("a known user's trained vector is replaced by the fold-in of the given history; the model does not change", () => {
      const model = c.model();
      const before = model.userIds.map((u) => model.recommend(u, { k: 4 }));
      const interactions = historyOf(kind, 'a');
      const got = model.recommend('u12', { recalculate: true, interactions, k: 3 }); // a group-b user
      expect(got.map((r) => groupOf(r.item))).toEqual(['a', 'a', 'a']);
      expectSameRanking(got, model.recommend('anyone', { recalculate: true, interactions, k: 3 }), 'same history, same answer');
      expect(model.recommend('u12', { recalculate: true, interactions, k: 3 })).toEqual(got);
      expect(model.userIds.map((u) => model.recommend(u, { k: 4 }))).toEqual(before);
    });

    it('takes exclude and candidates; a history of unknown items is a cold start', async () => {
      const model = c.model();
      const interactions = historyOf(kind, 'a');
      const top = model.recommend('x', { recalculate: true, interactions, k: 3 });
      const rest = model.recommend('x', { recalculate: true, interactions, k: 3, exclude: [top[0]!.item] });
      expect(rest.map((r) => r.item)).not.toContain(top[0]!.item);
      const some = model.recommend('x', { recalculate: true, interactions, candidates: ['a7', 'b7', 'a0'] });
      expect(some.map((r) => r.item)).toEqual(['a7', 'b7']); // a0 is in the history
      const strangers = { items: ['nope-1', 'nope-2'], ...(kind === 'ratings' ? { values: [5, 4] } : {}) };
      expect(model.recommend('x', { recalculate: true, interactions: strangers, k: 4 })).toEqual(model.recommend('stranger', { k: 4 }));
      expect(await codeOf(() => model.recommend('x', { recalculate: true, interactions: strangers, coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
    });

    it('refuses malformed recalculate options with stable codes', async () => {
      const model = c.model();
      const good = historyOf(kind, 'a');
      const cases: Array<[unknown, string]> = [
        [{ recalculate: true }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ interactions: good }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: 'yes', interactions: good }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: true, interactions: ['a0'] }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: true, interactions: { items: 'a0' } }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: true, interactions: { items: ['a0', null] } }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: true, interactions: { items: ['a0'], values: [1, 2] } }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: true, interactions: { items: ['a0'], values: [NaN] } }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculate: true, interactions: { itemz: ['a0'] } }, 'ERR_MFREC_UNKNOWN_OPTION'],
        [{ recalculate: true, interactions: good, k: 0 }, 'ERR_MFREC_INVALID_ARGUMENT'],
        [{ recalculat: true, interactions: good }, 'ERR_MFREC_UNKNOWN_OPTION'],
      ];
      for (const [options, code] of cases) expect(await codeOf(() => model.recommend('x', options as never)), JSON.stringify(options)).toBe(code);
      // recalculate belongs to single-user recommend only.
      expect(await codeOf(() => model.recommendBatch(['x'], { recalculate: true, interactions: good } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
    });
  });

  describe('partial fits', () => {
    if (!capabilities.partialFit) {
      it('refuses partial fits with ERR_MFREC_INVALID_ARGUMENT', async () => {
        const update = Interactions.fromArrays(['newcomer'], ['a0']);
        expect(await codeOf(() => c.model().partialFitUsers(update))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      });
      return;
    }

    /** The histories of `users`, each user with their group's history. */
    function historiesOf(users: Array<[string, 'a' | 'b']>): Interactions {
      const u: string[] = [];
      const i: string[] = [];
      const v: number[] = [];
      for (const [user, group] of users) {
        const h = historyOf(kind, group);
        h.items.forEach((item, j) => (u.push(user), i.push(item), v.push(h.values?.[j] ?? 1)));
      }
      return Interactions.fromArrays(u, i, { values: v });
    }

    it('partialFitUsers appends new users who get their group, equal to recalculate; other rows bit for bit', async () => {
      const model = create({ threads: 1, seed: 1 });
      await model.fit(data);
      const users = vectors(model, 'users', capabilities.vectors);
      const items = vectors(model, 'items', capabilities.vectors);
      // The fold-in of each history before the update: what the update must store.
      const live = (['a', 'b'] as const).map((group) =>
        model.recommend('live', { recalculate: true, interactions: historyOf(kind, group), k: nItems, filterSeen: false }),
      );
      const update = historiesOf([
        ['new-a', 'a'],
        ['new-b', 'b'],
      ]);
      expect(model.hasUser('new-a')).toBe(false);
      await model.partialFitUsers(update);
      expect(model.userIds).toEqual([...data.users.toArray(), 'new-a', 'new-b']);
      expect(model.hasUser('new-a') && model.hasUser('new-b')).toBe(true);
      expect(vectors(model, 'users', capabilities.vectors).slice(0, users.length)).toEqual(users);
      expect(vectors(model, 'items', capabilities.vectors)).toEqual(items);
      (['a', 'b'] as const).forEach((group, g) => {
        const got = model.recommend(`new-${group}`, { k: 3 });
        expect(got.map((r) => String(r.item)).sort()).toEqual([5, 6, 7].map((i) => `${group}${i}`));
        expectSameRanking(model.recommend(`new-${group}`, { k: nItems, filterSeen: false }), live[g]!, group);
      });
    });

    if (!capabilities.partialFitItems) {
      it('refuses partialFitItems with ERR_MFREC_INVALID_ARGUMENT and keeps the state', async () => {
        const model = create({ threads: 1, seed: 1 });
        await model.fit(data);
        const before = everyAnswer(model);
        const fans = Interactions.fromArrays(['u0', 'u1'], ['a-new', 'a-new']);
        expect(await codeOf(() => model.partialFitItems(fans))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(model.itemIds).toEqual(data.items.toArray());
        expect(everyAnswer(model)).toEqual(before);
      });
    }

    it.runIf(capabilities.partialFitItems)('partialFitItems appends an item group-a users like; seen records and popularity follow', async () => {
      const model = create({ threads: 1, seed: 1 });
      await model.fit(data);
      const users = vectors(model, 'users', capabilities.vectors);
      const items = vectors(model, 'items', capabilities.vectors);
      const fans = Array.from({ length: 12 }, (_, u) => `u${u}`);
      await model.partialFitItems(
        Interactions.fromArrays(
          fans,
          fans.map(() => 'a-new'),
          { values: fans.map(() => 5) },
        ),
      );
      expect(model.itemIds).toEqual([...data.items.toArray(), 'a-new']);
      expect(vectors(model, 'items', capabilities.vectors).slice(0, items.length)).toEqual(items);
      expect(vectors(model, 'users', capabilities.vectors)).toEqual(users);
      const index = model.itemIds.indexOf('a-new');
      for (let u = 0; u < 12; u++) {
        const scores = model.scoreItems(`u${u}`)!;
        const bestB = Math.max(...model.itemIds.map((id, i) => (groupOf(id) === 'b' ? scores[i]! : -Infinity)));
        expect(scores[index], `u${u}`).toBeGreaterThan(bestB);
        // Now a seen item of every fan.
        expect(model.recommend(`u${u}`, { k: nItems + 1 }).map((r) => r.item)).not.toContain('a-new');
      }
      const trained = model.userIds.filter((u) => model.hasUser(u)).length;
      expect(model.recommend('stranger', { candidates: ['a-new'] })).toEqual([{ item: 'a-new', score: Math.fround(12 / trained), source: 'cold-start' }]);
    });

    it('an aborted partial fit keeps the state; data without known ids → ERR_MFREC_EMPTY_DATA', async () => {
      const model = create({ threads: 1, seed: 1 });
      await model.fit(data);
      const before = vectors(model, 'users', capabilities.vectors);
      const update = historiesOf([['new-a', 'a']]);
      expect(await codeOf(() => model.partialFitUsers(update, { signal: AbortSignal.abort() }))).toBe('ERR_MFREC_ABORTED');
      const fans = Interactions.fromArrays(['u0', 'u1'], ['a-new', 'a-new']);
      if (capabilities.partialFitItems) expect(await codeOf(() => model.partialFitItems(fans, { signal: AbortSignal.abort() }))).toBe('ERR_MFREC_ABORTED');
      expect(model.itemIds).toEqual(data.items.toArray());
      expect(vectors(model, 'users', capabilities.vectors)).toEqual(before);
      expect(await codeOf(() => model.partialFitUsers(Interactions.fromArrays(['new'], ['no-such-item'])))).toBe('ERR_MFREC_EMPTY_DATA');
      if (capabilities.partialFitItems)
        expect(await codeOf(() => model.partialFitItems(Interactions.fromArrays(['no-such-user'], ['a0'])))).toBe('ERR_MFREC_EMPTY_DATA');
      expect(await codeOf(() => model.partialFitUsers([] as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => create({ threads: 1, seed: 1 }).partialFitUsers(update))).toBe('ERR_MFREC_NOT_FITTED');
    });
  });

  describe('forgetting', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-forget-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const full = withForgettable(data, kind);
    let model: TrainableFactorModel;
    beforeAll(async () => {
      model = create({ threads: 1, seed: 1 });
      await model.fit(full);
    });

    it('forgetUser: the saved file no longer holds the id; every other user is served as before', async () => {
      const m = create({ threads: 1, seed: 1 });
      await m.fit(full);
      const before = path.join(dir, `user-before-${capabilities.type}.mfrec`);
      await m.save(before);
      expect(fileHolds(before, FORGET_USER)).toBe(true);
      const others = m.userIds.filter((u) => u !== FORGET_USER);
      const answers = others.map((u) => m.recommend(u, { k: 5 }));
      const othersVectors = capabilities.vectors ? others.map((u) => m.userVector(u)) : undefined;
      const itemVectors = vectors(m, 'items', capabilities.vectors);
      // Cold-start scores are shares of the users with interactions: back to counts.
      const popularity = () => {
        const trained = m.userIds.filter((u) => m.hasUser(u)).length;
        return new Map(m.recommend('stranger', { k: nItems + 1 }).map((r) => [String(r.item), Math.round(r.score * trained)]));
      };
      const counts = popularity();

      expect(m.hasUser(FORGET_USER)).toBe(true);
      expect(await m.forgetUser(FORGET_USER)).toBe(m);
      expect(m.hasUser(FORGET_USER)).toBe(false);
      expect(m.userIds).toEqual(others);
      expect(others.map((u) => m.recommend(u, { k: 5 }))).toEqual(answers);
      if (capabilities.vectors) {
        expect(m.userVector(FORGET_USER)).toBeUndefined();
        expect(others.map((u) => m.userVector(u))).toEqual(othersVectors);
      }
      expect(vectors(m, 'items', capabilities.vectors)).toEqual(itemVectors);
      // Each item of the user's loses the one count the user gave it.
      const history = new Set(historyOf(kind, 'a').items);
      for (const [item, count] of popularity()) expect(count, item).toBe(counts.get(item)! - (history.has(item) ? 1 : 0));
      expect(await codeOf(() => m.recommend(FORGET_USER, { coldStart: 'error' }))).toBe('ERR_MFREC_UNKNOWN_ID');
      if (capabilities.vectors) {
        expect(await codeOf(() => m.similarUsers(FORGET_USER))).toBe('ERR_MFREC_UNKNOWN_ID');
        for (const r of m.similarUsers('u0', { k: 100 })) expect(r.user).not.toBe(FORGET_USER);
      }

      const after = path.join(dir, `user-after-${capabilities.type}.mfrec`);
      await m.save(after);
      expect(fileHolds(after, FORGET_USER)).toBe(false);
      const back = await loadModel(after);
      expect(back.userIds).toEqual(others);
      expect(others.map((u) => back.recommend(u, { k: 5 }))).toEqual(answers);
      expect(await codeOf(() => m.forgetUser(FORGET_USER))).toBe('ERR_MFREC_UNKNOWN_ID');
    });

    it('forgetItem: never recommended nor similar again, gone from the file; seen filters still line up', async () => {
      const m = create({ threads: 1, seed: 1 });
      await m.fit(full);
      const before = path.join(dir, `item-before-${capabilities.type}.mfrec`);
      await m.save(before);
      expect(fileHolds(before, FORGET_ITEM)).toBe(true);
      const shows = (rs: Recommendation[]) => rs.some((r) => r.item === FORGET_ITEM);
      expect(shows(m.recommend('u12', { k: nItems + 1, filterSeen: false }))).toBe(true);
      expect(shows(m.similarItems('b0', { k: nItems }))).toBe(true);

      expect(m.hasItem(FORGET_ITEM)).toBe(true);
      await m.forgetItem(FORGET_ITEM);
      expect(m.hasItem(FORGET_ITEM)).toBe(false);
      expect(m.itemIds).toEqual(full.items.toArray().filter((i) => i !== FORGET_ITEM));
      if (capabilities.vectors) expect(m.itemVector(FORGET_ITEM)).toBeUndefined();
      const all = { k: nItems + 1, filterSeen: false };
      for (const u of m.userIds) {
        expect(shows(m.recommend(u, all)), String(u)).toBe(false);
        expect(m.recommend(u, all)).toHaveLength(nItems);
      }
      expect(shows(m.recommend('stranger', all))).toBe(false);
      for await (const block of m.recommendAll(all)) for (const { recommendations } of block.entries()) expect(shows(recommendations)).toBe(false);
      for (const item of m.itemIds) expect(shows(m.similarItems(item, { k: nItems })), String(item)).toBe(false);
      const batch = await m.similarItemsBatch(m.itemIds, { k: nItems });
      for (let r = 0; r < batch.length; r++) expect(shows(batch.row(r))).toBe(false);
      if (capabilities.recalculate) {
        const interactions = { items: ['b0', 'b1', 'b2', FORGET_ITEM], ...(kind === 'ratings' ? { values: [5, 5, 5, 5] } : {}) };
        expect(shows(m.recommend('live', { recalculate: true, interactions, ...all }))).toBe(false);
      }
      expect(await codeOf(() => m.similarItems(FORGET_ITEM))).toBe('ERR_MFREC_UNKNOWN_ID');
      // Item indices after the forgotten one moved: the seen filter must still remove exactly each user's items.
      for (const u of ['u3', 'u15', 'u20', FORGET_USER]) {
        const seen = new Set(full.byUser.indices.subarray(full.byUser.indptr[full.users.index(u)!]!, full.byUser.indptr[full.users.index(u)! + 1]!));
        const seenIds = new Set([...seen].map((i) => String(full.items.id(i))).filter((i) => i !== FORGET_ITEM));
        const got = m.recommend(u, { k: nItems });
        expect(got).toHaveLength(nItems - seenIds.size);
        for (const r of got) expect(seenIds.has(String(r.item)), `${u} ${r.item}`).toBe(false);
      }

      const after = path.join(dir, `item-after-${capabilities.type}.mfrec`);
      await m.save(after);
      expect(fileHolds(after, FORGET_ITEM)).toBe(false);
      const back = await loadModel(after);
      expect(back.itemIds).toEqual(m.itemIds);
      expect(m.userIds.map((u) => back.recommend(u, { k: 4 }))).toEqual(m.userIds.map((u) => m.recommend(u, { k: 4 })));
      if (capabilities.recalculate) {
        // Caches derived from the item factors (ALS's YᵀY) follow the forget: the loaded model, computing them afresh, agrees.
        const interactions = historyOf(kind, 'b');
        expectSameRanking(
          m.recommend('live', { recalculate: true, interactions, k: nItems }),
          back.recommend('live', { recalculate: true, interactions, k: nItems }),
          'fold-in after forgetItem',
        );
      }
    });

    it('unknown ids, bad ids, untrained models and running fits are refused with stable codes', async () => {
      expect(await codeOf(() => model.forgetUser('nobody'))).toBe('ERR_MFREC_UNKNOWN_ID');
      expect(await codeOf(() => model.forgetItem('nothing'))).toBe('ERR_MFREC_UNKNOWN_ID');
      expect(await codeOf(() => model.forgetUser({} as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => model.forgetItem(NaN))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => create({ threads: 1, seed: 1 }).forgetUser('u0'))).toBe('ERR_MFREC_NOT_FITTED');
      const users = model.userIds;
      const fitting = model.fit(full);
      expect(await codeOf(() => model.forgetUser('u0'))).toBe('ERR_MFREC_BUSY');
      expect(await codeOf(() => model.forgetItem('a0'))).toBe('ERR_MFREC_BUSY');
      await fitting;
      expect(model.userIds).toEqual(users);
    });
  });
}
