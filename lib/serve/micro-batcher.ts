/**
 * Micro-batching for a service: single-user recommend calls that arrive
 * together (within one turn of the event loop, or a short window) are
 * answered by one recommendBatch, which scores all their users with one
 * matrix product and ranks them off the event loop, instead of one scan of
 * the catalogue per call on it. Each call resolves with what
 * recommend(user, options) returns, or rejects with its error: the same
 * ranking, with factor-model scores equal to float rounding (the batch's
 * matrix product rounds a row's sums in the last bits differently from a
 * one-row product, which can only swap items whose scores tie to within
 * that rounding). Calls are grouped by their options, since one batch takes
 * one set of options.
 */
import type { RawId } from '../data/id-map.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { BatchRecommendations, Recommender } from '../models/base/recommender.js';
import type { LiveRecommendOptions } from '../models/base/recommend.js';
import { rawId, type Recommendation } from '../models/base/recommend-options.js';
import { integer, knownOptions, number } from '../validate.js';

export interface MicroBatcherOptions {
  /**
   * How long a call may wait for others, in milliseconds: 0 (default) sends
   * what arrived in the current turn of the event loop (setImmediate), a
   * positive value waits that long after the first call of a batch (at most 1).
   */
  windowMs?: number;
  /** A batch that reaches this many calls is sent at once. Integer >= 1, default 256. */
  maxBatch?: number;
  /**
   * Batches smaller than this are answered by single recommend calls, which
   * are faster for one or two users (bench/README.md). Integer >= 1, default 2.
   */
  minBatch?: number;
  /** Threads of each batch call (0 = all hardware threads). Default 1, which leaves the other cores to the service. */
  threads?: number;
}

/** The model calls are answered by: one model, or a function returning the current one (a service's hot-swapped handle). */
export type ModelSource = Recommender | (() => Recommender);

interface Pending {
  user: RawId;
  options: LiveRecommendOptions | undefined;
  resolve: (r: Recommendation[]) => void;
  reject: (e: unknown) => void;
}

/** Identities of the id lists seen in options: lists are compared by identity, not content (a long in-stock list costs nothing per call). */
const listIds = new WeakMap<object, number>();
let nextListId = 1;
function listKey(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  let id = listIds.get(value);
  if (id === undefined) listIds.set(value, (id = nextListId++));
  return `#${id}`;
}

/** The options a batch shares with recommend(); any other (recalculate, cart, threads, a misspelt or batch-only name) makes a single call. */
const SHARED_OPTIONS = new Set(['k', 'filterSeen', 'exclude', 'candidates', 'coldStart', 'rules', 'approximate', 'ef']);

/** The options as a batch key, or undefined when the call must be made alone (so it gets recommend()'s own answer or error). */
function batchKey(options: LiveRecommendOptions | undefined): string | undefined {
  if (options === undefined) return '';
  if (options === null || typeof options !== 'object') return undefined;
  const o = options as Record<string, unknown>;
  if (Object.keys(o).some((name) => !SHARED_OPTIONS.has(name))) return undefined;
  // Compiled rules are keyed by identity, as lists are: calls passing the same RankingRules share a batch.
  return JSON.stringify([o.k, o.filterSeen, listKey(o.exclude), listKey(o.candidates), o.coldStart, listKey(o.rules), o.approximate, o.ef]);
}

export class MicroBatcher {
  private readonly source: () => Recommender;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly minBatch: number;
  private readonly threads: number;
  private readonly groups = new Map<string, Pending[]>();
  private scheduled = false;

  constructor(model: ModelSource, options?: MicroBatcherOptions) {
    if (typeof model !== 'function' && (model === null || typeof model !== 'object' || typeof model.recommendBatch !== 'function')) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'MicroBatcher: model must be a trained recommender or a function returning one');
    }
    this.source = typeof model === 'function' ? model : () => model;
    const o = knownOptions('MicroBatcher', options, ['windowMs', 'maxBatch', 'minBatch', 'threads']);
    this.windowMs = o.windowMs === undefined ? 0 : number('windowMs', o.windowMs, { min: 0, max: 1 });
    this.maxBatch = o.maxBatch === undefined ? 256 : integer('maxBatch', o.maxBatch, 1);
    this.minBatch = o.minBatch === undefined ? 2 : integer('minBatch', o.minBatch, 1);
    this.threads = o.threads === undefined ? 1 : integer('threads', o.threads, 0, 256);
  }

  /** recommend(user, options) of the current model, answered with the other calls of this turn (or window). */
  recommend(user: RawId, options?: LiveRecommendOptions): Promise<Recommendation[]> {
    const key = batchKey(options);
    if (key === undefined) return this.single(user, options);
    return new Promise((resolve, reject) => {
      let group = this.groups.get(key);
      if (group === undefined) this.groups.set(key, (group = []));
      group.push({ user, options, resolve, reject });
      if (group.length >= this.maxBatch) {
        this.groups.delete(key);
        void this.send(group);
      } else {
        this.schedule();
      }
    });
  }

  /** Calls waiting to be sent. */
  get pending(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.length;
    return n;
  }

  private single(user: RawId, options: LiveRecommendOptions | undefined): Promise<Recommendation[]> {
    try {
      return Promise.resolve(this.source().recommend(user, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = (): void => {
      this.scheduled = false;
      const groups = [...this.groups.values()];
      this.groups.clear();
      for (const g of groups) void this.send(g);
    };
    if (this.windowMs === 0) setImmediate(flush);
    else setTimeout(flush, this.windowMs);
  }

  /** Answers one group: a batch call when it is large enough, single calls otherwise or when the batch fails. */
  private async send(group: Pending[]): Promise<void> {
    let model: Recommender;
    try {
      model = this.source();
    } catch (e) {
      // A model source that throws (no model loaded yet, say) fails the calls waiting on it, not the process.
      for (const p of group) p.reject(e);
      return;
    }
    const answerOne = (p: Pending): void => {
      try {
        p.resolve(model.recommend(p.user, p.options));
      } catch (e) {
        p.reject(e);
      }
    };
    // Calls that would fail alone fail alone (a bad id, or coldStart: 'error' for a user the model cannot score).
    const batched: Pending[] = [];
    for (const p of group) {
      if (!validUser(p.user) || (p.options?.coldStart === 'error' && !safeHasUser(model, p.user))) answerOne(p);
      else batched.push(p);
    }
    if (batched.length < this.minBatch) {
      for (const p of batched) answerOne(p);
      return;
    }
    let rows: BatchRecommendations;
    try {
      rows = await model.recommendBatch(
        batched.map((p) => p.user),
        { ...(batched[0]!.options ?? {}), threads: this.threads },
      );
    } catch {
      // Options a batch refuses (say k = 0) are refused by each single call with its own error.
      for (const p of batched) answerOne(p);
      return;
    }
    batched.forEach((p, r) => p.resolve(rows.row(r)));
  }
}

function validUser(user: unknown): boolean {
  try {
    rawId('user', user);
    return true;
  } catch {
    return false;
  }
}

function safeHasUser(model: Recommender, user: RawId): boolean {
  try {
    return model.hasUser(user);
  } catch {
    return false;
  }
}
