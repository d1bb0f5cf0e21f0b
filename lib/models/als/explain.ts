/**
 * The decomposition of an implicit-ALS score over the user's history.
 *
 * Folding user u in solves W_u x_u = Σ_j c_uj p_uj y_j with
 * W_u = YᵀY + Σ_j (c_uj − 1) y_j y_jᵀ + λ_u I (the row solve of training:
 * c_uj the confidence of the value, p_uj its preference, 1 or 0 for a
 * negative value, λ_u the row's regularization, scaled by 1 + n under
 * scaleRegularization). W_u is symmetric, so the score of item i is
 * y_iᵀ x_u = Σ_j c_uj p_uj · (W_u⁻¹ y_i)ᵀ y_j: one k × k solve (z = W_u⁻¹ y_i)
 * and one dot product per history item. An item with a negative value
 * contributes 0 directly; it acts through W_u.
 */
import { confidence, preference, rowLambda, type AlsKernelOptions } from '../../addon/als.js';
import type { FactorState } from '../base/factor-state.js';
import type { ScoreParts } from '../base/explain.js';
import { solveSymmetric } from '../base/small-solve.js';
import type { Gram } from './backend.js';

/** User row `u`'s contributions to item `i`'s score, against the item factors' Gram matrix `gram` (YᵀY). */
export function alsScoreParts(s: FactorState, gram: Gram, o: AlsKernelOptions, u: number, i: number): ScoreParts | undefined {
  const k = s.factors;
  const y = s.itemFactors;
  const begin = s.seen.indptr[u]!;
  const end = s.seen.indptr[u + 1]!;
  const w = Float64Array.from(gram);
  const lambda = rowLambda(o, end - begin);
  for (let p = 0; p < k; p++) w[p * k + p]! += lambda;
  for (let e = begin; e < end; e++) {
    const extra = confidence(o, s.seen.values[e]!) - 1;
    const yo = s.seen.indices[e]! * k;
    for (let p = 0; p < k; p++) {
      const wp = extra * y[yo + p]!;
      for (let q = 0; q <= p; q++) w[p * k + q]! += wp * y[yo + q]!;
    }
  }
  const z = solveSymmetric(w, k, y.subarray(i * k, (i + 1) * k));
  if (z === undefined) return undefined;
  const perEntry = new Float64Array(end - begin);
  for (let e = begin; e < end; e++) {
    const v = s.seen.values[e]!;
    const yo = s.seen.indices[e]! * k;
    let dot = 0;
    for (let p = 0; p < k; p++) dot += z[p]! * y[yo + p]!;
    perEntry[e - begin] = preference(v) === 0 ? 0 : confidence(o, v) * dot;
  }
  return { base: 0, perEntry };
}
