/**
 * Top-k ranking metrics for implicit-feedback recommenders: for every user
 * with held-out items, score the catalogue, drop the user's training items,
 * take the top k and compare with what was held out. The definitions are in
 * docs/metrics.md.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { cutoff, knownOptions } from '../validate.js';
import { checkEvaluationInputs, HeldOutUsers } from './held-out.js';
import { ListSums } from './list-sums.js';

export interface RankingMetrics {
  /** Mean over users of hits@k / k (always divided by k). */
  precision: number;
  /** Mean over users of hits@k / |held-out|. */
  recall: number;
  /** Mean over users of DCG@k / ideal DCG@k (binary gains, log2 discount). */
  ndcg: number;
  /** Mean over users of average precision truncated at k, normalised by min(k, |held-out|). */
  map: number;
  /** Mean over users of the probability that a held-out item outranks a non-held-out candidate (ties count half). */
  auc: number;
  /** Share of users with at least one held-out item in their top k. */
  hitRate: number;
  /** Distinct items recommended to any evaluated user, divided by the catalogue size. */
  coverage: number;
  /** Users evaluated: those with at least one held-out item that is not in their training set. */
  users: number;
  k: number;
}

export interface RankingOptions {
  /** Length of the recommendation list. Default 10; integer from 1 to the number of items (or 10). */
  k?: number;
}

/**
 * Fills `out[i]` with the score of item `i` for dense user `user` (the
 * training set's index space). Higher is better; NaN ranks below everything.
 */
export type UserScorer = (user: number, out: Float32Array) => void;

/**
 * Evaluates a scorer on held-out data. `train` and `test` must share their
 * id maps (as splits produce them), so a dense index means the same user or
 * item in both. Candidates for a user are all catalogue items not in the
 * user's training interactions; held-out items that also appear in training
 * are ignored (they can never be recommended). Ties in score are broken by
 * the lower item index, so results are deterministic.
 */
export function evaluateRanking(scoreUser: UserScorer, train: Interactions, test: Interactions, options?: RankingOptions): RankingMetrics {
  checkEvaluationInputs(scoreUser, train, test);
  const o = knownOptions('evaluateRanking options', options, ['k']);
  const k = cutoff('k', o.k, train.nItems);

  const nItems = train.nItems;
  const scores = new Float32Array(nItems);
  const walk = new HeldOutUsers(train, test);
  const { trainMark: mark, heldMark: held, heldItems } = walk;
  const top = new TopK(k);
  const negatives = new Float32Array(nItems);

  let aucUsers = 0;
  let aucSum = 0;
  const sums = new ListSums(k, nItems);
  const users = walk.forEach((u, stamp, nHeld) => {
    scores.fill(0);
    scoreUser(u, scores);

    top.clear();
    let nNeg = 0;
    for (let i = 0; i < nItems; i++) {
      if (mark[i] === stamp) continue;
      const s = Number.isNaN(scores[i]!) ? -Infinity : scores[i]!;
      top.offer(s, i);
      if (held[i] !== stamp) negatives[nNeg++] = s;
    }
    const list = top.sorted();
    for (let r = 0; r < list.length; r++) sums.listed(list[r]!, r, held[list[r]!] === stamp);
    sums.endUser(nHeld);

    if (nNeg > 0) {
      const neg = negatives.subarray(0, nNeg).sort();
      let wins = 0;
      for (let h = 0; h < nHeld; h++) {
        const i = heldItems[h]!;
        const s = Number.isNaN(scores[i]!) ? -Infinity : scores[i]!;
        const below = lowerBound(neg, s);
        wins += below + 0.5 * (upperBound(neg, s) - below);
      }
      aucSum += wins / (nHeld * nNeg);
      aucUsers++;
    }
  });
  if (users === 0) {
    throw new MfrecError(ErrorCodes.EMPTY_DATA, 'evaluateRanking: no user has a held-out item outside their training items');
  }
  const { precision, recall, ndcg, map, hitRate, coverage } = sums.means(users);
  // The keys in the order callers print them.
  return { precision, recall, ndcg, map, auc: aucUsers > 0 ? aucSum / aucUsers : NaN, hitRate, coverage, users, k };
}

function lowerBound(a: Float32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: Float32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The k best (score, item) pairs seen so far: a binary min-heap whose root is
 * the worst kept entry. "Better" means a higher score, then a lower item index.
 */
class TopK {
  private readonly scores: Float64Array;
  private readonly items: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.items = new Int32Array(k);
  }

  clear(): void {
    this.size = 0;
  }

  private worse(a: number, b: number): boolean {
    const sa = this.scores[a]!;
    const sb = this.scores[b]!;
    return sa < sb || (sa === sb && this.items[a]! > this.items[b]!);
  }

  private swap(a: number, b: number): void {
    const s = this.scores[a]!;
    this.scores[a] = this.scores[b]!;
    this.scores[b] = s;
    const i = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = i;
  }

  offer(score: number, item: number): void {
    if (this.size < this.k) {
      let c = this.size++;
      this.scores[c] = score;
      this.items[c] = item;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!this.worse(c, parent)) break;
        this.swap(c, parent);
        c = parent;
      }
      return;
    }
    const rootScore = this.scores[0]!;
    // Items arrive in increasing index order, so an equal score never beats the root.
    if (!(score > rootScore)) return;
    this.scores[0] = score;
    this.items[0] = item;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      const r = l + 1;
      let m = c;
      if (l < this.size && this.worse(l, m)) m = l;
      if (r < this.size && this.worse(r, m)) m = r;
      if (m === c) break;
      this.swap(c, m);
      c = m;
    }
  }

  /** Item indices, best first. */
  sorted(): number[] {
    const order = Array.from({ length: this.size }, (_, j) => j);
    order.sort((a, b) => this.scores[b]! - this.scores[a]! || this.items[a]! - this.items[b]!);
    return order.map((j) => this.items[j]!);
  }
}
