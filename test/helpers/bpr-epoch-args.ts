/** One BPR epoch's arguments over `data`, from the seeded initial factors scaled by `scale` (for the kernel/twin comparisons). */
import type { BprEpochArgs } from '../../lib/addon/bpr.js';
import type { Interactions } from '../../lib/data/interactions.js';
import { bprInitialFactors } from '../../lib/models/bpr/bpr.js';

export function bprEpochArgs(data: Interactions, factors: number, o: { scale: number; seed: number; verifyNegative: boolean }): BprEpochArgs {
  return {
    indptr: data.byUser.indptr,
    indices: data.byUser.indices,
    users: data.nUsers,
    items: data.nItems,
    factors,
    userFactors: bprInitialFactors(data.nUsers, factors, 9, 0).map((x) => x * o.scale),
    itemFactors: bprInitialFactors(data.nItems, factors, 9, 1).map((x) => x * o.scale),
    itemBias: Float32Array.from({ length: data.nItems }, (_, i) => (i % 7) * 0.01),
    learningRate: 0.05,
    regularization: 0.01,
    seed: o.seed,
    epoch: 1,
    threads: 1,
    verifyNegative: o.verifyNegative,
  };
}
