/**
 * The explicit-rating SGD operations on either backend (see base/backend.ts):
 * the native binding and the pure-TypeScript twin behind one interface, so
 * ExplicitMF's training loop does not care which one runs its epochs.
 */
import { sgdBinding, type SgdGrid, type SgdInitialFactorsOptions, type SgdLayoutOptions, type SgdModelArrays, type SgdStep } from '../../addon/sgd.js';
import { rowOfEntries, type SparseRows } from '../../data/sparse.js';
import * as twin from '../../twins/sgd.js';
import { nativeScoreSplit, type ScoreSplitProblem } from '../../addon/score-split.js';
import { scoreSplitTwin } from '../../twins/score-split.js';
import type { Backends } from '../base/backend.js';
import { lineAlignedFloats } from './aligned-factors.js';
import { blockRows, renumber, type BlockRows } from './sgd-rows.js';
import { yieldTurn, type CancelFlag } from '../base/training.js';

export interface SgdBackend {
  /** Fills `grid` (allocated with the input's length) from parallel index arrays. */
  /** Fills `grid` (allocated with the input's length) from the ratings by user row. */
  layout(byUser: SparseRows, options: SgdLayoutOptions, grid: SgdGrid): Promise<void>;
  /** The renumbering that groups rows by block (sgd-rows.ts), applied to the grid's indices in place. */
  groupRows(grid: SgdGrid, nUsers: number, nItems: number, threads: number): BlockRows;
  /** A zeroed factor array of `length` floats, placed where this backend's epoch runs fastest on it. */
  factorArray(length: number): Float32Array;
  /** Fills and returns `out` with the initial factors (addon/sgd.ts: SgdInitialFactorsOptions). */
  initialFactors(out: Float32Array, options: SgdInitialFactorsOptions): Float32Array;
  /** One epoch in place; resolves with the sum of squared errors seen before each update. */
  epoch(grid: SgdGrid, model: SgdModelArrays, step: SgdStep, cancel: CancelFlag): Promise<number>;
  /** Fills and returns `out`; -1 marks an unknown user or item. */
  predict(model: SgdModelArrays, users: Int32Array, items: Int32Array, out: Float32Array, options: { min: number; max: number; threads: number }): Float32Array;
  /** explain()'s score split (addon/score-split.ts), on the calling thread; undefined when the system does not factor. */
  scoreSplit(p: ScoreSplitProblem): Float64Array | undefined;
}

export const sgdBackends: Backends<SgdBackend> = {
  native: {
    layout: (byUser, options, grid) => sgdBinding().sgdLayoutRows(byUser, options, grid),
    groupRows(grid, nUsers, nItems, threads) {
      const users = { order: new Int32Array(nUsers), rank: new Int32Array(nUsers) };
      const items = { order: new Int32Array(nItems), rank: new Int32Array(nItems) };
      sgdBinding().sgdGroupRows(grid, { userOrder: users.order, userRank: users.rank, itemOrder: items.order, itemRank: items.rank }, threads);
      return { users, items };
    },
    // On a cache line: the epoch then trains the rows in place (aligned-factors.ts).
    factorArray: lineAlignedFloats,
    initialFactors: (out, options) => sgdBinding().sgdInitialFactors(out, options),
    epoch: (grid, model, step, cancel) => sgdBinding().sgdEpoch(grid, model, step, cancel.array),
    predict: (model, users, items, out, options) => sgdBinding().sgdPredict(model, users, items, out, options),
    scoreSplit: nativeScoreSplit,
  },
  /**
   * The twin. Each epoch first yields the event loop (an epoch itself blocks
   * it: the twin is synchronous), then honours the cancel flag as the kernel
   * does, so an abort between epochs never starts another one.
   */
  js: {
    layout: (byUser, options, grid) => Promise.resolve().then(() => twin.sgdLayout(rowOfEntries(byUser), byUser.indices, byUser.values, options, grid)),
    groupRows(grid, nUsers, nItems) {
      const rows = blockRows(grid, nUsers, nItems);
      renumber(grid.users, rows.users);
      renumber(grid.items, rows.items);
      return rows;
    },
    factorArray: (length) => new Float32Array(length),
    initialFactors: (out, options) => twin.sgdInitialFactors(out, options),
    async epoch(grid, model, step, cancel) {
      await yieldTurn(cancel);
      return twin.sgdEpoch(grid, model, step);
    },
    predict: (model, users, items, out, options) => twin.sgdPredict(model, users, items, out, options),
    scoreSplit: scoreSplitTwin,
  },
};
