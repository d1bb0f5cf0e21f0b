/**
 * The native item-to-item training kernels (native/kernels/ease.h,
 * native/kernels/neighbours.h) as TypeScript sees them. Their twins
 * (lib/twins/ease.ts, lib/twins/neighbours.ts) compute the same results.
 * Callers validate everything first; the binding checks array types and
 * lengths, the kernels index ranges.
 */
import type { SparseRows } from '../data/sparse.js';
import { bindingOf } from './loader.js';

/**
 * EASE's closed form on the item side. With X the users × items matrix of
 * `byUser` (its values used as given; callers pass 1 for a binary model):
 * P = (XᵀX + λI)⁻¹ and B = I − P·diag(1/diag(P)), so B[i][j] = −P[i][j] / P[j][j]
 * off the diagonal and B[i][i] = 0. A user's score of item j is Σᵢ x_ui·B[i][j].
 */
export interface EaseFitArgs {
  byUser: SparseRows;
  /** λ > 0, added to the Gram matrix's diagonal. */
  lambda: number;
  /** 0 = all hardware threads. */
  threads: number;
  /** Output: B, items × items, row-major (row i = what item i adds to every item's score). */
  out: Float32Array;
  /** Cancellation flag, checked between blocks of work. */
  cancel?: Int32Array | undefined;
}

/**
 * The top-`k` neighbours of every item by a sparse product, never the dense
 * items × items matrix. With a = `byItem` (items × users) and b = `byUser`
 * (users × items), for items i ≠ j that share at least one user:
 *
 *   dot(i, j)   = Σ_u a[i][u] · b[u][j]        (over users u holding both)
 *   count(i, j) = number of such users
 *   s(i, j)     = dot(i, j) · (shrink > 0 ? count / (count + shrink) : 1) · (colScale ? colScale[j] : 1)
 *
 * (in that order, in float32). Row i keeps its `k` largest s(i, j) > 0 (ties
 * to the lower j; NaN never kept), sorted by decreasing score, padded with
 * index −1 and score 0. Item-KNN passes weighted copies of the same matrix;
 * RP3beta passes the two transition matrices and popularity^−β as colScale.
 */
export interface NeighboursArgs {
  byItem: SparseRows;
  byUser: SparseRows;
  colScale?: Float32Array | undefined;
  /** ≥ 0; 0 = no shrinkage. */
  shrink: number;
  /** Neighbours kept per item, ≥ 1. */
  k: number;
  threads: number;
  /** Outputs, items × k each. */
  outIndices: Int32Array;
  outScores: Float32Array;
  cancel?: Int32Array | undefined;
}

export interface ItemItemFitBinding {
  easeFit(args: EaseFitArgs): Promise<void>;
  itemNeighbours(args: NeighboursArgs): Promise<void>;
}

export const itemItemFitBinding = bindingOf<ItemItemFitBinding>({ sync: [], async: ['easeFit', 'itemNeighbours'] });
