/**
 * Fold-in: solving one user's (or item's) vector from an interaction history
 * against the other side's fixed factors, the exact least-squares step of an
 * ALS half-sweep for a single row. What makes it cheap is YᵀY, the one part of
 * the normal equations that does not depend on the row: it is computed once
 * per trained state and kept here (never saved; recomputed after a load).
 */
import type { IdMap, RawId } from '../../data/id-map.js';
import type { SparseRows } from '../../data/sparse.js';
import { invalid, knownOptions } from '../../validate.js';
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


function arrayLength(name: string, a: unknown): number {
  if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<unknown>).length !== 'number') {
    throw invalid('an array', name, a);
  }
  return (a as ArrayLike<unknown>).length;
}

/**
 * The one-row matrix of a history against `ids`, the fixed side's id map:
 * ids the model does not know are skipped, repeated ids add their values
 * (as Interactions' default 'sum'), columns come out sorted.
 */
export function historyRow(where: string, history: unknown, key: 'items' | 'users', ids: IdMap): SparseRows {
  if (history === null || typeof history !== 'object' || Array.isArray(history)) throw invalid(`an object with ${key}`, where, history);
  const o = knownOptions(where, history, [key, 'values']);
  const given = o[key] as ArrayLike<unknown>;
  const n = arrayLength(key, given);
  const values = o.values as ArrayLike<unknown> | undefined;
  if (values !== undefined && arrayLength('values', values) !== n) throw invalid(`values of length ${n} (the length of ${key})`, 'values', values);
  const sums = new Map<number, number>();
  for (let e = 0; e < n; e++) {
    const id = given[e];
    if (!((typeof id === 'number' && Number.isFinite(id)) || typeof id === 'string')) {
      throw invalid('a string or finite number id', `${key}[${e}]`, id);
    }
    let value = 1;
    if (values !== undefined) {
      const v = values[e];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid('a finite number', `values[${e}]`, v);
      value = v;
    }
    const index = ids.index(id);
    if (index !== undefined) sums.set(index, (sums.get(index) ?? 0) + value);
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
