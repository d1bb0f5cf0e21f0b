/**
 * The BPR fold-in binding (native/bindings/bpr_fold_in.cc): one user's or
 * item's vector replayed against the fixed other side, as the TypeScript twin
 * lib/models/bpr/fold-in.ts computes it (same streams, same order).
 */
import type { SparseRows } from '../data/sparse.js';
import type { BprFoldInParams } from '../models/bpr/fold-in.js';
import { bindingOf } from './loader.js';

export interface BprFoldInUserArgs extends BprFoldInParams {
  itemFactors: Float32Array;
  itemBias: Float32Array;
  /** The user's items: strictly increasing item indices. */
  positives: Int32Array;
  /** Receives the user's factors. */
  out: Float32Array;
}

export interface BprFoldInItemArgs extends BprFoldInParams {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  itemBias: Float32Array;
  seen: SparseRows;
  userOfEntry: Int32Array;
  columnCounts: Float32Array;
  /** The item's users: strictly increasing user indices. */
  fans: Int32Array;
  /** The item's current index, or −1 for a new item. */
  item: number;
  /** Receives the item's factors. */
  out: Float32Array;
}

export interface BprFoldInBinding {
  /** Fills and returns `out`. Synchronous. */
  bprFoldInUser(args: BprFoldInUserArgs): Float32Array;
  /** Fills `out` with the factors and returns the bias. Synchronous. */
  bprFoldInItem(args: BprFoldInItemArgs): number;
}

export const bprFoldInBinding = bindingOf<BprFoldInBinding>({ sync: ['bprFoldInUser', 'bprFoldInItem'], async: [] });
