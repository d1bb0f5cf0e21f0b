/**
 * Forgetting a user or an item: the state without that row and every record
 * of it (its id, factor row, bias, training-matrix row or column, and what it
 * contributed to item popularity). Rows after the removed one move up by one,
 * so the id map is rebuilt. Every function builds new arrays: the current
 * state stays intact for readers until the model swaps the result in.
 */
import { IdMap } from '../../data/id-map.js';
import type { SparseRows } from '../../data/sparse.js';
import type { FactorState } from './factor-state.js';
import { weightsWithoutItem } from './item-weights.js';

/** `ids` without the id at `index`; later ids move up by one. */
function idsWithout(ids: IdMap, index: number): IdMap {
  const all = ids.toArray();
  all.splice(index, 1);
  return new IdMap(all);
}

/** `a` (row-major, `width` values per row) without row `r`. */
function withoutRow(a: Float32Array, width: number, r: number): Float32Array {
  const out = new Float32Array(a.length - width);
  out.set(a.subarray(0, r * width));
  out.set(a.subarray((r + 1) * width), r * width);
  return out;
}

/** The training matrix without row `r` (a matrix with fewer rows than the id map keeps its shape past `r`). */
function seenWithoutRow(m: SparseRows, r: number): SparseRows {
  if (r >= m.rows) return m;
  const begin = m.indptr[r]!;
  const end = m.indptr[r + 1]!;
  const removed = end - begin;
  const indptr = new Int32Array(m.rows);
  indptr.set(m.indptr.subarray(0, r + 1));
  for (let q = r + 1; q < m.rows; q++) indptr[q] = m.indptr[q + 1]! - removed;
  const cut = <A extends Int32Array | Float32Array | Float64Array>(a: A, out: A): A => {
    out.set(a.subarray(0, begin));
    out.set(a.subarray(end), begin);
    return out;
  };
  const nnz = m.indices.length - removed;
  return {
    rows: m.rows - 1,
    cols: m.cols,
    indptr,
    indices: cut(m.indices, new Int32Array(nnz)),
    values: cut(m.values, new Float32Array(nnz)),
    ...(m.timestamps ? { timestamps: cut(m.timestamps, new Float64Array(nnz)) } : {}),
  };
}

/** The training matrix without column `c`: its entries dropped, later columns renumbered down by one (rows stay sorted). */
function seenWithoutColumn(m: SparseRows, c: number): SparseRows {
  let removed = 0;
  for (let e = 0; e < m.indices.length; e++) if (m.indices[e] === c) removed++;
  const nnz = m.indices.length - removed;
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const timestamps = m.timestamps ? new Float64Array(nnz) : undefined;
  let w = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) {
      const col = m.indices[e]!;
      if (col === c) continue;
      indices[w] = col > c ? col - 1 : col;
      values[w] = m.values[e]!;
      if (timestamps) timestamps[w] = m.timestamps![e]!;
      w++;
    }
    indptr[r + 1] = w;
  }
  return { rows: m.rows, cols: m.cols - 1, indptr, indices, values, ...(timestamps ? { timestamps } : {}) };
}

/** `s` without user `u` (a valid index): the user's items each lose the one count the user gave them. */
export function withoutUser(s: FactorState, u: number): FactorState {
  const itemPopularity = s.itemPopularity.slice();
  if (u < s.seen.rows) {
    for (let e = s.seen.indptr[u]!; e < s.seen.indptr[u + 1]!; e++) itemPopularity[s.seen.indices[e]!]!--;
  }
  const next: FactorState = {
    ...s,
    users: idsWithout(s.users, u),
    userFactors: withoutRow(s.userFactors, s.factors, u),
    seen: seenWithoutRow(s.seen, u),
    itemPopularity,
  };
  if (s.userBias) next.userBias = withoutRow(s.userBias, 1, u);
  return next;
}

/** `s` without item `i` (a valid index): gone from the catalogue, from every user's record and from popularity. */
export function withoutItem(s: FactorState, i: number): FactorState {
  const next: FactorState = {
    ...s,
    items: idsWithout(s.items, i),
    itemFactors: withoutRow(s.itemFactors, s.factors, i),
    seen: seenWithoutColumn(s.seen, i),
    itemPopularity: withoutRow(s.itemPopularity, 1, i),
  };
  if (s.itemBias) next.itemBias = withoutRow(s.itemBias, 1, i);
  if (s.weights) next.weights = weightsWithoutItem(s.weights, s.items.size, i);
  return next;
}
