/**
 * Item-KNN's weightings of the items × users matrix before the neighbour
 * product: with x the interaction value (values ≤ 0 count as no signal),
 * N the number of items and df_u the number of items user u interacted with,
 *
 * - 'cosine': each item row scaled to unit length, so the product is the cosine;
 * - 'tfidf': √x · log(N / (1 + df_u)), then rows to unit length;
 * - 'bm25': x·(K1 + 1) / (K1·(1 − B + B·len_i / mean len) + x) · log(N / (1 + df_u)),
 *   len_i being item i's total value;
 * - 'cooccurrence': 1 for every pair, so the product counts the users two
 *   items share ("customers who bought this also bought").
 */
import { transpose, type SparseRows } from '../../data/sparse.js';

export const WEIGHTINGS = ['bm25', 'tfidf', 'cosine', 'cooccurrence'] as const;
export type Weighting = (typeof WEIGHTINGS)[number];

export interface WeightingParams {
  weighting: Weighting;
  bm25K1: number;
  bm25B: number;
}

/** The weighted items × users matrix (a) and its transpose (b) of the neighbour product. */
export function weightedMatrices(byItem: SparseRows, byUser: SparseRows, p: WeightingParams): { byItem: SparseRows; byUser: SparseRows } {
  const values = new Float32Array(byItem.indices.length);
  const n = byItem.rows;
  const idf = (u: number): number => Math.log(n / (1 + byUser.indptr[u + 1]! - byUser.indptr[u]!));
  const positive = (e: number): number => Math.max(byItem.values[e]!, 0);
  let meanLength = 0;
  if (p.weighting === 'bm25') {
    for (let e = 0; e < values.length; e++) meanLength += positive(e);
    meanLength = n > 0 ? meanLength / n : 0;
  }
  for (let i = 0; i < n; i++) {
    const begin = byItem.indptr[i]!;
    const end = byItem.indptr[i + 1]!;
    let length = 0;
    for (let e = begin; e < end; e++) length += positive(e);
    const norm = meanLength > 0 ? 1 - p.bm25B + (p.bm25B * length) / meanLength : 1;
    for (let e = begin; e < end; e++) {
      const x = positive(e);
      const u = byItem.indices[e]!;
      if (p.weighting === 'cooccurrence') values[e] = 1;
      else if (p.weighting === 'cosine') values[e] = x;
      else if (p.weighting === 'tfidf') values[e] = Math.sqrt(x) * idf(u);
      else values[e] = x === 0 ? 0 : ((x * (p.bm25K1 + 1)) / (p.bm25K1 * norm + x)) * idf(u);
    }
    if (p.weighting === 'cosine' || p.weighting === 'tfidf') {
      let sum = 0;
      for (let e = begin; e < end; e++) sum += values[e]! * values[e]!;
      const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
      for (let e = begin; e < end; e++) values[e] = values[e]! * scale;
    }
  }
  const a: SparseRows = { rows: byItem.rows, cols: byItem.cols, indptr: byItem.indptr, indices: byItem.indices, values };
  return { byItem: a, byUser: transpose(a) };
}
