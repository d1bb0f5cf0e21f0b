/**
 * How the retrain child turns shop events into model updates: a full
 * training set (base data plus weighted events), or an incremental update
 * of a saved model (partial fits of the events' users and new items).
 */
import type { RawId } from '../data/id-map.js';
import { Interactions } from '../data/interactions.js';
import { ErrorCodes, isMfrecError, MfrecError } from '../errors.js';
import { eventsToInteractions } from '../events/to-interactions.js';
import { ItemItemModel } from '../models/item-item/item-item-model.js';
import { loadModel } from '../persist/load-model.js';
import type { EventsPart, PartialJob, Trained } from './retrain-job.js';

function toInteractions(part: EventsPart, maps: { users?: Interactions['users']; items?: Interactions['items'] } = {}): Interactions {
  return eventsToInteractions(part.events, {
    ...(part.weights !== undefined ? { weights: part.weights } : {}),
    ...(part.halfLifeDays !== undefined ? { halfLifeDays: part.halfLifeDays } : {}),
    ...(part.now !== undefined ? { now: part.now } : {}),
    ...maps,
  });
}

/**
 * Base data plus the events' interactions (values added where a pair is in
 * both). With a half-life, the base data counts as old as the oldest event
 * (it comes before the events): its values are scaled by that age's decay,
 * so decayed events never weigh less than older base data.
 */
export function fullTrainingData(base: Interactions | undefined, events: EventsPart | undefined): Interactions {
  const hasEvents = events !== undefined && events.events.length > 0;
  if (base === undefined && !hasEvents) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'retrain: neither base data nor events to train on');
  if (!hasEvents) return base!;
  if (base === undefined) return toInteractions(events);
  // The events extend the base id maps, so both sets index the same users and items.
  const added = toInteractions(events, { users: base.users, items: base.items });
  const u = concat(Int32Array, base.userOfEntry, added.userOfEntry);
  const i = concat(Int32Array, base.byUser.indices, added.byUser.indices);
  const v = concat(Float32Array, base.byUser.values, added.byUser.values);
  if (events.halfLifeDays !== undefined) {
    const scale = 0.5 ** (ageDays(events) / events.halfLifeDays);
    for (let k = 0; k < base.nnz; k++) v[k] = v[k]! * scale;
  }
  return Interactions.fromIndices(base.users, base.items, u, i, v, undefined, 'sum');
}

/** Days from the oldest event to `now` (default the latest event). */
function ageDays(part: EventsPart): number {
  let oldest = Infinity;
  let latest = -Infinity;
  for (const e of part.events) {
    oldest = Math.min(oldest, e.time);
    latest = Math.max(latest, e.time);
  }
  return Math.max(0, (part.now ?? latest) - oldest) / 86_400_000;
}

function concat<T extends Int32Array | Float32Array>(Type: { new (n: number): T }, a: T, b: T): T {
  const out = new Type(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Loads the model of `job.from`, then: (1) re-solves each user of the events
 * from their trained history plus their new events (partialFitUsers wants the
 * whole history), (2) adds the items the model did not know from their
 * events (partialFitItems), (3) re-solves the users who touched those new
 * items, now that the items have vectors. Existing items keep their vectors
 * until the next full retrain, as do the new items of item-to-item models
 * (their weights need a full fit). Saves to `job.out` atomically.
 */
export async function partiallyFit(job: PartialJob): Promise<Omit<Trained, 'seconds'>> {
  const model = await loadModel(job.from);
  if (!model.supportsPartialFit) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `retrain: the ${model.type} model has no partial fit; use full retrains for it`);
  }
  const fresh = toInteractions(job.events);
  const historyOf = (users: Iterable<number>) => {
    const us: RawId[] = [];
    const is: RawId[] = [];
    const vs: number[] = [];
    for (const u of users) {
      const user = fresh.users.id(u);
      const trained = model.trainedHistory(user);
      const r = fresh.byUser;
      for (let k = 0; k < trained.items.length; k++) us.push(user), is.push(trained.items[k]!), vs.push(trained.values[k]!);
      for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) us.push(user), is.push(fresh.items.id(r.indices[e]!)), vs.push(r.values[e]!);
    }
    return Interactions.fromArrays(us, is, { values: vs });
  };
  const allUsers = Array.from({ length: fresh.nUsers }, (_, u) => u);
  await skipEmpty(() => model.partialFitUsers(historyOf(allUsers)));

  const newItems = new Set<number>();
  // Item-to-item weights come from all items at once: their new items wait for the next full retrain.
  const canAddItems = !(model instanceof ItemItemModel);
  for (let i = 0; i < fresh.nItems; i++) if (canAddItems && !model.hasItem(fresh.items.id(i))) newItems.add(i);
  if (newItems.size > 0) {
    const r = fresh.byItem;
    const us: RawId[] = [];
    const is: RawId[] = [];
    const vs: number[] = [];
    const touched = new Set<number>();
    for (const i of newItems) {
      for (let e = r.indptr[i]!; e < r.indptr[i + 1]!; e++) {
        us.push(fresh.users.id(r.indices[e]!)), is.push(fresh.items.id(i)), vs.push(r.values[e]!);
        touched.add(r.indices[e]!);
      }
    }
    await model.partialFitItems(Interactions.fromArrays(us, is, { values: vs }));
    // Their trained history now holds the known items; add the events again, new items included.
    await model.partialFitUsers(historyWithout(model, fresh, touched, newItems));
  }
  await model.save(job.out);
  return { users: model.userIds.length, items: model.itemIds.length, interactions: fresh.nnz };
}

/** The users' trained histories minus the items just added (not in them yet), plus every event of theirs. */
function historyWithout(model: Awaited<ReturnType<typeof loadModel>>, fresh: Interactions, users: Set<number>, newItems: Set<number>): Interactions {
  const us: RawId[] = [];
  const is: RawId[] = [];
  const vs: number[] = [];
  const r = fresh.byUser;
  for (const u of users) {
    const user = fresh.users.id(u);
    // After step (1) the trained history already holds the events on known items; only the new items' events are missing.
    const trained = model.trainedHistory(user);
    for (let k = 0; k < trained.items.length; k++) us.push(user), is.push(trained.items[k]!), vs.push(trained.values[k]!);
    for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) {
      if (newItems.has(r.indices[e]!)) us.push(user), is.push(fresh.items.id(r.indices[e]!)), vs.push(r.values[e]!);
    }
  }
  return Interactions.fromArrays(us, is, { values: vs });
}

/** A partial fit of users whose events all name unknown items has nothing to solve: that is not a failure. */
async function skipEmpty(fit: () => Promise<unknown>): Promise<void> {
  try {
    await fit();
  } catch (e) {
    if (!isMfrecError(e, ErrorCodes.EMPTY_DATA)) throw e;
  }
}
