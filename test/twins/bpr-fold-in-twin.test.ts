/**
 * The native BPR fold-ins (native/kernels/bpr_fold_in.h) against their
 * TypeScript twin (lib/models/bpr/fold-in.ts): the same seeded streams and
 * arithmetic, so user and item vectors agree to float rounding, with the
 * negative check on and off, for known and new items; and the binding's
 * checks of its index arguments.
 */
import { describe, expect, it } from 'vitest';
import { bprFoldInBinding } from '../../lib/addon/bpr-fold-in.js';
import { rowOfEntries } from '../../lib/data/sparse.js';
import { columnCounts } from '../../lib/models/base/partial-fit-plan.js';
import { bprBackends } from '../../lib/models/bpr/backend.js';
import { foldInBprItem, foldInBprUser, type BprFoldInParams } from '../../lib/models/bpr/fold-in.js';
import { Rng } from '../../lib/random.js';
import { randomData } from '../helpers/implicit-data.js';

const USERS = 80;
const ITEMS = 60;

function randomFactors(rows: number, k: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * k }, () => rng.normal() * 0.3);
}

function params(over: Partial<BprFoldInParams> = {}): BprFoldInParams {
  return { factors: 9, iterations: 40, learningRate: 0.05, regularization: 0.01, seed: 17, verifyNegative: true, ...over };
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let f = 0; f < want.length; f++) worst = Math.max(worst, Math.abs(got[f]! - want[f]!) / Math.max(1e-3, Math.abs(want[f]!)));
  expect(worst).toBeLessThan(1e-4);
  expect(Array.from(want).some((x) => x !== 0)).toBe(true);
}

describe('BPR fold-in: native kernel and TypeScript twin', () => {
  const data = randomData(USERS, ITEMS, 0.15, 5);
  const k = 9;
  const userFactors = randomFactors(USERS, k, 1);
  const itemFactors = randomFactors(ITEMS, k, 2);
  const itemBias = Float32Array.from({ length: ITEMS }, (_, i) => Math.sin(i) * 0.2);
  const seen = data.byUser;

  for (const verifyNegative of [true, false]) {
    it(`user fold-ins agree (verifyNegative ${verifyNegative})`, () => {
      const p = params({ verifyNegative });
      for (const u of [0, 11, 42, 79]) {
        const positives = seen.indices.slice(seen.indptr[u]!, seen.indptr[u + 1]!);
        expectClose(bprBackends.native.foldInUser(p, itemFactors, itemBias, positives), foldInBprUser(p, itemFactors, itemBias, positives));
      }
    });

    it(`item fold-ins agree for known and new items (verifyNegative ${verifyNegative})`, () => {
      const p = params({ verifyNegative });
      const context = { userFactors, itemFactors, itemBias, seen, userOfEntry: rowOfEntries(seen), columnCounts: columnCounts(seen) };
      for (const item of [3, 30, -1]) {
        const fans = Int32Array.from([1, 5, 9, 22, 40, 41, 77]);
        const got = bprBackends.native.foldInItem(p, context, fans, item);
        const want = foldInBprItem(p, context, fans, item);
        expectClose(got.factors, want.factors);
        expect(Math.abs(got.bias - want.bias)).toBeLessThan(1e-6 * Math.max(1, Math.abs(want.bias)));
      }
    });
  }

  it('a user with every item, or none, gets zeros on both sides', () => {
    const p = params();
    const every = Int32Array.from({ length: ITEMS }, (_, i) => i);
    expect(Array.from(bprBackends.native.foldInUser(p, itemFactors, itemBias, every))).toEqual(new Array(k).fill(0));
    expect(Array.from(bprBackends.native.foldInUser(p, itemFactors, itemBias, new Int32Array(0)))).toEqual(new Array(k).fill(0));
  });

  it('refuses index arguments that are out of range, unsorted or repeated (which would read outside memory or never end)', () => {
    const base = { ...params(), itemFactors, itemBias, out: new Float32Array(k) };
    const code = (call: () => unknown) => {
      try {
        call();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    for (const positives of [[60], [-1], [3, 2], [4, 4]]) {
      expect(
        code(() => bprFoldInBinding().bprFoldInUser({ ...base, positives: Int32Array.from(positives) })),
        JSON.stringify(positives),
      ).toBe('ERR_MFREC_INVALID_ARGUMENT');
    }
    expect(code(() => bprFoldInBinding().bprFoldInUser({ ...base, positives: Int32Array.of(1), out: new Float32Array(2) }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    const context = { userFactors, itemFactors, itemBias, seen, userOfEntry: rowOfEntries(seen), columnCounts: columnCounts(seen) };
    const item = { ...params(), ...context, item: 3, out: new Float32Array(k) };
    expect(code(() => bprFoldInBinding().bprFoldInItem({ ...item, fans: Int32Array.of(USERS) }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => bprFoldInBinding().bprFoldInItem({ ...item, fans: Int32Array.of(5, 1) }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(code(() => bprFoldInBinding().bprFoldInItem({ ...item, fans: Int32Array.of(1), item: ITEMS }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    const lying = new Float32Array(ITEMS).fill(1e6);
    expect(code(() => bprFoldInBinding().bprFoldInItem({ ...item, fans: Int32Array.of(1), columnCounts: lying }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
  });
});
