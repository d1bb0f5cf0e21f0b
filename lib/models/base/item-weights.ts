/**
 * What an item-to-item model learns: how much each item a user has
 * interacted with adds to every item's score, W[i][j], dense (EASE) or as
 * each item's top neighbours (item-KNN, RP3beta). A user's score of item j is
 * Σᵢ x_ui · W[i][j] over their history, x_ui = 1 (histories count as
 * binary: a bulk order of one product does not drown out the others).
 * Written once here for every item-to-item family: the kernel request that
 * ranks with it, one score row, and the weights without an item (forgetItem).
 */
import type { ItemItemTopKArgs } from '../../addon/item-item-topk.js';
import type { SparseRows } from '../../data/sparse.js';
import { derivedFrom } from './derived-cache.js';

export type ItemWeights =
  | { kind: 'dense' /** items × items, row-major. */; values: Float32Array }
  | { kind: 'sparse' /** CSR rows of neighbours, each row by decreasing weight. */; indptr: Int32Array; indices: Int32Array; values: Float32Array };

/** The weight arguments of the ranking kernel. */
export function weightArgs(w: ItemWeights): Pick<ItemItemTopKArgs, 'dense' | 'sparseIndptr' | 'sparseIndices' | 'sparseValues'> {
  return w.kind === 'dense' ? { dense: w.values } : { sparseIndptr: w.indptr, sparseIndices: w.indices, sparseValues: w.values };
}

/** Ones as long as a history's values: histories count as binary (kept while the history lives). */
export const binaryValues = derivedFrom((values: Float32Array): Float32Array => new Float32Array(values.length).fill(1));

/**
 * Every item's score for row `r` of `history`, before filtering (what
 * scoreItems returns), summed in history order in float32 as the kernel does.
 */
export function itemItemScores(w: ItemWeights, history: SparseRows, r: number): Float32Array {
  const n = history.cols;
  const out = new Float32Array(n);
  if (r >= history.rows) return out;
  for (let p = history.indptr[r]!; p < history.indptr[r + 1]!; p++) {
    const i = history.indices[p]!;
    if (w.kind === 'dense') {
      const row = w.values.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < n; j++) out[j] = out[j]! + row[j]!;
    } else {
      for (let e = w.indptr[i]!; e < w.indptr[i + 1]!; e++) out[w.indices[e]!] = out[w.indices[e]!]! + w.values[e]!;
    }
  }
  return out;
}

/** The weights without item `i` (its row and its column), items after it renumbered down by one. */
export function weightsWithoutItem(w: ItemWeights, n: number, i: number): ItemWeights {
  if (w.kind === 'dense') {
    const m = n - 1;
    const out = new Float32Array(m * m);
    let o = 0;
    for (let r = 0; r < n; r++) {
      if (r === i) continue;
      const row = w.values.subarray(r * n, (r + 1) * n);
      out.set(row.subarray(0, i), o);
      out.set(row.subarray(i + 1), o + i);
      o += m;
    }
    return { kind: 'dense', values: out };
  }
  const indptr = new Int32Array(n);
  const keep: number[] = [];
  let row = 0;
  for (let r = 0; r < n; r++) {
    if (r === i) continue;
    for (let e = w.indptr[r]!; e < w.indptr[r + 1]!; e++) if (w.indices[e] !== i) keep.push(e);
    indptr[++row] = keep.length;
  }
  const indices = new Int32Array(keep.length);
  const values = new Float32Array(keep.length);
  keep.forEach((e, p) => {
    const j = w.indices[e]!;
    indices[p] = j > i ? j - 1 : j;
    values[p] = w.values[e]!;
  });
  return { kind: 'sparse', indptr, indices, values };
}

/** The arrays of the weights, for the finiteness check after a fit. */
export function weightArrays(w: ItemWeights | undefined): Float32Array[] {
  return w === undefined ? [] : [w.values];
}

/**
 * What each item of history row `r` adds to item `i`'s score: W[j][i] for
 * each history item j (histories are binary), in history order. Their sum is
 * the score of {@link itemItemScores} (summed there in float32).
 */
export function itemItemContributions(w: ItemWeights, history: SparseRows, r: number, i: number): Float64Array {
  const n = history.cols;
  const begin = history.indptr[r]!;
  const out = new Float64Array(history.indptr[r + 1]! - begin);
  for (let p = 0; p < out.length; p++) {
    const j = history.indices[begin + p]!;
    if (w.kind === 'dense') {
      out[p] = w.values[j * n + i]!;
    } else {
      // Neighbour rows are sorted by weight, not by index: a scan of one row.
      for (let e = w.indptr[j]!; e < w.indptr[j + 1]!; e++) if (w.indices[e] === i) out[p] = out[p]! + w.values[e]!;
    }
  }
  return out;
}
