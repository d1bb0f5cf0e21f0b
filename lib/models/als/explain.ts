/**
 * The decomposition of an implicit-ALS score over the user's history.
 *
 * Folding user u in solves W_u x_u = Σ_j c_uj p_uj y_j with
 * W_u = YᵀY + Σ_j (c_uj − 1) y_j y_jᵀ + λ_u I (the row solve of training:
 * c_uj the confidence of the value, p_uj its preference, 1 or 0 for a
 * negative value, λ_u the row's regularization, scaled by (1 + n)^ν under
 * scaleRegularization, ν its regularizationExponent). W_u is symmetric, so the score of item i is
 * y_iᵀ x_u = Σ_j c_uj p_uj · (W_u⁻¹ y_i)ᵀ y_j: one k × k solve (z = W_u⁻¹ y_i)
 * and one dot product per history item. An item with a negative value
 * contributes 0 directly; it acts through W_u.
 */
import { confidence, preference, rowLambda, type AlsKernelOptions } from '../../addon/als.js';
import type { FactorState } from '../base/factor-state.js';
import type { ScoreParts } from '../base/explain.js';
import type { AlsBackend, Gram } from './backend.js';

/**
 * User row `u`'s contributions to item `i`'s score, against the item
 * factors' Gram matrix `gram` (YᵀY), through the backend's score split;
 * undefined when W_u does not factor.
 */
export function alsScoreParts(backend: AlsBackend, s: FactorState, gram: Gram, o: AlsKernelOptions, u: number, i: number): ScoreParts | undefined {
  const begin = s.seen.indptr[u]!;
  const end = s.seen.indptr[u + 1]!;
  const values = s.seen.values.subarray(begin, end);
  const split = backend.scoreSplit({
    factors: s.factors,
    biasColumn: false,
    vectors: s.itemFactors,
    rows: s.seen.indices.subarray(begin, end),
    weights: Float64Array.from(values, (v) => confidence(o, v) - 1),
    base: Float64Array.from(gram),
    diagonal: new Float64Array(s.factors).fill(rowLambda(o, end - begin)),
    query: i,
  });
  if (split === undefined) return undefined;
  // An item with a negative value has preference 0: it contributes nothing directly (written as +0, not −0).
  const perEntry = Float64Array.from(split, (z, j) => (preference(values[j]!) === 0 ? 0 : confidence(o, values[j]!) * z));
  return { base: 0, perEntry };
}
