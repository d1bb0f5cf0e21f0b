/**
 * Pure-TypeScript twin of native/kernels/csr_build.cc: the by-user CSR matrix
 * of Interactions.fromIndices, built with two stable counting sorts (by
 * column, then by row) over the entries in input order ('last' with times:
 * in time order, ties by input order), then one pass combining duplicates.
 */
import type { CsrBuildInput } from '../addon/csr-build.js';
import type { SparseRows } from '../data/sparse.js';
import { countingSort } from '../data/sparse.js';

export function csrBuildTwin(p: CsrBuildInput): SparseRows {
  const { rows: u, cols: i, values, times: timestamps, aggregate } = p;
  const n = u.length;
  let order: Int32Array | undefined;
  if (aggregate === 'last' && timestamps) {
    // "Last" means latest in time: a stable sort by timestamp first.
    order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
  }
  const byItem = countingSort(i, p.nCols, order);
  const sorted = countingSort(u, p.nRows, byItem);
  const indptr = new Int32Array(p.nRows + 1);
  const indices = new Int32Array(n);
  const outValues = new Float32Array(n);
  const outTimes = timestamps ? new Float64Array(n) : undefined;
  let m = 0;
  let runCount = 0;
  let runSum = 0; // double precision while combining, rounded once
  for (let k = 0; k < n; k++) {
    const e = sorted[k]!;
    const same = m > 0 && runCount > 0 && u[e] === u[sorted[k - 1]!] && i[e] === i[sorted[k - 1]!];
    if (!same) {
      if (runCount > 0) outValues[m - 1] = aggregate === 'mean' ? runSum / runCount : runSum;
      indices[m] = i[e]!;
      indptr[u[e]! + 1]!++;
      runCount = 0;
      runSum = 0;
      if (outTimes) outTimes[m] = -Infinity;
      m++;
    }
    runCount++;
    runSum = aggregate === 'last' ? values[e]! : runSum + values[e]!;
    if (outTimes) outTimes[m - 1] = aggregate === 'last' ? timestamps![e]! : Math.max(outTimes[m - 1]!, timestamps![e]!);
  }
  if (runCount > 0) outValues[m - 1] = aggregate === 'mean' ? runSum / runCount : runSum;
  for (let r = 0; r < p.nRows; r++) indptr[r + 1]! += indptr[r]!;
  const fit = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => (m === n ? a : (a.slice(0, m) as T));
  return {
    rows: p.nRows,
    cols: p.nCols,
    indptr,
    indices: fit(indices),
    values: fit(outValues),
    ...(outTimes ? { timestamps: fit(outTimes) } : {}),
  };
}
