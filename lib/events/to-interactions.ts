/**
 * Shop events → training interactions: each event counts its type's weight,
 * optionally decayed by its age (a half-life in days, relative to `now`),
 * and the weights of one (user, item) pair add up.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { IdMap } from '../data/id-map.js';
import { Interactions } from '../data/interactions.js';
import { invalid, knownOptions, number } from '../validate.js';
import { DEFAULT_EVENT_WEIGHTS, type EventWeights, type ShopEvent } from './shop-event.js';

const DAY_MS = 86_400_000;

export interface EventsToInteractionsOptions {
  /** Weight of each event type; an event of a type not named here is refused. Default {@link DEFAULT_EVENT_WEIGHTS}. */
  weights?: EventWeights;
  /** Recency decay: an event `age` days old counts weight × 0.5^(age / halfLifeDays). Default: no decay. */
  halfLifeDays?: number;
  /** The time ages are measured from (ms since the epoch). Default: the latest event's time. Events after it count as age 0. */
  now?: number;
  /** Id maps to extend (a model's or a training set's), so indices line up. */
  users?: IdMap;
  items?: IdMap;
}

/**
 * Turns `events` into interactions: one entry per (user, item), valued by the
 * sum of its events' (decayed) weights, timestamped with its latest event
 * (ms). Bad events are refused with ERR_MFREC_INVALID_ARGUMENT naming the
 * event's position and the field; no event at all is ERR_MFREC_EMPTY_DATA.
 */
export function eventsToInteractions(events: Iterable<ShopEvent>, options: EventsToInteractionsOptions = {}): Interactions {
  const o = knownOptions('eventsToInteractions', options, ['weights', 'halfLifeDays', 'now', 'users', 'items']);
  const weights = o.weights === undefined ? DEFAULT_EVENT_WEIGHTS : checkWeights(o.weights);
  const halfLifeDays = o.halfLifeDays === undefined ? undefined : number('halfLifeDays', o.halfLifeDays, { min: 0, exclusiveMin: true });
  const list = Array.isArray(events) ? (events as ShopEvent[]) : Array.from(events);
  if (list.length === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'eventsToInteractions: no events');
  list.forEach(checkEvent(weights));
  const now = o.now === undefined ? latest(list) : number('now', o.now, {});
  const values = new Float32Array(list.length);
  const times = new Float64Array(list.length);
  list.forEach((e, k) => {
    const age = Math.max(0, now - e.time) / DAY_MS;
    values[k] = weights[e.type]! * (halfLifeDays === undefined ? 1 : 0.5 ** (age / halfLifeDays));
    times[k] = e.time;
  });
  return Interactions.fromArrays(
    list.map((e) => e.user),
    list.map((e) => e.item),
    {
      values,
      timestamps: times,
      aggregate: 'sum',
      ...(o.users !== undefined ? { users: o.users as IdMap } : {}),
      ...(o.items !== undefined ? { items: o.items as IdMap } : {}),
    },
  );
}

function checkWeights(weights: unknown): EventWeights {
  if (weights === null || typeof weights !== 'object' || Array.isArray(weights)) throw invalid('an object of event type → weight', 'weights', weights);
  for (const [type, w] of Object.entries(weights)) number(`weights.${type}`, w, { min: 0, exclusiveMin: true });
  return weights as EventWeights;
}

function checkEvent(weights: EventWeights): (e: ShopEvent, k: number) => void {
  return (e, k) => {
    const where = `events[${k}]`;
    if (e === null || typeof e !== 'object') throw invalid('an event { user, item, type, time }', where, e);
    if (!isId(e.user)) throw invalid('a user id (non-empty string or finite number)', `${where}.user`, e.user);
    if (!isId(e.item)) throw invalid('an item id (non-empty string or finite number)', `${where}.item`, e.item);
    if (typeof e.type !== 'string' || !Object.hasOwn(weights, e.type)) {
      throw invalid(`an event type with a weight (${Object.keys(weights).join(', ')})`, `${where}.type`, e.type);
    }
    if (typeof e.time !== 'number' || !Number.isFinite(e.time)) throw invalid('a time in ms since the epoch', `${where}.time`, e.time);
  };
}

function isId(id: unknown): boolean {
  return (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id));
}

function latest(events: readonly ShopEvent[]): number {
  let t = -Infinity;
  for (const e of events) if (e.time > t) t = e.time;
  return t;
}
