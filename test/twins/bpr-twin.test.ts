// lib/twins/bpr.ts replays native/kernels/bpr.cc: after an epoch at one thread
// with the same seed, the factors agree to the bit except where expf and
// Math.exp round a sample's exponential differently (rare), so the twin
// follows the kernel's order of additions in the score (kernels/bpr_dot.h),
// at factor counts that exercise every path: below 16, a multiple of 16 (the
// AVX-512 copy), of 32, and with a remainder.
import { describe, expect, it } from 'vitest';
import { bprBinding, type BprEpochArgs } from '../../lib/addon/bpr.js';
import { bprEpochTwin } from '../../lib/twins/bpr.js';
import { bprEpochArgs } from '../helpers/bpr-epoch-args.js';
import { randomInteractions } from '../helpers/hand-made-model.js';

function epochArgs(factors: number): BprEpochArgs {
  // Large values of both signs: another order of the additions in the score would round differently.
  return bprEpochArgs(randomInteractions(11, 60, 90, 0.2), factors, { scale: 100, seed: 7, verifyNegative: true });
}

function copy(a: BprEpochArgs): BprEpochArgs {
  return { ...a, userFactors: a.userFactors.slice(), itemFactors: a.itemFactors.slice(), itemBias: a.itemBias.slice() };
}

/** The share of entries with the same bits in both arrays. */
function sameShare(a: Float32Array, b: Float32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (Object.is(a[i], b[i])) same++;
  return same / a.length;
}

describe('BPR twin vs kernel, bit for bit', () => {
  it.each([5, 16, 37, 48, 64, 128])('one epoch at one thread, %i factors: the same factors', async (factors) => {
    const base = epochArgs(factors);
    const native = copy(base);
    const twin = copy(base);
    await bprBinding().bprEpoch(native);
    bprEpochTwin(twin);
    expect(sameShare(native.userFactors, base.userFactors)).toBeLessThan(0.01); // it did train
    expect(sameShare(native.userFactors, twin.userFactors)).toBeGreaterThan(0.99);
    expect(sameShare(native.itemFactors, twin.itemFactors)).toBeGreaterThan(0.99);
  });
});
