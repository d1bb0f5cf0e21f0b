import { describe, expect, it } from 'vitest';
import { eventsToInteractions } from '../../lib/events/to-interactions.js';
import type { ShopEvent } from '../../lib/events/shop-event.js';
import { IdMap } from '../../lib/data/id-map.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

function pairValue(data: ReturnType<typeof eventsToInteractions>, user: string, item: string): number | undefined {
  const u = data.users.index(user)!;
  const i = data.items.index(item)!;
  const r = data.byUser;
  for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) if (r.indices[e] === i) return r.values[e];
  return undefined;
}

describe('eventsToInteractions', () => {
  const events: ShopEvent[] = [
    { user: 'u1', item: 'i1', type: 'view', time: NOW },
    { user: 'u1', item: 'i1', type: 'purchase', time: NOW - 10 * DAY },
    { user: 'u2', item: 'i2', type: 'cart', time: NOW - 20 * DAY },
  ];

  it('adds the type weights of each (user, item) pair', () => {
    const data = eventsToInteractions(events);
    expect(data.nnz).toBe(2);
    expect(pairValue(data, 'u1', 'i1')).toBe(1 + 5);
    expect(pairValue(data, 'u2', 'i2')).toBe(3);
  });

  it('uses the given weights', () => {
    const data = eventsToInteractions(events, { weights: { view: 2, cart: 4, purchase: 10 } });
    expect(pairValue(data, 'u1', 'i1')).toBe(12);
  });

  it('halves an event weight every halfLifeDays of age, measured from now', () => {
    const data = eventsToInteractions(events, { halfLifeDays: 10, now: NOW });
    expect(pairValue(data, 'u1', 'i1')).toBeCloseTo(1 + 5 * 0.5, 5);
    expect(pairValue(data, 'u2', 'i2')).toBeCloseTo(3 * 0.25, 5);
  });

  it('measures ages from the latest event by default, and counts future events as age 0', () => {
    expect(pairValue(eventsToInteractions(events, { halfLifeDays: 10 }), 'u2', 'i2')).toBeCloseTo(0.75, 5);
    const data = eventsToInteractions(events, { halfLifeDays: 10, now: NOW - 10 * DAY });
    expect(pairValue(data, 'u1', 'i1')).toBeCloseTo(1 + 5, 5);
  });

  it('extends given id maps so indices line up', () => {
    const users = new IdMap(['u0', 'u2']);
    const data = eventsToInteractions(events, { users });
    expect(data.users).toBe(users);
    expect(users.index('u2')).toBe(1);
    expect(users.index('u1')).toBe(2);
  });

  it('refuses bad events with a typed error naming the event and field', () => {
    const bad = (e: unknown, field: string) =>
      expect(() => eventsToInteractions([events[0]!, e as ShopEvent])).toThrow(
        expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT', message: expect.stringContaining(field) }),
      );
    bad({ ...events[0], type: 'wishlist' }, 'events[1].type');
    bad({ ...events[0], user: '' }, 'events[1].user');
    bad({ ...events[0], item: null }, 'events[1].item');
    bad({ ...events[0], time: Number.NaN }, 'events[1].time');
    bad(null, 'events[1]');
  });

  it('refuses bad options and empty input', () => {
    expect(() => eventsToInteractions([])).toThrow(expect.objectContaining({ code: 'ERR_MFREC_EMPTY_DATA' }));
    expect(() => eventsToInteractions(events, { halfLifeDays: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT', message: expect.stringContaining('halfLifeDays') }),
    );
    expect(() => eventsToInteractions(events, { weights: { view: -1 } })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('weights.view') }),
    );
    expect(() => eventsToInteractions(events, { halfLife: 3 } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
  });
});
