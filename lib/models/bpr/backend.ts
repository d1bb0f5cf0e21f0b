/**
 * BPR's operations on either backend (see base/backend.ts): the epoch, which
 * updates the arrays in place and returns its statistics, and the fold-ins of
 * one user or item (native/kernels/bpr_fold_in.h, or their twin fold-in.ts).
 */
import * as addon from '../../addon/bpr.js';
import type { BprEpochArgs, BprEpochStats } from '../../addon/bpr.js';
import { bprFoldInBinding } from '../../addon/bpr-fold-in.js';
import * as twin from '../../twins/bpr.js';
import type { Backends } from '../base/backend.js';
import { yieldTurn, type CancelFlag } from '../base/training.js';
import { foldInBprItem, foldInBprUser, type BprFoldInParams, type BprItemContext } from './fold-in.js';

export interface BprBackend {
  epoch(args: BprEpochArgs, cancel: CancelFlag): Promise<BprEpochStats>;
  /** A user's vector from their items (sorted, distinct indices); synchronous. */
  foldInUser(p: BprFoldInParams, itemFactors: Float32Array, itemBias: Float32Array, positives: Int32Array): Float32Array;
  /** An item's vector and bias from its users (sorted, distinct indices); synchronous. */
  foldInItem(p: BprFoldInParams, c: BprItemContext, fans: Int32Array, item: number): { factors: Float32Array; bias: number };
}

/** The fold-in parameters alone (the model's params carry more fields than the binding takes). */
function foldInParams(p: BprFoldInParams): BprFoldInParams {
  return {
    factors: p.factors,
    iterations: p.iterations,
    learningRate: p.learningRate,
    regularization: p.regularization,
    seed: p.seed,
    verifyNegative: p.verifyNegative,
  };
}

export const bprBackends: Backends<BprBackend> = {
  native: {
    epoch: (args) => addon.bprBinding().bprEpoch(args),
    foldInUser: (p, itemFactors, itemBias, positives) =>
      bprFoldInBinding().bprFoldInUser({ ...foldInParams(p), itemFactors, itemBias, positives, out: new Float32Array(p.factors) }),
    foldInItem(p, c, fans, item) {
      const out = new Float32Array(p.factors);
      const bias = bprFoldInBinding().bprFoldInItem({ ...foldInParams(p), ...c, fans, item, out });
      return { factors: out, bias };
    },
  },
  js: {
    async epoch(args, cancel) {
      await yieldTurn(cancel);
      return twin.bprEpochTwin(args);
    },
    foldInUser: foldInBprUser,
    foldInItem: foldInBprItem,
  },
};
