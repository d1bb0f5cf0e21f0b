/**
 * Fold-in: solving one user's (or item's) vector from an interaction history
 * against the other side's fixed factors, the exact least-squares step of an
 * ALS half-sweep for a single row. What makes it cheap is YᵀY, the one part of
 * the normal equations that does not depend on the row: it is computed once
 * per trained state and kept here (never saved; recomputed after a load).
 */
import type { IdMap, RawId } from '../../data/id-map.js';
import type { SparseRows } from '../../data/sparse.js';
import { checkIdsAndValues } from '../base/live-history.js';
import type { AlsBackend, Gram } from './backend.js';
import { derivedFrom } from '../base/derived-cache.js';

/** A user's interactions for {@link ImplicitALS.recalculateUser}: item ids and (default 1) values. */
export interface UserHistory {
  items: ArrayLike<RawId>;
  values?: ArrayLike<number>;
}

/** An item's interactions for {@link ImplicitALS.recalculateItem}: user ids and (default 1) values. */
export interface ItemHistory {
  users: ArrayLike<RawId>;
  values?: ArrayLike<number>;
}

/**
 * The one-row matrix of a history against `ids`, the fixed side's id map:
 * ids the model does not know are skipped, repeated ids add their values
 * (as Interactions' default 'sum'), columns come out sorted.
 */
export function historyRow(where: string, history: unknown, key: 'items' | 'users', ids: IdMap): SparseRows {
  const checked = checkIdsAndValues(where, '', history, key, false);
  const sums = new Map<number, number>();
  for (let e = 0; e < checked.ids.length; e++) {
    const index = ids.index(checked.ids[e]!);
    if (index !== undefined) sums.set(index, (sums.get(index) ?? 0) + (checked.values?.[e] ?? 1));
  }
  const indices = Int32Array.from(sums.keys()).sort();
  const out = new Float32Array(indices.length);
  for (let e = 0; e < indices.length; e++) out[e] = sums.get(indices[e]!)!;
  return { rows: 1, cols: ids.size, indptr: Int32Array.of(0, indices.length), indices, values: out };
}

/**
 * YᵀY of a factor matrix on `backend`, computed on first use and kept while
 * the matrix lives (derived-cache.ts): a partial fit or forget of one side
 * keeps the other side's matrix, and with it its YᵀY; a fit or load brings
 * new matrices, so a stale YᵀY is never read.
 */
export function gramCache(backend: AlsBackend): (factors: Float32Array, rows: number, k: number) => Gram {
  return derivedFrom((factors: Float32Array, rows: number, k: number) => backend.gram(factors, rows, k));
}
