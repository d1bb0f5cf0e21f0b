import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import { EASE } from '../../lib/index.js';
import { loadModel } from '../../lib/persist/load-model.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import { fullTrainingData, partiallyFit } from '../../lib/serve/retrain-events.js';
import { checkerboard } from '../helpers/implicit-data.js';
import { savedAls, tempDir } from './fixtures.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1);

function pairValue(data: Interactions, user: string, item: string): number | undefined {
  const u = data.users.index(user)!;
  const i = data.items.index(item)!;
  const r = data.byUser;
  for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) if (r.indices[e] === i) return r.values[e];
  return undefined;
}

describe('fullTrainingData', () => {
  const base = () => Interactions.fromArrays(['u1', 'u2'], ['i1', 'i2'], { values: [4, 2] });
  const events: ShopEvent[] = [
    { user: 'u1', item: 'i1', type: 'purchase', time: T - 20 * DAY },
    { user: 'u3', item: 'i3', type: 'view', time: T },
  ];

  it('adds the events to the base data, new users and items appended', () => {
    const data = fullTrainingData(base(), { events });
    expect(data.nUsers).toBe(3);
    expect(data.nItems).toBe(3);
    expect(pairValue(data, 'u1', 'i1')).toBe(4 + 5);
    expect(pairValue(data, 'u2', 'i2')).toBe(2);
    expect(pairValue(data, 'u3', 'i3')).toBe(1);
  });

  it('with a half-life, decays the base data as old as the oldest event, so it never outweighs the events', () => {
    const data = fullTrainingData(base(), { events, halfLifeDays: 10, now: T });
    // The base data and the oldest event are both 20 days old: a quarter of their weight.
    expect(pairValue(data, 'u1', 'i1')).toBeCloseTo(4 * 0.25 + 5 * 0.25, 5);
    expect(pairValue(data, 'u2', 'i2')).toBeCloseTo(2 * 0.25, 5);
    expect(pairValue(data, 'u3', 'i3')).toBeCloseTo(1, 5);
  });

  it('refuses to train on nothing', () => {
    expect(() => fullTrainingData(undefined, { events: [] })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_EMPTY_DATA' }));
  });
});

describe('partiallyFit', () => {
  const newcomer: ShopEvent[] = [
    { user: 'newbie', item: 'a0', type: 'purchase', time: T },
    { user: 'newbie', item: 'a1', type: 'purchase', time: T + 1 },
    { user: 'u0', item: 'a-new', type: 'purchase', time: T + 2 },
    { user: 'newbie', item: 'a-new', type: 'purchase', time: T + 3 },
  ];

  it('adds new users and items to a factor model', async () => {
    const dir = tempDir();
    const from = await savedAls(dir);
    const out = path.join(dir, 'next.mfrec');
    await partiallyFit({ kind: 'partial', from, events: { events: newcomer }, out });
    const model = await loadModel(out);
    expect(model.hasUser('newbie')).toBe(true);
    expect(model.hasItem('a-new')).toBe(true);
    expect(model.trainedHistory('newbie').items.sort()).toEqual(['a-new', 'a0', 'a1']);
  });

  it('adds new users to an item-to-item model; its new items wait for a full retrain', async () => {
    const dir = tempDir();
    const from = path.join(dir, 'ease.mfrec');
    await (await new EASE().fit(checkerboard(1))).save(from);
    const out = path.join(dir, 'next.mfrec');
    await partiallyFit({ kind: 'partial', from, events: { events: newcomer }, out });
    const model = await loadModel(out);
    expect(model.hasUser('newbie')).toBe(true);
    expect(model.hasItem('a-new')).toBe(false);
    expect(model.recommend('newbie', { k: 3 }).every((r) => String(r.item).startsWith('a'))).toBe(true);
  });
});
