/**
 * A set of (user, item, value[, timestamp]) interactions: star ratings, or
 * implicit signals such as views and purchases.
 *
 * Stored twice, by user (CSR: `byUser`, rows are users) and by item (CSC seen
 * as rows: `byItem`, rows are items), with Int32 indices and Float32 values,
 * so every kernel finds the orientation it needs and nobody has to transpose
 * by hand. Raw ids map to dense indices through `users` and `items`.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions, oneOf } from '../validate.js';
import { IdMap, type RawId } from './id-map.js';
import { nativeCsrBuild } from '../addon/csr-build.js';
import { checkSparseRows, rowOfEntries, transpose, type SparseRows } from './sparse.js';

/** How duplicate (user, item) pairs combine: add values, average them, or keep the latest. */
export type Aggregate = 'sum' | 'mean' | 'last';
export const AGGREGATES: readonly Aggregate[] = ['sum', 'mean', 'last'];

export interface FromArraysOptions {
  /** Values; default 1 for every interaction (implicit "it happened"). */
  values?: ArrayLike<number>;
  /** Timestamps (any increasing unit: seconds, milliseconds). */
  timestamps?: ArrayLike<number>;
  /** Rule for duplicate (user, item) pairs. Default 'sum'. 'last' keeps the latest by timestamp, else by position. */
  aggregate?: Aggregate;
  /** Existing id maps to extend (for instance a training set's), so indices line up. */
  users?: IdMap;
  items?: IdMap;
}

export class Interactions {
  readonly users: IdMap;
  readonly items: IdMap;
  readonly byUser: SparseRows;
  private byItemCache: SparseRows | undefined;
  private userOfEntryCache: Int32Array | undefined;

  /** Use {@link Interactions.fromArrays}, a reader, or {@link Interactions.fromSparse}. */
  private constructor(users: IdMap, items: IdMap, byUser: SparseRows) {
    this.users = users;
    this.items = items;
    this.byUser = byUser;
  }

