/**
 * The top-k ranking metrics of evaluateRanking (same definitions, see
 * docs/metrics.md) computed from a model's batch recommendations: the
 * native top-k kernel scores the catalogue in parallel instead of
 * JavaScript scoring every item for every user. Hyperparameter search
 * evaluates dozens of models, where that difference is most of the run
 * time. AUC needs every score, so it is left to evaluateRanking.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { Interactions } from '../data/interactions.js';
import { Recommender } from '../models/base/recommender.js';
import type { RawId } from '../data/id-map.js';
import { cutoff, integer, invalid, knownOptions } from '../validate.js';
import { ListSums } from './list-sums.js';
import type { RankingMetrics } from './ranking.js';

export type TopKMetrics = Omit<RankingMetrics, 'auc'>;

export interface TopKOptions {
  /** Length of the recommendation list. Default 10; integer >= 1. */
  k?: number;
  /** Threads of the top-k kernel; 0 (default) means all hardware threads. */
  threads?: number;
  /** Cancels the kernel: rejects with ERR_MFREC_ABORTED. */
  signal?: AbortSignal;
}

/**
 * Evaluates `model`, which must have been trained on `train` (its "seen"
 * items are the candidates left out), on `test`, which shares train's id
 * maps as splits produce them. Users and items are matched by raw id;
 * users the model does not know get its popular items, as in
 * recommendBatch.
 */
export async function evaluateTopK(model: Recommender, train: Interactions, test: Interactions, options?: TopKOptions): Promise<TopKMetrics> {
  if (!(model instanceof Recommender)) throw invalid('a trained model', 'model', model);
  if (!(train instanceof Interactions)) throw invalid('an Interactions object', 'train', train);
  if (!(test instanceof Interactions)) throw invalid('an Interactions object', 'test', test);
  if (train.users !== test.users || train.items !== test.items) {
    throw invalid('test data sharing the id maps of train (as produced by a split)', 'test', test);
  }
  const o = knownOptions('evaluateTopK options', options, ['k', 'threads', 'signal']);
  const k = cutoff('k', o.k, train.nItems);
  // Test may hold items added to the shared item map after train was built: size by both, so those count too.
  const nItems = Math.max(train.nItems, test.nItems);
  const threads = o.threads === undefined ? 0 : integer('threads', o.threads, 0, 256);

  // Held-out items per user that are not training items of that user (the only ones that can be hit).
  const tr = train.byUser;
  const te = test.byUser;
  const mark = new Int32Array(nItems);
  const taken = new Int32Array(nItems);
  const held: number[][] = [];
  const users: number[] = [];
  for (let u = 0; u < te.rows; u++) {
    const stamp = u + 1;
    if (u < tr.rows) for (let e = tr.indptr[u]!; e < tr.indptr[u + 1]!; e++) mark[tr.indices[e]!] = stamp;
    const items: number[] = [];
    for (let e = te.indptr[u]!; e < te.indptr[u + 1]!; e++) {
      const i = te.indices[e]!;
      if (mark[i] === stamp || taken[i] === stamp) continue;
      taken[i] = stamp;
      items.push(i);
    }
    if (items.length === 0) continue;
    users.push(u);
    held.push(items);
  }
  if (users.length === 0) {
    throw new MfrecError(ErrorCodes.EMPTY_DATA, 'evaluateTopK: no user has a held-out item outside their training items');
  }

  const ids: RawId[] = users.map((u) => train.users.id(u));
  const recs = await model.recommendBatch(ids, { k, filterSeen: true, threads, ...(o.signal ? { signal: o.signal as AbortSignal } : {}) });
  // Model item index → train item index, by raw id.
  const trainIndexOfModelItem = new Int32Array(model.itemIds.length);
  model.itemIds.forEach((id, m) => (trainIndexOfModelItem[m] = train.items.index(id) ?? -1));

  const isHeld = new Int32Array(nItems);
  const sums = new ListSums(k, nItems);
  for (let r = 0; r < users.length; r++) {
    const stamp = r + 1;
    const items = held[r]!;
    for (const i of items) isHeld[i] = stamp;
    for (let j = 0; j < recs.k; j++) {
      const m = recs.items[r * recs.k + j]!;
      if (m < 0) break;
      const i = trainIndexOfModelItem[m]!;
      if (i >= 0) sums.listed(i, j, isHeld[i] === stamp);
    }
    sums.endUser(items.length);
  }
  return { ...sums.means(users.length), users: users.length, k };
}
