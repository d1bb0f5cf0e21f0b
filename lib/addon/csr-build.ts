/**
 * The CSR-build binding (native/bindings/csr_build.cc) behind
 * Interactions.fromIndices: its input, defined here once, and the function.
 * The twin (lib/twins/csr-build.ts) takes the same input.
 */
import type { Aggregate } from '../data/interactions.js';
import type { SparseRows } from '../data/sparse.js';
import { bindingOf } from './loader.js';

/** Entries in any order, indices already checked against nRows and nCols. */
export interface CsrBuildInput {
  rows: Int32Array;
  cols: Int32Array;
  values: Float32Array;
  times: Float64Array | undefined;
  nRows: number;
  nCols: number;
  aggregate: Aggregate;
}

interface CsrBuildBinding {
  /** Fills the outputs (sized for every entry); returns the entries left after combining duplicates, or -1 for an index out of range. Synchronous. */
  csrBuild(args: {
    rows: Int32Array;
    cols: Int32Array;
    values: Float32Array;
    times?: Float64Array;
    nRows: number;
    nCols: number;
    aggregate: number;
    threads: number;
    indptr: Int32Array;
    indices: Int32Array;
    outValues: Float32Array;
    outTimes?: Float64Array;
  }): number;
}

const csrBuildBinding = bindingOf<CsrBuildBinding>({ sync: ['csrBuild'], async: [] });

const AGGREGATE_CODES: Record<Aggregate, number> = { sum: 0, mean: 1, last: 2 };

/** The native build on all cores (its result does not depend on the thread count); undefined when an index is out of range. */
export function nativeCsrBuild(p: CsrBuildInput): SparseRows | undefined {
  const n = p.rows.length;
  const indptr = new Int32Array(p.nRows + 1);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  const times = p.times ? new Float64Array(n) : undefined;
  const m = csrBuildBinding().csrBuild({
    rows: p.rows,
    cols: p.cols,
    values: p.values,
    ...(p.times ? { times: p.times } : {}),
    nRows: p.nRows,
    nCols: p.nCols,
    aggregate: AGGREGATE_CODES[p.aggregate],
    threads: 0,
    indptr,
    indices,
    outValues: values,
    ...(times ? { outTimes: times } : {}),
  });
  if (m < 0) return undefined;
  // Without duplicates the arrays are already exact: no copy (they are the largest allocation of a read).
  const fit = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => (m === n ? a : (a.slice(0, m) as T));
  return { rows: p.nRows, cols: p.nCols, indptr, indices: fit(indices), values: fit(values), ...(times ? { timestamps: fit(times) } : {}) };
}
