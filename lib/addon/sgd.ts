/**
 * The explicit-rating SGD binding (native/bindings/sgd.cc): its argument
 * shapes, defined here once, and its functions. The twin (lib/twins/sgd.ts)
 * takes the same shapes, so either side can run the same call.
 */
import { adaptedBinding, bindingOf } from './loader.js';

/** Random streams derived from the seed (the kernel uses the same numbers). */
export const SgdStreams = { users: 0, items: 1, entries: 2, init: 3, epochBase: 16 } as const;

/** Ratings cut into a blocks × blocks grid; block b = rowBlock * blocks + colBlock. */
export interface SgdGrid {
  blocks: number;
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  /** blocks² + 1 offsets into users/items/ratings. */
  blockPtr: Int32Array;
}

/** The trained arrays, updated in place. Factor rows are contiguous, `factors` floats each. */
export interface SgdModelArrays {
  factors: number;
  globalBias: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
  /** Optional per-row multipliers of the regularization (absent: 1 for every row). */
  userRegularization?: Float32Array;
  itemRegularization?: Float32Array;
  /** Optional per-row multipliers of the bias regularization. */
  userBiasRegularization?: Float32Array;
  itemBiasRegularization?: Float32Array;
}

export interface SgdStep {
  learningRate: number;
  regularization: number;
  biasRegularization: number;
  /** Ignored by the twin, which always replays the one-thread schedule. */
  threads: number;
  seed: number;
  /** 0-based epoch number: picks the block order. */
  epoch: number;
}

/** sgdLayout's options; the grid does not depend on `threads` (default 1, 0: all; the twin ignores it). */
export interface SgdLayoutOptions {
  nUsers: number;
  nItems: number;
  seed: number;
  threads?: number;
}

/**
 * sgdInitialFactors' options: row n of `out` (whole rows of `factors` floats)
 * gets N(0, sd²) coordinates from the draws of row firstRow + order[n] of the
 * seed's init stream (user rows, then item rows; order absent: + n).
 */
export interface SgdInitialFactorsOptions {
  factors: number;
  seed: number;
  firstRow: number;
  sd: number;
  /** A permutation of the rows: draws them straight into a renumbered model. */
  order?: Int32Array;
  /** Ignored by the twin; the values do not depend on it (0: all). */
  threads: number;
}

