/**
 * The retrain loop's promotion gate: the most recent events are held out of
 * the retrain, and the new model replaces the running one only if its
 * precision@k on them is not lower than the running model's by more than
 * `margin` (precisionGate on those events).
 */
import { IdMap } from '../data/id-map.js';
import type { Interactions } from '../data/interactions.js';
import { eventsToInteractions } from '../events/to-interactions.js';
import { DEFAULT_EVENT_WEIGHTS, type EventWeights, type ShopEvent } from '../events/shop-event.js';
import { integer, knownOptions, number } from '../validate.js';
import type { PromotionGate } from './model-handle.js';
import { precisionGate } from './precision-gate.js';

export interface RecentEventsGateOptions {
  /** How many of the most recent events are held out of each retrain to judge it (at most half the events). Default 200. */
  holdoutEvents?: number;
  /** List length. Default 10. */
  k?: number;
  /** How much lower than the running model's the candidate's precision may be, in [0, 1]. Default 0. */
  margin?: number;
}

export interface EventSplit {
  /** Events to train on, oldest first. */
  trained: ShopEvent[];
  /** The most recent events, held out of the retrain to judge it. */
  heldOut: ShopEvent[];
  /** The time of the first held-out event: the next run reads events from it on. */
  heldOutFrom: number;
}

export interface RecentEventsGate {
  readonly holdoutEvents: number;
  readonly k: number;
  readonly margin: number;
  /** Splits events by time; undefined when there are fewer than two (nothing to both train on and judge by). */
  split(events: readonly ShopEvent[]): EventSplit | undefined;
  /** The gate for one retrain: precision@k on `split.heldOut`, the trained events marking what each user has seen. */
  gateFor(split: EventSplit, weights?: EventWeights): PromotionGate;
}

export function recentEventsGate(options: RecentEventsGateOptions = {}): RecentEventsGate {
  const o = knownOptions('recentEventsGate', options, ['holdoutEvents', 'k', 'margin']);
  const holdoutEvents = o.holdoutEvents === undefined ? 200 : integer('holdoutEvents', o.holdoutEvents, 1);
  const k = o.k === undefined ? 10 : integer('k', o.k, 1, 10_000);
  const margin = o.margin === undefined ? 0 : number('margin', o.margin, { min: 0, max: 1 });
  return {
    holdoutEvents,
    k,
    margin,
    split(events) {
      if (events.length < 2) return undefined;
      const sorted = [...events].sort((a, b) => a.time - b.time);
      let at = sorted.length - Math.min(holdoutEvents, Math.floor(sorted.length / 2));
      // Events of the same millisecond stay on one side, so "read from heldOutFrom on" misses none.
      while (at > 0 && sorted[at - 1]!.time === sorted[at]!.time) at--;
      if (at === 0) return undefined;
      return { trained: sorted.slice(0, at), heldOut: sorted.slice(at), heldOutFrom: sorted[at]!.time };
    },
    gateFor(split, weights = DEFAULT_EVENT_WEIGHTS) {
      // Id maps holding every id first: evaluateTopK counts only held-out items within the train set's columns.
      const users = new IdMap();
      const items = new IdMap();
      for (const e of [...split.trained, ...split.heldOut]) users.add(e.user), items.add(e.item);
      const train: Interactions = eventsToInteractions(split.trained, { weights, users, items });
      const test = eventsToInteractions(split.heldOut, { weights, users, items });
      return precisionGate({ holdout: { train, test }, k, margin });
    },
  };
}
