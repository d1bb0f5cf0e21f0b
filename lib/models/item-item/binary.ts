/** The binary copy of an interaction matrix: what EASE and RP3beta learn from (did the user interact with the item, not how much). */
import type { SparseRows } from '../../data/sparse.js';

/** `m` with every value 1 (same structure; timestamps dropped). */
export function binaryInteractions(m: SparseRows): SparseRows {
  return { rows: m.rows, cols: m.cols, indptr: m.indptr, indices: m.indices, values: new Float32Array(m.indices.length).fill(1) };
}
