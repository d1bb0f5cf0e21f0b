/**
 * The native all-finite check (lib/addon/finite.ts) against its twin,
 * allFinite of lib/models/base/training.ts, on arrays with non-finite values
 * planted at random places, and as ALS's per-iteration divergence check.
 */
import { describe, expect, it } from 'vitest';
import { nativeAllFinite } from '../../lib/addon/finite.js';
import { allFinite } from '../../lib/models/base/training.js';
import { Rng } from '../../lib/random.js';

const NON_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

describe('nativeAllFinite', () => {
  it('agrees with its twin on finite arrays and on arrays with one non-finite value anywhere', () => {
    const rng = new Rng(5);
    for (const n of [0, 1, 7, 4095, 4096, 4097, 20_000]) {
      const a = Float32Array.from({ length: n }, () => (rng.uniform() - 0.5) * 1e30);
      expect(nativeAllFinite(a)).toBe(true);
      expect(allFinite(a)).toBe(true);
      for (let t = 0; t < 6 && n > 0; t++) {
        const at = rng.below(n);
        const keep = a[at]!;
        a[at] = NON_FINITE[t % 3]!;
        expect(nativeAllFinite(a), `n ${n}, ${a[at]} at ${at}`).toBe(false);
        expect(allFinite(a)).toBe(false);
        a[at] = keep;
      }
    }
  });

  it('checks every array it is given', () => {
    const good = new Float32Array(10).fill(1);
    const bad = Float32Array.of(0, 0, Number.NaN);
    expect(nativeAllFinite(good, good)).toBe(true);
    expect(nativeAllFinite(good, bad)).toBe(false);
    expect(nativeAllFinite(bad, good)).toBe(false);
    expect(nativeAllFinite(good.subarray(3), bad.subarray(0, 2))).toBe(true);
  });
});
