/**
 * The bookkeeping of a partial fit (every model type), kept apart from the arithmetic: which rows
 * of the model a batch of histories replaces or appends, and the new id map,
 * training matrix ("seen") and item popularity that follow. Every function
 * builds new arrays and leaves the current state untouched, so the model can
 * swap the whole state in one assignment once the solve has succeeded.
 */
import type { IdMap } from '../../data/id-map.js';
import { transpose, type SparseRows } from '../../data/sparse.js';
import type { FactorState } from './factor-state.js';

/** The two sides of a factor model: a partial fit solves one against the other, fixed. */
export type Side = 'users' | 'items';

/** Rows solved by a model's partial-fit solver: `factors` floats per row, and one bias per row when the model keeps biases on that side. */
export interface SolvedRows {
  factors: Float32Array;
  bias?: Float32Array;
}

/** The rows a partial fit solves. */
export interface RowPlan {
  /** The solved side's id map, grown by the ids the model did not know yet (a copy). */
  ids: IdMap;
  /**
   * The given histories, one row per solved user (or item), as column indices
   * of the model's fixed side, sorted; entries on ids the model does not know are left out.
   */
  rows: SparseRows;
  /** Model row index of each row of `rows`. */
  targets: Int32Array;
}

/**
 * Plans the rows to (re)solve from `data`, a matrix over the data's own id
 * maps (`dataIds` for its rows, `dataFixedIds` for its columns): every data
 * row with at least one entry, in data order. Rows without entries are not
 * part of the update, so data built on a training set's id maps
 * (`Interactions.fromArrays(..., { users: train.users })`) touches only the
 * rows it has interactions for.
 */
export function planRows(modelIds: IdMap, modelFixedIds: IdMap, data: SparseRows, dataIds: IdMap, dataFixedIds: IdMap): RowPlan {
  const fixedIndex = new Int32Array(data.cols);
  for (let c = 0; c < data.cols; c++) fixedIndex[c] = modelFixedIds.index(dataFixedIds.id(c)) ?? -1;
  const ids = modelIds.clone();
  const targets: number[] = [];
  const indptr: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const pairs: [number, number][] = [];
  for (let r = 0; r < data.rows; r++) {
    const begin = data.indptr[r]!;
    const end = data.indptr[r + 1]!;
    if (end === begin) continue;
    targets.push(ids.add(dataIds.id(r)));
    pairs.length = 0;
    for (let e = begin; e < end; e++) {
      const c = fixedIndex[data.indices[e]!]!;
      if (c >= 0) pairs.push([c, data.values[e]!]);
    }
    // Distinct data columns map to distinct model columns, so sorting leaves no duplicates.
    pairs.sort((a, b) => a[0] - b[0]);
    for (const [c, v] of pairs) indices.push(c), values.push(v);
    indptr.push(indices.length);
  }
  return {
    ids,
    rows: {
      rows: targets.length,
      cols: modelFixedIds.size,
      indptr: Int32Array.from(indptr),
      indices: Int32Array.from(indices),
      values: Float32Array.from(values),
    },
    targets: Int32Array.from(targets),
  };
}

/**
 * `m` with rows `targets[j]` replaced by row j of `rows`, grown to `rowCount`
 * rows (new rows are all among the targets). The result keeps no timestamps:
 * the given histories carry none and the model file does not store them.
 */
export function replaceRows(m: SparseRows, rowCount: number, rows: SparseRows, targets: Int32Array): SparseRows {
  const replacement = new Int32Array(rowCount).fill(-1);
  for (let j = 0; j < targets.length; j++) replacement[targets[j]!] = j;
  const source = (r: number): [SparseRows, number] => {
    const j = replacement[r]!;
    return j >= 0 ? [rows, j] : [m, r];
  };
  const indptr = new Int32Array(rowCount + 1);
  for (let r = 0; r < rowCount; r++) {
    const [from, row] = source(r);
    indptr[r + 1] = indptr[r]! + (row < from.rows ? from.indptr[row + 1]! - from.indptr[row]! : 0);
  }
  const nnz = indptr[rowCount]!;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < rowCount; r++) {
    const [from, row] = source(r);
    if (row >= from.rows) continue;
    const begin = from.indptr[row]!;
    const end = from.indptr[row + 1]!;
    indices.set(from.indices.subarray(begin, end), indptr[r]!);
    values.set(from.values.subarray(begin, end), indptr[r]!);
  }
  return { rows: rowCount, cols: rows.cols, indptr, indices, values };
}

/** Entries per column: the item popularity of a by-user training matrix. */
export function columnCounts(m: SparseRows): Float32Array {
  const counts = new Float32Array(m.cols);
  for (let e = 0; e < m.indices.length; e++) counts[m.indices[e]!]!++;
  return counts;
}

/**
 * Fills `out` (the grown factor matrix, `k` floats per row) with `factors`
 * followed by zeros, then row targets[j] with row j of `solved`.
 */
export function updatedFactors(out: Float32Array, factors: Float32Array, k: number, solved: Float32Array, targets: Int32Array): Float32Array {
  out.set(factors);
  for (let j = 0; j < targets.length; j++) out.set(solved.subarray(j * k, (j + 1) * k), targets[j]! * k);
  return out;
}

/** `bias` grown to `size` entries (new ones 0), then entry targets[j] set to solved[j]. */
function updatedBias(bias: Float32Array, size: number, solved: Float32Array, targets: Int32Array): Float32Array {
  const out = new Float32Array(size);
  out.set(bias);
  for (let j = 0; j < targets.length; j++) out[targets[j]!] = solved[j]!;
  return out;
}

/**
 * The state after a partial fit of `side`: the plan's id map, the solved rows
 * written over (or appended to) the factors and, when the model keeps biases
 * on that side, the biases; the training matrix with the given histories in
 * place of the old ones, and the item popularity that follows. `s` is untouched.
 */
export function partiallyFitted(s: FactorState, side: Side, plan: RowPlan, solved: SolvedRows): FactorState {
  const users = side === 'users';
  const k = s.factors;
  const size = plan.ids.size;
  const factors = updatedFactors(new Float32Array(size * k), users ? s.userFactors : s.itemFactors, k, solved.factors, plan.targets);
  const oldBias = users ? s.userBias : s.itemBias;
  const bias = oldBias === undefined ? undefined : updatedBias(oldBias, size, solved.bias ?? new Float32Array(plan.targets.length), plan.targets);
  // The training matrix is stored by user: an item update replaces columns, i.e. rows of its transpose.
  const seen = users ? replaceRows(s.seen, size, plan.rows, plan.targets) : transpose(replaceRows(transpose(s.seen), size, plan.rows, plan.targets));
  const next: FactorState = { ...s, seen, itemPopularity: columnCounts(seen) };
  if (users) {
    next.users = plan.ids;
    next.userFactors = factors;
    if (bias) next.userBias = bias;
  } else {
    next.items = plan.ids;
    next.itemFactors = factors;
    if (bias) next.itemBias = bias;
  }
  return next;
}
