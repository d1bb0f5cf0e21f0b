/**
 * recommend(), recommendBatch() and recommendAll() of every factor model:
 * options resolved once, then the ranking engine (ranking.ts) on the
 * calling thread or off it.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { RawId } from '../../data/id-map.js';
import { integer } from '../../validate.js';
import type { BatchRecommendations } from './batch-recommendations.js';
import type { FactorState } from './factor-state.js';
import { historyPlusCart, knownItemIndices, takeLiveOptions, type CheckedHistory, type FoldedUser, type LiveInteractions } from './live-history.js';
import { rankFolded, rankRows, rankRowsSync, warmIndex } from './ranking.js';
import {
  RECOMMEND_OPTION_NAMES,
  rawId,
  rawIds,
  resolveRecommendOptions,
  takeSignal,
  type ResolvedRecommendOptions,
  type BatchRecommendOptions,
  type RecommendOptions,
  type Recommendation,
} from './recommend-options.js';
import { cancellable } from './training.js';

/** recommend()'s options: the ranking options, plus recalculating the user from a given history. */
export interface LiveRecommendOptions extends RecommendOptions {
  /**
   * Solve the user's vector from `interactions` against the fixed item
   * factors (the model's fold-in) instead of using the trained one, known
   * user or not. Needs a model with `supportsRecalculate`. Default false.
   */
  recalculate?: boolean;
  /**
   * With `recalculate: true`: the user's current, whole history. Item ids the
   * model does not know are skipped. `filterSeen` then filters these items
   * (not the training record). Explicit models need `values` (ratings).
   */
  interactions?: LiveInteractions;
  /**
   * Items added on top of the user's trained history (a live shopping cart):
   * the user is folded in over their training interactions plus these items
   * (`recalculate` instead replaces the history). A user without training
   * interactions is folded in from the cart alone; a cart without any item
   * the model knows changes nothing. `filterSeen` then also leaves out the
   * cart. An array of item ids, or `{ items, values? }` as `interactions`
   * (the explicit model needs `values`: ratings). Needs `supportsRecalculate`.
   */
  cart?: ArrayLike<RawId> | LiveInteractions;
}

export interface RecommendAllOptions extends BatchRecommendOptions {
  /** Users per yielded block, integer >= 1. Default 1024. Memory stays at one block's results. */
  blockSize?: number;
}

/** The model's fold-in for recommend()'s recalculate path: undefined when the history holds no known item. */
export type FoldIn = (s: FactorState, history: CheckedHistory) => FoldedUser | undefined;

/**
 * See Recommender.recommend. `valuesRequired`: the model folds in from
 * ratings, so a cart must carry them (the trained history always has values).
 */
export function recommendFor(s: FactorState, user: RawId, options: LiveRecommendOptions | undefined, foldIn: FoldIn, valuesRequired = false): Recommendation[] {
  const id = rawId('user', user);
  const { history, cart, rest } = takeLiveOptions('recommend', options, RECOMMEND_OPTION_NAMES);
  const o = resolveRecommendOptions('recommend', rest, s.items);
  if (cart !== undefined) {
    if (valuesRequired && cart.values === undefined) {
      throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'recommend: cart needs { items, values } with ratings (this model folds users in from ratings)');
    }
    const u = s.users.index(id);
    if (knownItemIndices(cart.items, s.items).length === 0) return rankRowsSync(s, [id], Int32Array.of(warmIndex(s, id, o)), o, o.threads ?? 1).row(0);
    return rankHistory(s, id, historyPlusCart(s, u, cart), o, foldIn);
  }
  if (history === undefined) return rankRowsSync(s, [id], Int32Array.of(warmIndex(s, id, o)), o, o.threads ?? 1).row(0);
  return rankHistory(s, id, history, o, foldIn);
}

/** Ranks for the fold-in of `history` (a cold start when it holds no known item), leaving out its items under filterSeen. */
function rankHistory(s: FactorState, id: RawId, history: CheckedHistory, o: ResolvedRecommendOptions, foldIn: FoldIn): Recommendation[] {
  const folded = foldIn(s, history);
  if (folded === undefined) {
    if (o.coldStart === 'error') {
      throw new MfrecError(ErrorCodes.UNKNOWN_ID, `User ${JSON.stringify(id)}'s interactions hold no item the model knows (coldStart: 'error')`);
    }
    return rankRowsSync(s, [id], Int32Array.of(-1), o, 1).row(0);
  }
  return rankFolded(s, id, folded, o.filterSeen ? knownItemIndices(history.items, s.items) : undefined, o);
}

/** See Recommender.recommendBatch. */
export function recommendBatch(s: FactorState, users: ArrayLike<RawId>, options: BatchRecommendOptions | undefined): Promise<BatchRecommendations> {
  const list = rawIds('users', users);
  const { signal, rest } = takeSignal('recommendBatch', options, [...RECOMMEND_OPTION_NAMES, 'signal']);
  const o = resolveRecommendOptions('recommendBatch', rest, s.items);
  const ids = Array.from(list);
  const rows = Int32Array.from(ids, (id) => warmIndex(s, id, o));
  return cancellable(signal, (cancel) => rankRows(s, ids, rows, o, o.threads ?? 0, cancel.array));
}

/** See Recommender.recommendAll: options are checked now, blocks ranked as they are asked for. */
export function recommendAll(s: FactorState, options: RecommendAllOptions | undefined): AsyncIterableIterator<BatchRecommendations> {
  const { signal, rest } = takeSignal('recommendAll', options, [...RECOMMEND_OPTION_NAMES, 'blockSize', 'signal']);
  const blockSize = rest.blockSize === undefined ? 1024 : integer('blockSize', rest.blockSize, 1);
  delete rest.blockSize;
  const o = resolveRecommendOptions('recommendAll', rest, s.items);
  return (async function* blocks(): AsyncIterableIterator<BatchRecommendations> {
    const n = s.users.size;
    for (let start = 0; start < n; start += blockSize) {
      const end = Math.min(n, start + blockSize);
      const ids: RawId[] = [];
      const rows = new Int32Array(end - start);
      for (let u = start; u < end; u++) {
        const id = s.users.id(u);
        ids.push(id);
        rows[u - start] = warmIndex(s, id, o);
      }
      yield await cancellable(signal, (cancel) => rankRows(s, ids, rows, o, o.threads ?? 0, cancel.array));
    }
  })();
}
