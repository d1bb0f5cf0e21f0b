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
import type { SgdBackend } from './backend.js';
import { BIAS_PENALTY_EXPONENT, penaltyScale, VECTOR_PENALTY_EXPONENT } from './frequency-penalty.js';
import type { FoldInSide } from './fold-in.js';

/**
 * The contributions of ratings `ratings[j]` of items `rows[j]` (rows of the
 * fixed side) to item `i`'s predicted rating, through the backend's score
 * split; undefined when the system does not factor.
 */
export function explicitScoreParts(backend: SgdBackend, side: FoldInSide, rows: Int32Array, ratings: ArrayLike<number>, i: number): ScoreParts | undefined {
  const n = rows.length;
  const k = side.factors;
  const diagonal = new Float64Array(k + 1).fill(side.regularization * n * penaltyScale(n, side.meanCount, VECTOR_PENALTY_EXPONENT));
  diagonal[k] = side.biasRegularization * n * penaltyScale(n, side.meanCount, BIAS_PENALTY_EXPONENT);
  const split = backend.scoreSplit({
    factors: k,
    biasColumn: true,
    vectors: side.otherFactors,
    rows,
    weights: new Float64Array(n).fill(1),
    diagonal,
    query: i,
  });
  if (split === undefined) return undefined;
  const perEntry = Float64Array.from(split, (z, j) => (ratings[j]! - side.globalBias - side.otherBias[rows[j]!]!) * z);
  return { base: side.globalBias + side.otherBias[i]!, perEntry };
}
