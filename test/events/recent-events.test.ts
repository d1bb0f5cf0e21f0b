import { describe, expect, it } from 'vitest';
import { RecentEvents } from '../../lib/serve/recent-events.js';

const ev = (user: string | number, item: string | number) => ({ user, item, type: 'view', time: 0 });

describe('RecentEvents', () => {
  it('keeps each user’s latest distinct items, oldest first, at most the cap', () => {
    const r = new RecentEvents(10, 3);
    r.add([ev('u', 'a'), ev('u', 'b'), ev('u', 'a'), ev('u', 'c'), ev('u', 'd')]);
    expect(r.itemsOf('u')).toEqual(['a', 'c', 'd']);
    expect(r.itemsOf('nobody')).toBeUndefined();
  });

  it('forgets the least recently active user beyond the user cap, and keys ids by their string form', () => {
    const r = new RecentEvents(2, 5);
    r.add([ev(1, 'a'), ev('2', 'b')]);
    r.add([ev('1', 'c')]); // user 1 active again: user 2 is now the least recent
    r.add([ev('3', 'd')]);
    expect(r.users).toBe(2);
    expect(r.itemsOf('2')).toBeUndefined();
    expect(r.itemsOf(1)).toEqual(['a', 'c']);
    r.clear();
    expect(r.users).toBe(0);
  });
});