  /**
   * Builds interactions from parallel arrays of raw user ids, raw item ids and
   * (optionally) values and timestamps.
   */
  static fromArrays(users: ArrayLike<RawId>, items: ArrayLike<RawId>, options: FromArraysOptions = {}): Interactions {
    const o = knownOptions('Interactions.fromArrays', options, ['values', 'timestamps', 'aggregate', 'users', 'items']);
    const n = checkArrayLike('users', users);
    if (checkArrayLike('items', items) !== n) {
      throw invalid(`items of length ${n} (the length of users)`, 'items', items);
    }
    const aggregate = o.aggregate === undefined ? 'sum' : oneOf('aggregate', o.aggregate, AGGREGATES);
    const userMap = idMapOption('users', o.users) ?? new IdMap();
    const itemMap = idMapOption('items', o.items) ?? new IdMap();
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      u[k] = addId(userMap, users[k], 'users', k);
      i[k] = addId(itemMap, items[k], 'items', k);
    }
    const values = o.values === undefined ? new Float32Array(n).fill(1) : finiteArray('values', o.values as ArrayLike<number>, n, Float32Array);
    const timestamps = o.timestamps === undefined ? undefined : finiteArray('timestamps', o.timestamps as ArrayLike<number>, n, Float64Array);
    return Interactions.fromIndices(userMap, itemMap, u, i, values, timestamps, aggregate);
  }

  /**
   * Builds interactions from dense indices already mapped through `users` and
   * `items` (readers and splits use this). Entries may come in any order and
   * may repeat; duplicates combine by `aggregate`.
   */
  static fromIndices(
    users: IdMap,
    items: IdMap,
    u: Int32Array,
    i: Int32Array,
    values: Float32Array,
    timestamps: Float64Array | undefined,
    aggregate: Aggregate = 'sum',
  ): Interactions {
    checkIndexArray('u', u, users, u.length);
    checkIndexArray('i', i, items, u.length);
    if (!(values instanceof Float32Array) || values.length !== u.length) throw invalid(`a Float32Array of length ${u.length}`, 'values', values);
    if (timestamps !== undefined && (!(timestamps instanceof Float64Array) || timestamps.length !== u.length)) {
      throw invalid(`a Float64Array of length ${u.length}`, 'timestamps', timestamps);
    }
    if (u.length > 0x7fffffff) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'More than 2^31-1 interactions');
    // Sorted by (user, item) and duplicates combined natively, on all cores
    // (the twin, lib/twins/csr-build.ts, spells out the same result).
    const byUser = nativeCsrBuild({ rows: u, cols: i, values, times: timestamps, nRows: users.size, nCols: items.size, aggregate });
    if (byUser === undefined) {
      // The build found an index out of range (and wrote nothing): name it.
      checkIndexRange('u', u, users);
      checkIndexRange('i', i, items);
      throw invalid('indices within the id maps', 'u', u);
    }
    return new Interactions(users, items, byUser);
  }

  /**
   * Wraps an already built by-user matrix (sorted columns, no duplicates),
   * checked first: rows and columns within the id maps, row pointers and
   * column indices consistent (ERR_MFREC_INVALID_ARGUMENT otherwise).
   */
  static fromSparse(users: IdMap, items: IdMap, byUser: SparseRows): Interactions {
    if (!(users instanceof IdMap)) throw invalid('an IdMap', 'users', users);
    if (!(items instanceof IdMap)) throw invalid('an IdMap', 'items', items);
    return new Interactions(users, items, checkSparseRows('byUser', byUser, users.size, items.size));
  }

  get nnz(): number {
    return this.byUser.indices.length;
  }
  /** Users in this data set (its rows); the id map may have grown since, if it was shared and extended. */
  get nUsers(): number {
    return this.byUser.rows;
  }
  get nItems(): number {
    return this.byUser.cols;
  }
  get hasTimestamps(): boolean {
    return this.byUser.timestamps !== undefined;
  }

  /** Rows are items, columns users (built on first use). */
  get byItem(): SparseRows {
    this.byItemCache ??= transpose(this.byUser);
    return this.byItemCache;
  }

  /** The user index of every entry of `byUser`, in storage order (the COO view). */
  get userOfEntry(): Int32Array {
    this.userOfEntryCache ??= rowOfEntries(this.byUser);
    return this.userOfEntryCache;
  }

  /** Min, max and mean of the values. */
  valueStats(): { min: number; max: number; mean: number } {
    const v = this.byUser.values;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let k = 0; k < v.length; k++) {
      const x = v[k]!;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    return v.length === 0 ? { min: NaN, max: NaN, mean: NaN } : { min, max, mean: sum / v.length };
  }

  /**
   * The entries whose storage positions (in `byUser` order) are listed in
   * `entries`, as interactions over the same id maps (splits use this).
   */
  select(entries: ArrayLike<number>): Interactions {
    const n = entries.length;
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    const v = new Float32Array(n);
    const t = this.byUser.timestamps ? new Float64Array(n) : undefined;
    const rows = this.userOfEntry;
    for (let k = 0; k < n; k++) {
      const e = entries[k]!;
      u[k] = rows[e]!;
      i[k] = this.byUser.indices[e]!;
      v[k] = this.byUser.values[e]!;
      if (t) t[k] = this.byUser.timestamps![e]!;
    }
    return Interactions.fromIndices(this.users, this.items, u, i, v, t, 'sum');
  }

  /**
   * These interactions re-indexed into `reference`'s id maps (for instance a
   * test file read on its own, aligned to the training set): entries whose
   * user or item `reference` does not know are dropped and counted.
   */
  alignTo(reference: Interactions): { aligned: Interactions; droppedUsers: number; droppedItems: number; droppedEntries: number } {
    const m = this.byUser;
    const userMap = Int32Array.from({ length: m.rows }, (_, u) => reference.users.index(this.users.id(u)) ?? -1);
    const itemMap = Int32Array.from({ length: m.cols }, (_, i) => reference.items.index(this.items.id(i)) ?? -1);
    const keep: number[] = [];
    const rows = this.userOfEntry;
    for (let e = 0; e < m.indices.length; e++) {
      const u = userMap[rows[e]!]!;
      const i = itemMap[m.indices[e]!]!;
      if (u >= 0 && u < reference.nUsers && i >= 0 && i < reference.nItems) keep.push(e);
    }
    const n = keep.length;
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    const v = new Float32Array(n);
    const t = m.timestamps ? new Float64Array(n) : undefined;
    keep.forEach((e, k) => {
      u[k] = userMap[rows[e]!]!;
      i[k] = itemMap[m.indices[e]!]!;
      v[k] = m.values[e]!;
      if (t) t[k] = m.timestamps![e]!;
    });
    // Re-sorting into reference order keeps the CSR invariants (sorted columns, no duplicates).
    const aligned = Interactions.fromIndices(reference.users, reference.items, u, i, v, t, 'sum');
    return {
      aligned,
      droppedUsers: userMap.filter((x) => x < 0).length,
      droppedItems: itemMap.filter((x) => x < 0).length,
      droppedEntries: m.indices.length - n,
    };
  }

  /** Iterates raw (user, item, value, timestamp) tuples in user order. */
  *entries(): IterableIterator<{ user: RawId; item: RawId; value: number; timestamp?: number }> {
    const m = this.byUser;
    for (let r = 0; r < m.rows; r++) {
      const user = this.users.id(r);
      for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
        const entry = { user, item: this.items.id(m.indices[k]!), value: m.values[k]! };
        yield m.timestamps ? { ...entry, timestamp: m.timestamps[k]! } : entry;
      }
    }
  }
}

function checkArrayLike(name: string, a: unknown): number {
  if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<unknown>).length !== 'number') {
    throw invalid('an array', name, a);
  }
  return (a as ArrayLike<unknown>).length;
}

function idMapOption(name: string, v: unknown): IdMap | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof IdMap)) throw invalid('an IdMap', name, v);
  return v;
}

/** Dense indices must be an Int32Array of one entry per interaction over an IdMap. */
function checkIndexArray(name: string, a: unknown, ids: IdMap, n: number): void {
  if (!(ids instanceof IdMap)) throw invalid('an IdMap', name === 'u' ? 'users' : 'items', ids);
  if (!(a instanceof Int32Array) || a.length !== n) throw invalid(`an Int32Array of length ${n}`, name, a);
}

/** Names the first index outside the id map (the CSR build checks them all, fast, and calls this only to say which). */
function checkIndexRange(name: string, a: Int32Array, ids: IdMap): void {
  const size = ids.size;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    if (x < 0 || x >= size) throw invalid(`indices in [0, ${size})`, `${name}[${k}]`, x);
  }
}

function addId(map: IdMap, id: unknown, name: string, k: number): number {
  if ((typeof id === 'number' && Number.isFinite(id)) || typeof id === 'string') return map.add(id);
  throw invalid('a string or finite number id', `${name}[${k}]`, id);
}

function finiteArray<T extends Float32Array | Float64Array>(name: string, a: ArrayLike<number>, n: number, Ctor: { new (n: number): T }): T {
  if (checkArrayLike(name, a) !== n) throw invalid(`${name} of length ${n} (the length of users)`, name, a);
  const out = new Ctor(n);
  for (let k = 0; k < n; k++) {
    const x = a[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw invalid('a finite number', `${name}[${k}]`, x);
    out[k] = x;
  }
  return out;
}
