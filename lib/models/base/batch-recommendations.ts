/**
 * Recommendations for many users at once, in flat typed arrays: row r (the
 * r-th user) occupies items[r*k .. r*k+k) and scores[r*k .. r*k+k), best
 * first. Slots past the last qualifying item hold item −1 and score −Infinity.
 */
import type { IdMap, RawId } from '../../data/id-map.js';
import type { Recommendation } from './recommend-options.js';

export class BatchRecommendations {
  /**
   * The users, one per row, as given (recommendBatch) or in index order
   * (recommendAll); for similarItemsBatch, the query items.
   */
  readonly users: RawId[];
  /**
   * Width of each row: the requested k, or less when fewer items can be
   * ranked at all (a smaller catalogue or candidate list, minus exclusions).
   */
  readonly k: number;
  /** Dense item indices (map with {@link itemId}), −1 padded. */
  readonly items: Int32Array;
  /** Scores matching `items`, −Infinity padded. */
  readonly scores: Float32Array;
  /**
   * 1 where the row came from the cold-start popularity fallback: its scores
   * are then the share of training users who interacted with each item (in
   * [0, 1]) and its recommendations say `source: 'cold-start'`.
   */
  readonly coldStart: Uint8Array;
  private readonly itemMap: IdMap;

  constructor(users: RawId[], k: number, items: Int32Array, scores: Float32Array, coldStart: Uint8Array, itemMap: IdMap) {
    this.users = users;
    this.k = k;
    this.items = items;
    this.scores = scores;
    this.coldStart = coldStart;
    this.itemMap = itemMap;
  }

  /**
   * The query of each row under a role-neutral name: the same array as
   * `users`, which for `similarItemsBatch` holds items.
   */
  get queries(): RawId[] {
    return this.users;
  }

  /** Number of rows (users). */
  get length(): number {
    return this.users.length;
  }

  /** The raw id of a dense item index found in `items`. */
  itemId(index: number): RawId {
    return this.itemMap.id(index);
  }

  /** Row r as objects with raw item ids, padding left out. */
  row(r: number): Recommendation[] {
    const out: Recommendation[] = [];
    const source = this.coldStart[r] === 1 ? 'cold-start' : 'model';
    for (let j = r * this.k; j < (r + 1) * this.k; j++) {
      const item = this.items[j]!;
      if (item < 0) break;
      out.push({ item: this.itemMap.id(item), score: this.scores[j]!, source });
    }
    return out;
  }

  /** Every row as { user, recommendations }. */
  *entries(): IterableIterator<{ user: RawId; recommendations: Recommendation[] }> {
    for (let r = 0; r < this.users.length; r++) yield { user: this.users[r]!, recommendations: this.row(r) };
  }
}