/** Ratings by user row: user u's are entries indptr[u] .. indptr[u + 1] of indices (items) and values. */
export interface UserRows {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** sgdGroupRows' output: a renumbering of each side, order[new] = old, rank[old] = new. */
export interface SgdRowGroups {
  userOrder: Int32Array;
  userRank: Int32Array;
  itemOrder: Int32Array;
  itemRank: Int32Array;
}

/** An empty grid for `nnz` ratings, ready for {@link sgdLayout}. */
export function allocateGrid(nnz: number, blocks: number): SgdGrid {
  return {
    blocks,
    users: new Int32Array(nnz),
    items: new Int32Array(nnz),
    ratings: new Float32Array(nnz),
    blockPtr: new Int32Array(blocks * blocks + 1),
  };
}

export interface SgdBinding {
  /** Fills `grid` (allocated with the input's length) from parallel index arrays. */
  sgdLayout(users: Int32Array, items: Int32Array, ratings: Float32Array, options: SgdLayoutOptions, grid: SgdGrid): Promise<void>;
  /** The same grid from user rows (user u's ratings: entries indptr[u] .. indptr[u + 1]), without spelling out each entry's user. */
  sgdLayoutRows(rows: UserRows, options: SgdLayoutOptions, grid: SgdGrid): Promise<void>;
  /**
   * Numbers users by first appearance in the grid's row blocks and items in
   * its column blocks (unseen rows last), fills the four arrays (order[new] =
   * old, rank[old] = new) and renumbers the grid in place.
   */
  sgdGroupRows(grid: SgdGrid, rows: SgdRowGroups, threads: number): void;
  /** Fills and returns `out` with the initial factors (see {@link SgdInitialFactorsOptions}). */
  sgdInitialFactors(out: Float32Array, options: SgdInitialFactorsOptions): Float32Array;
  /** One epoch in place; resolves with the sum of squared errors seen before each update. */
  sgdEpoch(grid: SgdGrid, model: SgdModelArrays, step: SgdStep, cancel?: Int32Array): Promise<number>;
  /** Fills and returns `out`; -1 marks an unknown user or item. */
  sgdPredict(
    model: SgdModelArrays,
    users: Int32Array,
    items: Int32Array,
    out: Float32Array,
    options: { min: number; max: number; threads: number },
  ): Float32Array;
  /** How many bytes past a 64-byte cache line the array's first element lies. */
  sgdLineOffset(array: Float32Array): number;
}

/** The addon's functions: one arguments object per call. */
interface SgdAddonFunctions {
  sgdLayout(
    args: ({ users: Int32Array } | { userPtr: Int32Array }) & { items: Int32Array; ratings: Float32Array; grid: SgdGrid } & SgdLayoutOptions,
  ): Promise<void>;
  sgdGroupRows(args: { grid: SgdGrid; nUsers: number; nItems: number; threads: number } & SgdRowGroups): void;
  sgdInitialFactors(args: { out: Float32Array } & SgdInitialFactorsOptions): Float32Array;
  sgdEpoch(args: { grid: SgdGrid; model: SgdModelArrays; step: SgdStep; cancel?: Int32Array }): Promise<number>;
  sgdPredict(args: { model: SgdModelArrays; users: Int32Array; items: Int32Array; out: Float32Array; min: number; max: number; threads: number }): Float32Array;
  sgdLineOffset(args: { array: Float32Array }): number;
}

const addonFunctions = bindingOf<SgdAddonFunctions>({
  sync: ['sgdPredict', 'sgdInitialFactors', 'sgdGroupRows', 'sgdLineOffset'],
  async: ['sgdLayout', 'sgdEpoch'],
});

/** The binding with the twin's argument shapes, each call packed into the addon's one object. */
export const sgdBinding = adaptedBinding(
  addonFunctions,
  (addon): SgdBinding => ({
    sgdLayout: (users, items, ratings, options, grid) => addon.sgdLayout({ users, items, ratings, ...options, grid }),
    sgdLayoutRows: (rows, options, grid) => addon.sgdLayout({ userPtr: rows.indptr, items: rows.indices, ratings: rows.values, ...options, grid }),
    sgdGroupRows: (grid, rows, threads) => addon.sgdGroupRows({ grid, nUsers: rows.userOrder.length, nItems: rows.itemOrder.length, threads, ...rows }),
    sgdInitialFactors: (out, options) => addon.sgdInitialFactors({ out, ...options }),
    sgdEpoch: (grid, model, step, cancel) => addon.sgdEpoch({ grid, model, step, cancel }),
    sgdPredict: (model, users, items, out, options) => addon.sgdPredict({ model, users, items, out, ...options }),
    sgdLineOffset: (array) => addon.sgdLineOffset({ array }),
  }),
);

const f = Math.fround;
const lanes = new Float64Array(8);

/** p · q in the kernel's 8 lanes (lane = factor mod 8) summed pairwise, in float32. */
export function laneDot(p: Float32Array, pOffset: number, q: Float32Array, qOffset: number, k: number): number {
  lanes.fill(0);
  for (let x = 0; x < k; x++) {
    const j = x & 7;
    lanes[j] = f(lanes[j]! + f(p[pOffset + x]! * q[qOffset + x]!));
  }
  const l = lanes;
  return f(f(f(l[0]! + l[1]!) + f(l[2]! + l[3]!)) + f(f(l[4]! + l[5]!) + f(l[6]! + l[7]!)));
}

/**
 * The prediction kernel's arithmetic for one pair, in JavaScript: what
 * sgdPredict computes for (u, i) (−1: an unknown side, which adds neither its
 * bias nor the dot product), clamped to [min, max]. A single prediction costs
 * far less here than a call into the addon (about 0.7 µs against 6 µs), so
 * ExplicitMF.predict and the twin both use it; the kernel's tests hold it to
 * the kernel bit for bit.
 */
export function predictPair(model: SgdModelArrays, u: number, i: number, min: number, max: number): number {
  let s = f(model.globalBias);
  if (u >= 0) s = f(s + model.userBias[u]!);
  if (i >= 0) s = f(s + model.itemBias[i]!);
  if (u >= 0 && i >= 0) s = f(s + laneDot(model.userFactors, u * model.factors, model.itemFactors, i * model.factors, model.factors));
  return s < min ? f(min) : s > max ? f(max) : s;
}
