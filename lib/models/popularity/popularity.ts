/**
 * The baseline every evaluation compares against: recommend the items that
 * the most distinct training users interacted with. Takes the same
 * recommendation options as the factor models and returns the same shapes.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import type { IdMap, RawId } from '../../data/id-map.js';
import { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import { invalid } from '../../validate.js';
import { BatchRecommendations } from '../base/batch-recommendations.js';
import { usersPerItem } from '../base/item-popularity.js';
import { rankByPopularity } from '../base/popular-ranking.js';
import {
  rankedCount,
  rawId,
  rawIds,
  resolveRecommendOptions,
  type RecommendOptions,
  type Recommendation,
  type ResolvedRecommendOptions,
} from '../base/recommend-options.js';

/** Popularity takes the filtering options; every user is served the same way, so no cold-start policy or threads. */
export type PopularityRecommendOptions = Pick<RecommendOptions, 'k' | 'filterSeen' | 'exclude' | 'candidates'>;

const POPULARITY_OPTION_NAMES = ['k', 'filterSeen', 'exclude', 'candidates'] as const;

interface PopularityState {
  users: IdMap;
  items: IdMap;
  seen: SparseRows;
  /** Distinct training users per item. */
  counts: Float32Array;
}

export class Popularity {
  readonly type = 'popularity';
  private state: PopularityState | undefined;

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** Counts the distinct users of every item. Synchronous: one pass over the data. */
  fit(data: Interactions): this {
    if (!(data instanceof Interactions)) throw invalid('an Interactions instance', 'data', data);
    if (data.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'Cannot fit Popularity on empty interactions');
    this.state = {
      users: data.users.clone(),
      items: data.items.clone(),
      seen: data.byUser,
      counts: usersPerItem(data.byUser),
    };
    return this;
  }

  /** Whether `user` has training interactions (their items are then left out under filterSeen). */
  hasUser(user: RawId): boolean {
    const s = this.fitted();
    const u = s.users.index(rawId('user', user));
    return u !== undefined && u < s.seen.rows && s.seen.indptr[u + 1]! > s.seen.indptr[u]!;
  }

  /** Whether `item` is in the catalogue. */
  hasItem(item: RawId): boolean {
    return this.fitted().items.index(rawId('item', item)) !== undefined;
  }

  /** Number of distinct training users of `item` (0 for an unknown item). */
  popularity(item: RawId): number {
    const s = this.fitted();
    const i = s.items.index(rawId('item', item));
    return i === undefined ? 0 : s.counts[i]!;
  }

  /**
   * The k most popular items for `user` (the user's seen items left out when known and filterSeen).
   * Scores are user counts: this is the model's own ranking, so `source` is 'model'.
   */
  recommend(user: RawId, options?: PopularityRecommendOptions): Recommendation[] {
    const s = this.fitted();
    const id = rawId('user', user);
    const o = resolveRecommendOptions('recommend', options, s.items, POPULARITY_OPTION_NAMES);
    return this.rank(s, [id], o).row(0);
  }

  /** Same as {@link recommend} for many users, in the batch shape the factor models return. */
  async recommendBatch(users: ArrayLike<RawId>, options?: PopularityRecommendOptions): Promise<BatchRecommendations> {
    const s = this.fitted();
    const ids = Array.from(rawIds('users', users));
    const o = resolveRecommendOptions('recommendBatch', options, s.items, POPULARITY_OPTION_NAMES);
    return this.rank(s, ids, o);
  }

  private rank(s: PopularityState, ids: RawId[], o: ResolvedRecommendOptions): BatchRecommendations {
    const width = Math.min(o.k, rankedCount(o, s.items.size));
    const items = new Int32Array(ids.length * width);
    const scores = new Float32Array(ids.length * width);
    ids.forEach((id, r) => {
      const u = s.users.index(id);
      const seen =
        o.filterSeen && u !== undefined && u < s.seen.rows ? { indices: s.seen.indices, begin: s.seen.indptr[u]!, end: s.seen.indptr[u + 1]! } : undefined;
      rankByPopularity(s.counts, o, seen, items, scores, r * width, width);
    });
    return new BatchRecommendations(ids, width, items, scores, new Uint8Array(ids.length), s.items);
  }

  private fitted(): PopularityState {
    if (this.state === undefined) {
      throw new MfrecError(ErrorCodes.NOT_FITTED, 'The popularity model has not been fitted: call fit() first');
    }
    return this.state;
  }
}

export { usersPerItem } from '../base/item-popularity.js';
