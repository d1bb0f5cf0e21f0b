/**
 * The native score split behind explain() (native/kernels/score_split.h)
 * against its TypeScript twin: the same weighted normal equations with and
 * without a bias column and a base matrix, agreeing to double rounding; a
 * singular system solved through the same ridge; non-finite input reported;
 * the binding's checks of its indices.
 */
import { describe, expect, it } from 'vitest';
import { nativeScoreSplit, scoreSplitBinding, type ScoreSplitProblem } from '../../lib/addon/score-split.js';
import { Rng } from '../../lib/random.js';
import { scoreSplitTwin } from '../../lib/twins/score-split.js';

function problem(k: number, n: number, biasColumn: boolean, seed: number): ScoreSplitProblem {
  const rng = new Rng(seed);
  const nVectors = 50;
  const d = k + (biasColumn ? 1 : 0);
  const vectors = Float32Array.from({ length: nVectors * k }, () => rng.normal());
  const g = new Float64Array(d * d);
  for (let r = 0; r < 20; r++) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) g[a * d + b]! += v[a]! * v[b]!;
  }
  return {
    factors: k,
    biasColumn,
    vectors,
    rows: Int32Array.from({ length: n }, () => rng.below(nVectors)),
    weights: Float64Array.from({ length: n }, () => rng.uniform() * 3),
    ...(biasColumn ? {} : { base: g }),
    diagonal: new Float64Array(d).fill(0.1),
    query: 7,
  };
}

function expectClose(got: Float64Array | undefined, want: Float64Array | undefined, tolerance = 1e-9): void {
  expect(got).toBeDefined();
  expect(want).toBeDefined();
  for (let j = 0; j < want!.length; j++) expect(Math.abs(got![j]! - want![j]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want![j]!)));
}

describe('score split: native kernel and TypeScript twin', () => {
  for (const [k, n, bias] of [
    [4, 3, false],
    [16, 37, false],
    [16, 37, true],
    [33, 101, true],
  ] as const) {
    it(`agree for ${k} factors, ${n} observations, ${bias ? 'a bias column' : 'a base matrix'}`, () => {
      const p = problem(k, n, bias, k + n);
      expectClose(nativeScoreSplit(p), scoreSplitTwin(p));
    });
  }

  it('a hand-solved system: A = diag(1, 1 + 3·|(0, 2)|²), s = (A⁻¹ z_q)ᵀ z_q', () => {
    const p: ScoreSplitProblem = {
      factors: 2,
      biasColumn: false,
      vectors: Float32Array.of(1, 0, 0, 2),
      rows: Int32Array.of(1),
      weights: Float64Array.of(3),
      diagonal: Float64Array.of(1, 1),
      query: 1,
    };
    // A = diag(1, 1 + 3·4) = diag(1, 13); A⁻¹ z_q = (0, 2/13); s = (0, 2/13)·(0, 2) = 4/13.
    expect(nativeScoreSplit(p)![0]).toBeCloseTo(4 / 13, 12);
    expect(scoreSplitTwin(p)![0]).toBeCloseTo(4 / 13, 12);
  });

  it('a singular system gets the same ridge on both sides; non-finite input is undefined', () => {
    const p = { ...problem(6, 2, true, 3), diagonal: new Float64Array(7) };
    // Nearly singular even with the ridge: the kernel's four-at-a-time sums round differently, and the solve magnifies it.
    expectClose(nativeScoreSplit(p), scoreSplitTwin(p), 1e-4);
    const bad = { ...problem(6, 4, false, 4), weights: Float64Array.of(1, NaN, 1, 1) };
    expect(nativeScoreSplit(bad)).toBeUndefined();
    expect(scoreSplitTwin(bad)).toBeUndefined();
  });

  it('refuses rows and a query outside the vectors, and arrays of the wrong length', () => {
    const p = problem(4, 3, false, 1);
    const code = (over: Partial<ScoreSplitProblem & { out: Float64Array }>) => {
      try {
        scoreSplitBinding().scoreSplit({ ...p, out: new Float64Array(3), ...over });
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    expect(code({})).toBeUndefined();
    expect(code({ rows: Int32Array.of(0, 50, 1) })).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code({ rows: Int32Array.of(0, -1, 1) })).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code({ query: 50 })).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code({ weights: new Float64Array(2) })).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code({ diagonal: new Float64Array(5) })).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code({ base: new Float64Array(4) })).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code({ vectors: new Float32Array(7) })).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});
