/**
 * The decomposition of an explicit-model score over the user's ratings.
 *
 * Folding user u in (fold-in.ts) is the ridge regression
 * min Σ_j (t_j − b − x·v_j)² + P_x‖x‖² + P_b b², t_j = r_uj − μ − b_j,
 * over θ = [x; b] with rows z_j = [v_j; 1]: A θ = Σ_j t_j z_j,
 * A = Σ_j z_j z_jᵀ + diag(P_x, …, P_x, P_b) (the penalties with training's
 * frequency scaling). The predicted rating of item i is
 * μ + b_i + z_iᵀ θ = μ + b_i + Σ_j t_j · (A⁻¹ z_i)ᵀ z_j: the base μ + b_i and
 * one contribution per rating, from one (k + 1) × (k + 1) solve. A rating
 * above what μ + b_j predicts (t_j > 0) pulls items like j up, one below
 * pulls them down.
 */
import type { ScoreParts } from '../base/explain.js';
import { solveSymmetric } from '../base/small-solve.js';
import { BIAS_PENALTY_EXPONENT, penaltyScale, VECTOR_PENALTY_EXPONENT } from './frequency-penalty.js';
import type { FoldInSide } from './fold-in.js';

/** The contributions of ratings `ratings[j]` of items `rows[j]` (rows of the fixed side) to item `i`'s predicted rating. */
export function explicitScoreParts(side: FoldInSide, rows: ArrayLike<number>, ratings: ArrayLike<number>, i: number): ScoreParts | undefined {
  const n = rows.length;
  const k = side.factors;
  const d = k + 1;
  const v = side.otherFactors;
  const a = new Float64Array(d * d);
  const zj = new Float64Array(d);
  for (let j = 0; j < n; j++) {
    const o = rows[j]! * k;
    for (let p = 0; p < k; p++) zj[p] = v[o + p]!;
    zj[k] = 1;
    for (let p = 0; p < d; p++) for (let q = 0; q <= p; q++) a[p * d + q]! += zj[p]! * zj[q]!;
  }
  const vectorPenalty = side.regularization * n * penaltyScale(n, side.meanCount, VECTOR_PENALTY_EXPONENT);
  const biasPenalty = side.biasRegularization * n * penaltyScale(n, side.meanCount, BIAS_PENALTY_EXPONENT);
  for (let p = 0; p < k; p++) a[p * d + p]! += vectorPenalty;
  a[k * d + k]! += biasPenalty;
  const zi = new Float64Array(d);
  for (let p = 0; p < k; p++) zi[p] = v[i * k + p]!;
  zi[k] = 1;
  const w = solveSymmetric(a, d, zi);
  if (w === undefined) return undefined;
  const perEntry = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const o = rows[j]! * k;
    let dot = w[k]!;
    for (let p = 0; p < k; p++) dot += w[p]! * v[o + p]!;
    perEntry[j] = (ratings[j]! - side.globalBias - side.otherBias[rows[j]!]!) * dot;
  }
  return { base: side.globalBias + side.otherBias[i]!, perEntry };
}
