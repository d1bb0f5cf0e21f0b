/**
 * Rankings by a fixed popularity vector (users per item): the Popularity
 * baseline, and the cold-start answer of every factor model. Same filters and
 * order as the native top-K kernel: higher count first, ties to the lower index.
 */
import type { SparseRows } from '../../data/sparse.js';
import type { ResolvedRecommendOptions } from './recommend-options.js';
import { TopSelector } from '../../select-top.js';

const orders = new WeakMap<Float32Array, Int32Array>();

/** Item indices by decreasing popularity (ties: lower index first), computed once per vector. */
export function popularityOrder(counts: Float32Array): Int32Array {
  let order = orders.get(counts);
  if (order === undefined) {
    order = Int32Array.from({ length: counts.length }, (_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
    orders.set(counts, order);
  }
  return order;
}

/** A sorted slice of indices (a user's seen row). */
export interface SortedRow {
  indices: Int32Array;
  begin: number;
  end: number;
}

function contains(sorted: Int32Array, begin: number, end: number, x: number): boolean {
  let lo = begin;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * Writes the `width` most popular items that pass the filters into
 * items/scores at `offset` (−1 / −Infinity padding). `seen` is left out when given.
 */
export function rankByPopularity(
  counts: Float32Array,
  o: ResolvedRecommendOptions,
  seen: SortedRow | undefined,
  items: Int32Array,
  scores: Float32Array,
  offset: number,
  width: number,
): void {
  const allowed = (i: number): boolean =>
    !(o.exclude !== undefined && contains(o.exclude, 0, o.exclude.length, i)) && !(seen !== undefined && contains(seen.indices, seen.begin, seen.end, i));
  if (o.candidates !== undefined) {
    const selector = new TopSelector(width);
    for (const i of o.candidates) if (allowed(i)) selector.offer(counts[i]!, i);
    selector.drain(items, scores, offset, width);
    return;
  }
  // Walk the precomputed order: O(k + filtered) per user instead of a scan of the catalogue.
  let m = 0;
  for (const i of popularityOrder(counts)) {
    if (m === width) break;
    if (!allowed(i)) continue;
    items[offset + m] = i;
    scores[offset + m] = counts[i]!;
    m++;
  }
  items.fill(-1, offset + m, offset + width);
  scores.fill(-Infinity, offset + m, offset + width);
}

const trainedUsers = new WeakMap<SparseRows, number>();

/** Users with at least one training interaction (computed once per matrix). */
function usersWithInteractions(seen: SparseRows): number {
  let n = trainedUsers.get(seen);
  if (n === undefined) {
    n = 0;
    for (let u = 0; u < seen.rows; u++) if (seen.indptr[u + 1]! > seen.indptr[u]!) n++;
    trainedUsers.set(seen, n);
  }
  return n;
}

/**
 * Turns the popularity counts of a cold-start row (items/scores at
 * `offset`, `width` slots) into shares of the training users in [0, 1], so
 * a fallback score never looks like a model score of the same size.
 */
export function countsToShares(seen: SparseRows, scores: Float32Array, offset: number, width: number): void {
  const users = usersWithInteractions(seen);
  if (users === 0) return;
  for (let j = offset; j < offset + width; j++) if (scores[j] !== -Infinity) scores[j] = scores[j]! / users;
}
