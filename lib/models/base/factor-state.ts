/** The learned state every factor model holds, and the reads computed from it alone. */
import type { IdMap } from '../../data/id-map.js';
import type { SparseRows } from '../../data/sparse.js';
import type { AnnIndex } from './ann-index.js';
import { itemItemScores, type ItemWeights } from './item-weights.js';

/**
 * The state a trained model holds. Arrays are row-major, `factors` floats per
 * row. An item-to-item model has no factors (`factors` 0, empty factor
 * arrays) and holds its item-to-item `weights` instead.
 */
export interface FactorState {
  factors: number;
  users: IdMap;
  items: IdMap;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Explicit-rating models: global mean μ and per-user / per-item biases. */
  globalBias?: number;
  userBias?: Float32Array;
  itemBias?: Float32Array;
  /** The training interactions by user: what "seen" means for filtering. */
  seen: SparseRows;
  /** Number of training users per item: the popularity used for cold start. */
  itemPopularity: Float32Array;
  /** Item-to-item models: what each item of a history adds to every item's score. */
  weights?: ItemWeights;
  /** The approximate top-K index, when buildIndex() made one (ann-index.ts). */
  index?: AnnIndex;
  /**
   * Every user row holds a trained vector whether or not `seen` records the
   * user's interactions: a model imported from factor matrices (lib/import/),
   * whose training data the file does not hold. Such users are scored by the
   * model instead of getting the cold-start fallback.
   */
  everyUserTrained?: boolean;
}

/** Whether user row `u` has training interactions (a warm user). */
export function hasTrainingRow(s: FactorState, u: number | undefined): u is number {
  return u !== undefined && u < s.seen.rows && s.seen.indptr[u + 1]! > s.seen.indptr[u]!;
}

/** Whether the model scores user row `u` (a warm user): it has training interactions, or the model's every user vector is trained. */
export function canScoreUser(s: FactorState, u: number | undefined): u is number {
  return u !== undefined && (hasTrainingRow(s, u) || (s.everyUserTrained === true && u < s.users.size));
}

/** Whether item index `i` is in user row `u`'s training interactions (rows hold strictly increasing indices). */
export function seenBy(s: FactorState, u: number, i: number): boolean {
  let lo = s.seen.indptr[u]!;
  let hi = s.seen.indptr[u + 1]!;
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.seen.indices[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && s.seen.indices[lo] === i;
}

/** Every item's score for user row `u`: the scores recommend() ranks, before filtering. */
export function scoreAllItems(s: FactorState, u: number): Float32Array {
  if (s.weights !== undefined) return itemItemScores(s.weights, s.seen, u);
  const f = s.factors;
  const out = new Float32Array(s.items.size);
  const offset = (s.globalBias ?? 0) + (s.userBias?.[u] ?? 0);
  const x = s.userFactors.subarray(u * f, (u + 1) * f);
  for (let i = 0; i < out.length; i++) {
    let dot = 0;
    const base = i * f;
    for (let p = 0; p < f; p++) dot += x[p]! * s.itemFactors[base + p]!;
    out[i] = dot + offset + (s.itemBias?.[i] ?? 0);
  }
  return out;
}

/** A copy of row `index` of a factor matrix, or undefined for an unknown id. */
export function factorRow(vectors: Float32Array, factors: number, index: number | undefined): Float32Array | undefined {
  return index === undefined ? undefined : vectors.slice(index * factors, (index + 1) * factors);
}

/** What save() writes about the training data besides the state. */
export function trainingSummary(s: FactorState): { users: number; items: number; interactions: number; valueRange: [number, number] | null; savedAt: string } {
  const values = s.seen.values;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    min = Math.min(min, values[k]!);
    max = Math.max(max, values[k]!);
  }
  return {
    users: s.users.size,
    items: s.items.size,
    interactions: values.length,
    valueRange: values.length ? [min, max] : null,
    savedAt: new Date().toISOString(),
  };
}
