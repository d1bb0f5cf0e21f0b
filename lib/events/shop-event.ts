/**
 * What a shop reports about its shoppers (POST /events, the event log, the
 * retrain loop): one shopper did one thing to one item at one time.
 */
import type { RawId } from '../data/id-map.js';

export interface ShopEvent {
  user: RawId;
  item: RawId;
  /** What happened: 'view', 'cart', 'purchase' or any type the weights name. */
  type: string;
  /** When, in milliseconds since the Unix epoch (the server's clock when the sender gave none). */
  time: number;
}

/** How much each event type counts when events become training interactions. */
export type EventWeights = Readonly<Record<string, number>>;

/** Default weights: a purchase says more than a cart, a cart more than a view. */
export const DEFAULT_EVENT_WEIGHTS: EventWeights = Object.freeze({ view: 1, cart: 3, purchase: 5 });
