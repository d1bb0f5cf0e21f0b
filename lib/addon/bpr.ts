/** The native BPR epoch (native/kernels/bpr.h) as TypeScript sees it. */
import { bindingOf } from './loader.js';

export interface BprEpochArgs {
  /** Training interactions by user (CSR). */
  indptr: Int32Array;
  indices: Int32Array;
  users: number;
  items: number;
  factors: number;
  /** Updated in place. */
  userFactors: Float32Array;
  itemFactors: Float32Array;
  itemBias: Float32Array;
  learningRate: number;
  regularization: number;
  seed: number;
  /** 1-based epoch number: selects the epoch's random streams. */
  epoch: number;
  /** 0 = all hardware threads. */
  threads: number;
  verifyNegative: boolean;
  cancel?: Int32Array | undefined;
}

export interface BprEpochStats {
  /** Sum over samples of −ln σ(x_uij), each measured before its update. */
  loss: number;
  /** Samples with x_uij > 0 (ranked correctly) before their update. */
  correct: number;
  /** Samples used (users who have every item are skipped). */
  samples: number;
}

export interface BprBinding {
  bprEpoch(args: BprEpochArgs): Promise<BprEpochStats>;
}

export const bprBinding = bindingOf<BprBinding>({ sync: [], async: ['bprEpoch'] });
