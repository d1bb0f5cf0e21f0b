/**
 * How strongly the explicit model's penalty on a row grows with its number
 * of ratings n, shared by training (per-row multipliers in the SGD kernel)
 * and fold-in (the same total penalty in the least-squares solve).
 *
 * Plain SGD applies the penalty at every rating, so a row's total penalty
 * grows like n (exponent 1). Vectors use n^0.6: heavy users and popular
 * items are held back a little less than that, rare ones a little more.
 * Biases use n^0, a fixed total penalty per row, as a shrunk baseline
 * estimate does: an item with two ratings gets a bias near 0 instead of the
 * mean of its two residuals. Both measured on MovieLens (about -0.003 RMSE
 * on ML-100K).
 */
import type { SparseRows } from '../../data/sparse.js';
import { usersPerItem } from '../base/item-popularity.js';

export const VECTOR_PENALTY_EXPONENT = 0.6;
export const BIAS_PENALTY_EXPONENT = 0;

/**
 * Multiplier of the per-rating penalty for a row with `n` ratings when rows
 * average `mean`: the row's total penalty is then ∝ n^exponent, and equal to
 * the plain per-rating penalty times n for a row with the average count, so
 * `regularization` keeps its usual per-rating meaning on typical rows.
 */
export function penaltyScale(n: number, mean: number, exponent: number): number {
  return (n / mean) ** (exponent - 1);
}

/**
 * Per-row multipliers of the per-rating penalty that give a total penalty
 * ∝ n^exponent, normalized to 1 for a row with the average count, so that
 * `regularization` keeps its usual per-rating meaning on typical rows.
 * `perItem`: the ratings of each item, when the caller has counted them.
 */
export function frequencyScales(
  byUser: SparseRows,
  perItem: Float32Array = usersPerItem(byUser),
): {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
} {
  const perUser = Float64Array.from({ length: byUser.rows }, (_, r) => byUser.indptr[r + 1]! - byUser.indptr[r]!);
  const scale = (counts: Float64Array | Float32Array, exponent: number): Float32Array => {
    const mean = byUser.indices.length / counts.length;
    return Float32Array.from(counts, (n) => penaltyScale(n, mean, exponent));
  };
  return {
    userFactors: scale(perUser, VECTOR_PENALTY_EXPONENT),
    itemFactors: scale(perItem, VECTOR_PENALTY_EXPONENT),
    userBias: scale(perUser, BIAS_PENALTY_EXPONENT),
    itemBias: scale(perItem, BIAS_PENALTY_EXPONENT),
  };
}
