/**
 * Item popularity, computed one way for every model: the number of distinct
 * training users per item, which ranks the cold-start fallback and the
 * popularity baseline.
 */
import type { SparseRows } from '../../data/sparse.js';

/** Distinct users per item: the by-user rows hold each (user, item) pair once. */
export function usersPerItem(byUser: SparseRows): Float32Array {
  const counts = new Float32Array(byUser.cols);
  for (let k = 0; k < byUser.indices.length; k++) counts[byUser.indices[k]!]!++;
  return counts;
}
