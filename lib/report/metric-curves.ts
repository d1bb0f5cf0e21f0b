/**
 * Ranking metrics for every cut-off k = 1..maxK from one ranking per user:
 * the top maxK list is computed once and the metrics at each k are read off
 * its prefixes. The definitions are those of lib/eval/ranking.ts and
 * docs/metrics.md (same candidates, same tie-breaking, precision divided by
 * k), so curve[k - 1] equals evaluateRanking at that k.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { checkEvaluationInputs, HeldOutUsers } from '../eval/held-out.js';
import type { UserScorer } from '../eval/ranking.js';
import { integer, invalid, knownOptions } from '../validate.js';

export interface MetricCurves {
  /** The cut-offs 1..maxK; every other array is indexed like this one. */
  ks: number[];
  precision: number[];
  recall: number[];
  ndcg: number[];
  map: number[];
  hitRate: number[];
  /** Users evaluated: those with at least one held-out item outside their training items. */
  users: number;
}

/** One evaluated user's ranking, handed to `onRanked` (views valid only during the call). */
export interface RankedUser {
  /** Dense user index (train's and test's index space). */
  user: number;
  /** Top items, best first: min(maxK, candidates) of them. */
  items: Int32Array;
  /** Their scores (NaN shown as -Infinity, as ranked). */
  scores: Float64Array;
  /** Held-out items counted for this user (not in their training items), each once. */
  heldOut: Int32Array;
  /** The scorer's output for every item, training items included. */
  allScores: Float32Array;
}

export interface MetricCurvesOptions {
  /** Largest cut-off. Default 20; integer >= 1. */
  maxK?: number;
  /** Called once per evaluated user, in user order, with the ranking just computed. */
  onRanked?: (ranked: RankedUser) => void;
}

/**
 * Precision, recall, NDCG, MAP and hit rate at k = 1..maxK. `train` and
 * `test` share their id maps (see evaluateRanking). Fails with
 * ERR_MFREC_EMPTY_DATA when no user has a held-out item.
 */
export function metricCurves(scoreUser: UserScorer, train: Interactions, test: Interactions, options?: MetricCurvesOptions): MetricCurves {
  checkEvaluationInputs(scoreUser, train, test);
  const o = knownOptions('metricCurves options', options, ['maxK', 'onRanked']);
  const maxK = o.maxK === undefined ? 20 : integer('maxK', o.maxK, 1);
  const onRanked = o.onRanked as MetricCurvesOptions['onRanked'];
  if (onRanked !== undefined && typeof onRanked !== 'function') throw invalid('a function', 'onRanked', onRanked);

  const nItems = train.nItems;
  const scores = new Float32Array(nItems);
  const walk = new HeldOutUsers(train, test);
  const { trainMark: mark, heldMark: held, heldItems } = walk;
  const top = new TopList(maxK);
  const discount = Float64Array.from({ length: maxK }, (_, r) => 1 / Math.log2(r + 2));
  const sums = {
    precision: new Float64Array(maxK),
    recall: new Float64Array(maxK),
    ndcg: new Float64Array(maxK),
    map: new Float64Array(maxK),
    hits: new Float64Array(maxK),
  };

  const users = walk.forEach((u, stamp, nHeld) => {
    scores.fill(0);
    scoreUser(u, scores);

    top.clear();
    for (let i = 0; i < nItems; i++) {
      if (mark[i] === stamp) continue;
      const s = scores[i]!;
      top.offer(Number.isNaN(s) ? -Infinity : s, i);
    }

    // Running sums over the list's prefix; past its end nothing more is hit.
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    let idcg = 0;
    for (let r = 0; r < maxK; r++) {
      if (r < top.size && held[top.items[r]!] === stamp) {
        hits++;
        dcg += discount[r]!;
        ap += hits / (r + 1);
      }
      if (r < nHeld) idcg += discount[r]!;
      const k = r + 1;
      sums.precision[r]! += hits / k;
      sums.recall[r]! += hits / nHeld;
      sums.ndcg[r]! += dcg / idcg;
      sums.map[r]! += ap / Math.min(k, nHeld);
      if (hits > 0) sums.hits[r]!++;
    }
    onRanked?.({
      user: u,
      items: top.items.subarray(0, top.size),
      scores: top.scores.subarray(0, top.size),
      heldOut: heldItems.subarray(0, nHeld),
      allScores: scores,
    });
  });
  if (users === 0) {
    throw new MfrecError(ErrorCodes.EMPTY_DATA, 'metricCurves: no user has a held-out item outside their training items');
  }
  const mean = (a: Float64Array) => Array.from(a, (x) => x / users);
  return {
    ks: Array.from({ length: maxK }, (_, r) => r + 1),
    precision: mean(sums.precision),
    recall: mean(sums.recall),
    ndcg: mean(sums.ndcg),
    map: mean(sums.map),
    hitRate: mean(sums.hits),
    users,
  };
}

/**
 * The top `k` items for one user among the items not in their training
 * row, ranked as {@link metricCurves} ranks them: best first, ties to the
 * lower index, NaN last.
 */
export function topItems(scoreUser: UserScorer, train: Interactions, user: number, k: number): Array<{ item: number; score: number }> {
  const nItems = train.nItems;
  const scores = new Float32Array(nItems);
  scoreUser(user, scores);
  const seen = new Uint8Array(nItems);
  const m = train.byUser;
  if (user < m.rows) for (let e = m.indptr[user]!; e < m.indptr[user + 1]!; e++) seen[m.indices[e]!] = 1;
  const top = new TopList(k);
  for (let i = 0; i < nItems; i++) {
    if (seen[i]) continue;
    const s = scores[i]!;
    top.offer(Number.isNaN(s) ? -Infinity : s, i);
  }
  return Array.from(top.items.subarray(0, top.size), (item, r) => ({ item, score: top.scores[r]! }));
}

/**
 * The best `capacity` (score, item) pairs offered so far, kept sorted best
 * first. Items must be offered in increasing index order: an equal score
 * then never displaces a kept item, which breaks ties to the lower index.
 * Insertion is linear in the capacity, which is small (a few dozen).
 */
class TopList {
  readonly items: Int32Array;
  readonly scores: Float64Array;
  size = 0;

  constructor(private readonly capacity: number) {
    this.items = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  offer(score: number, item: number): void {
    let pos = this.size;
    if (pos === this.capacity) {
      if (!(score > this.scores[pos - 1]!)) return;
      pos--;
    } else {
      this.size++;
    }
    while (pos > 0 && score > this.scores[pos - 1]!) {
      this.scores[pos] = this.scores[pos - 1]!;
      this.items[pos] = this.items[pos - 1]!;
      pos--;
    }
    this.scores[pos] = score;
    this.items[pos] = item;
  }
}
