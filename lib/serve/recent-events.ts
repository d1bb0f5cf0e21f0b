/**
 * The items each shopper touched since the model in use was swapped in,
 * kept in memory so that GET /recommend/:user can fold them in at once
 * (as a cart) instead of waiting for the next retrain. Bounded: the most
 * recently active users only (least recently active dropped first), and
 * each user's latest items only.
 */
import type { RawId } from '../data/id-map.js';
import type { ShopEvent } from '../events/shop-event.js';

/** Users remembered at most. */
export const RECENT_USERS = 10_000;
/** Latest distinct items remembered per user. */
export const RECENT_ITEMS_PER_USER = 50;

export class RecentEvents {
  // A Map iterates in insertion order: re-inserting a user on each event keeps the least recently active first.
  private readonly byUser = new Map<string, RawId[]>();

  constructor(
    private readonly maxUsers = RECENT_USERS,
    private readonly maxItemsPerUser = RECENT_ITEMS_PER_USER,
  ) {}

  add(events: readonly ShopEvent[]): void {
    for (const { user, item } of events) {
      const key = String(user);
      const items = this.byUser.get(key) ?? [];
      this.byUser.delete(key);
      const itemKey = String(item);
      const seen = items.findIndex((i) => String(i) === itemKey);
      if (seen >= 0) items.splice(seen, 1);
      items.push(item);
      if (items.length > this.maxItemsPerUser) items.splice(0, items.length - this.maxItemsPerUser);
      this.byUser.set(key, items);
      if (this.byUser.size > this.maxUsers) this.byUser.delete(this.byUser.keys().next().value!);
    }
  }

  /** The user's recent items, oldest first (a copy), or undefined when they have none. */
  itemsOf(user: RawId): RawId[] | undefined {
    return this.byUser.get(String(user))?.slice();
  }

  get users(): number {
    return this.byUser.size;
  }

  /** Forgets everything: a new model has been swapped in. */
  clear(): void {
    this.byUser.clear();
  }
}
