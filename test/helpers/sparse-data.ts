/** Random sparse matrices built directly as SparseRows (so rows and columns may be empty). */
import type { SparseRows } from '../../lib/data/sparse.js';
import { Rng } from '../../lib/random.js';

export interface RandomSparseOptions {
  /** Rows and columns whose index is a multiple of this get no entries (0: none). */
  emptyEvery?: number;
  /** Values in ±[1, 4] (15% negative) instead of 1..3. */
  signed?: boolean;
}

/** A rows × cols matrix, each entry present with `density`. */
export function randomSparse(rows: number, cols: number, density: number, seed: number, o: RandomSparseOptions = {}): SparseRows {
  const rng = new Rng(seed);
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const empty = (x: number) => o.emptyEvery !== undefined && o.emptyEvery > 0 && x % o.emptyEvery === 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (empty(r) || empty(c) || rng.uniform() >= density) continue;
      indices.push(c);
      values.push(o.signed ? (rng.uniform() < 0.15 ? -1 : 1) * (1 + rng.below(4)) : 1 + rng.below(3));
    }
    indptr[r + 1] = indices.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

/** `m` with every row scaled to sum 1 (a transition matrix); empty rows stay empty. */
export function rowNormalised(m: SparseRows): SparseRows {
  const values = new Float32Array(m.values.length);
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) sum += m.values[e]!;
    for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) values[e] = m.values[e]! / sum;
  }
  return { ...m, values };
}
