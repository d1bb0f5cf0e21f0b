import { describe, expect, it } from 'vitest';
import { Interactions } from '../../lib/data/interactions.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import { fullTrainingData } from '../../lib/serve/retrain-events.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1);

function valueOf(data: Interactions, user: string, item: string): number | undefined {
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
    expect(valueOf(data, 'u1', 'i1')).toBe(4 + 5);
    expect(valueOf(data, 'u2', 'i2')).toBe(2);
    expect(valueOf(data, 'u3', 'i3')).toBe(1);
  });

  it('with a half-life, decays the base data as old as the oldest event, so it never outweighs the events', () => {
    const data = fullTrainingData(base(), { events, halfLifeDays: 10, now: T });
    // The base data and the oldest event are both 20 days old: a quarter of their weight.
    expect(valueOf(data, 'u1', 'i1')).toBeCloseTo(4 * 0.25 + 5 * 0.25, 5);
    expect(valueOf(data, 'u2', 'i2')).toBeCloseTo(2 * 0.25, 5);
    expect(valueOf(data, 'u3', 'i3')).toBeCloseTo(1, 5);
  });

  it('refuses to train on nothing', () => {
    expect(() => fullTrainingData(undefined, { events: [] })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_EMPTY_DATA' }));
  });
});
