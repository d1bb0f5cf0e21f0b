import { invalid } from '../validate.js';

/**
 * Compressed sparse rows: row r's entries are indices[indptr[r]..indptr[r+1]),
 * sorted by column, with their values (and timestamps when the data has them).
 * By user, rows are users and columns items; by item, the reverse.
 */
export interface SparseRows {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly timestamps?: Float64Array;
}

/**
 * Checks that `m` is a well-formed SparseRows with `rows` ≤ `maxRows` and
 * `cols` ≤ `maxCols`: typed arrays of the right types and lengths, row
 * pointers from 0 to nnz that never decrease, and column indices strictly
 * increasing within each row and below `cols`. Every kernel relies on this.
 */
export function checkSparseRows(name: string, m: unknown, maxRows: number, maxCols: number): SparseRows {
  if (m === null || typeof m !== 'object') throw invalid('a SparseRows object', name, m);
  const s = m as Partial<SparseRows>;
  const { rows, cols, indptr, indices, values, timestamps } = s;
  if (!Number.isInteger(rows) || rows! < 0 || rows! > maxRows) throw invalid(`an integer in [0, ${maxRows}]`, `${name}.rows`, rows);
  if (!Number.isInteger(cols) || cols! < 0 || cols! > maxCols) throw invalid(`an integer in [0, ${maxCols}]`, `${name}.cols`, cols);
  if (!(indptr instanceof Int32Array) || indptr.length !== rows! + 1) throw invalid(`an Int32Array of length ${rows! + 1}`, `${name}.indptr`, indptr);
  if (!(indices instanceof Int32Array)) throw invalid('an Int32Array', `${name}.indices`, indices);
  const nnz = indices.length;
  if (!(values instanceof Float32Array) || values.length !== nnz) throw invalid(`a Float32Array of length ${nnz}`, `${name}.values`, values);
  if (timestamps !== undefined && (!(timestamps instanceof Float64Array) || timestamps.length !== nnz)) {
    throw invalid(`a Float64Array of length ${nnz}`, `${name}.timestamps`, timestamps);
  }
  if (indptr[0] !== 0 || indptr[rows!] !== nnz) throw invalid(`row pointers from 0 to ${nnz}`, `${name}.indptr`, indptr);
  for (let r = 0; r < rows!; r++) {
    const begin = indptr[r]!;
    const end = indptr[r + 1]!;
    if (end < begin) throw invalid('non-decreasing row pointers', `${name}.indptr`, indptr);
    for (let k = begin; k < end; k++) {
      const c = indices[k]!;
      if (c < 0 || c >= cols! || (k > begin && c <= indices[k - 1]!)) {
        throw invalid(`column indices below ${cols} and strictly increasing in each row`, `${name}.indices`, indices);
      }
    }
  }
  return m as SparseRows;
}

/** Swaps rows and columns (CSR ↔ CSC) with a counting sort: O(nnz + rows + cols). */
export function transpose(m: SparseRows): SparseRows {
  const nnz = m.indices.length;
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const timestamps = m.timestamps ? new Float64Array(nnz) : undefined;
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const c = m.indices[k]!;
      const dst = next[c]!++;
      indices[dst] = r;
      values[dst] = m.values[k]!;
      if (timestamps) timestamps[dst] = m.timestamps![k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values, ...(timestamps ? { timestamps } : {}) };
}

/** Row index of every entry, in storage order (the COO view of a CSR matrix). */
export function rowOfEntries(m: SparseRows): Int32Array {
  const out = new Int32Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) out.fill(r, m.indptr[r]!, m.indptr[r + 1]!);
  return out;
}

/** The largest number of entries in one row, from the row pointers. */
export function longestRow(indptr: Int32Array): number {
  let longest = 0;
  for (let r = 0; r + 1 < indptr.length; r++) longest = Math.max(longest, indptr[r + 1]! - indptr[r]!);
  return longest;
}

/**
 * Stable counting sort: the positions `order` (default 0..n-1) ordered by
 * key[position], equal keys keeping their order. O(n + buckets).
 */
export function countingSort(key: Int32Array, buckets: number, order?: Int32Array): Int32Array {
  const n = key.length;
  const start = new Int32Array(buckets + 1);
  for (let k = 0; k < n; k++) start[key[k]! + 1]!++;
  for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = order ? order[k]! : k;
    out[start[key[e]!]!++] = e;
  }
  return out;
}
