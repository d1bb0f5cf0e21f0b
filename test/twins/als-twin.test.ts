import { describe, expect, it } from 'vitest';
import type { Interactions } from '../../lib/index.js';
import type { SparseRows } from '../../lib/data/sparse.js';
import { alsBinding, type AlsKernelOptions } from '../../lib/addon/als.js';
import { initialFactors } from '../../lib/models/als/implicit-als.js';
import { randomData as randomImplicitData } from '../helpers/implicit-data.js';
import { alsHalfSweep, alsIteration, alsLoss, alsSolveRows, confidence, gramOf, preference, rowLambda } from '../../lib/twins/als.js';

/** Random implicit data with signed values (some negative, up to 4). */
const randomData = (users: number, items: number, density: number, seed: number): Interactions => randomImplicitData(users, items, density, seed, true);

/**
 * A native half-sweep as the library runs one outside an iteration: YᵀY, then
 * the row solves (native/tests/test_als.cc checks this equals the kernel's
 * own half-sweep bit for bit).
 */
async function nativeHalfSweep(rows: SparseRows, y: Float32Array, x: Float32Array, o: AlsKernelOptions): Promise<void> {
  const g = new Float32Array(o.factors * o.factors);
  alsBinding().alsGram(y, rows.cols, o.factors, g);
  await alsBinding().alsSolveRows(rows, y, g, x, o);
}

function options(over: Partial<AlsKernelOptions> = {}): AlsKernelOptions {
  return {
    factors: 7,
    regularization: 0.3,
    alpha: 1.5,
    confidence: 0,
    epsilon: 1,
    solver: 0,
    cgSteps: 3,
    scaleRegularization: false,
    threads: 2,
    ...over,
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
  return worst;
}

describe('ALS twin', () => {
  const data = randomData(40, 30, 0.2, 5);

  it.each([
    ['cg', options()],
    ['cholesky', options({ solver: 1 })],
    ['cg, log confidence, scaled regularization', options({ confidence: 1, epsilon: 0.5, scaleRegularization: true })],
    // 24 and 64 factors: the kernel's 8- and 16-lane products with its packed bf16 rows.
    ['cg, 24 factors', options({ factors: 24 })],
    ['cg, 64 factors, scaled regularization', options({ factors: 64, scaleRegularization: true })],
    ['cholesky, log confidence, scaled regularization', options({ solver: 1, confidence: 1, epsilon: 2, scaleRegularization: true })],
    ['cg, scaled regularization with exponent 0.5', options({ scaleRegularization: true, regularizationExponent: 0.5 })],
    ['cholesky, scaled regularization with exponent 0.25', options({ solver: 1, scaleRegularization: true, regularizationExponent: 0.25 })],
  ] as const)('matches the native kernel after one iteration (%s)', async (_name, o) => {
    const u0 = initialFactors(data.nUsers, o.factors, 9, 0, 'users');
    const i0 = initialFactors(data.nItems, o.factors, 9, 1, 'items');
    const [un, inat, ut, it] = [u0.slice(), i0.slice(), u0.slice(), i0.slice()];
    await alsBinding().alsIteration(data.byUser, data.byItem, un, inat, o);
    alsIteration(data.byUser, data.byItem, ut, it, o);
    const scale = Math.max(...Array.from(ut, Math.abs));
    expect(scale).toBeGreaterThan(0.01);
    expect(maxAbsDiff(un, ut)).toBeLessThan(1e-4 * scale);
    expect(maxAbsDiff(inat, it)).toBeLessThan(1e-4 * Math.max(...Array.from(it, Math.abs)));
    // One more iteration and the loss too.
    await alsBinding().alsIteration(data.byUser, data.byItem, un, inat, o);
    alsIteration(data.byUser, data.byItem, ut, it, o);
    const lossNative = await alsBinding().alsLoss(data.byUser, data.byItem, un, inat, o);
    const lossTwin = alsLoss(data.byUser, data.byItem, ut, it, o);
    expect(lossNative).toBeCloseTo(lossTwin, 5);
  });

  it('matches the native half-sweep on a row set with empty rows', async () => {
    const sparse = randomData(25, 12, 0.05, 6);
    const o = options({ solver: 1 });
    const y = initialFactors(sparse.nItems, o.factors, 3, 1, 'items');
    const xn = initialFactors(sparse.nUsers, o.factors, 3, 0, 'users');
    const xt = xn.slice();
    await nativeHalfSweep(sparse.byUser, y, xn, o);
    alsHalfSweep(sparse.byUser, y, xt, o);
    expect(maxAbsDiff(xn, xt)).toBeLessThan(1e-5);
  });

  it('defines confidence, preference and frequency-scaled regularization as documented', () => {
    const o = options({ alpha: 2 });
    expect(confidence(o, 3)).toBe(7);
    expect(confidence(o, -3)).toBe(7);
    expect(preference(-3)).toBe(0);
    expect(preference(0)).toBe(1);
    expect(confidence({ ...o, confidence: 1, epsilon: 0.5 }, 3)).toBeCloseTo(1 + 2 * Math.log(7), 12);
    expect(rowLambda(o, 9)).toBe(0.3);
    expect(rowLambda({ ...o, scaleRegularization: true }, 9)).toBeCloseTo(3, 12);
    expect(rowLambda({ ...o, scaleRegularization: true, regularizationExponent: 0.5 }, 8)).toBe(Math.fround(Math.fround(0.3) * 3)); // the kernel's float inputs
    expect(rowLambda({ ...o, scaleRegularization: true, regularizationExponent: 0 }, 8)).toBe(Math.fround(0.3));
    expect(rowLambda({ ...o, regularizationExponent: 0.5 }, 8)).toBe(0.3);
  });

  it('twin loss equals a brute-force sum over every (user, item) pair', () => {
    const small = randomData(6, 5, 0.4, 8);
    const o = options({ factors: 3, scaleRegularization: true, confidence: 1 });
    const x = initialFactors(small.nUsers, 3, 4, 0, 'users').map((v) => v * 50);
    const y = initialFactors(small.nItems, 3, 4, 1, 'items').map((v) => v * 50);
    let total = 0;
    let weight = 0;
    for (let u = 0; u < small.nUsers; u++) {
      for (let i = 0; i < small.nItems; i++) {
        let pred = 0;
        for (let f = 0; f < 3; f++) pred += x[u * 3 + f]! * y[i * 3 + f]!;
        let c = 1;
        let p = 0;
        for (let e = small.byUser.indptr[u]!; e < small.byUser.indptr[u + 1]!; e++) {
          if (small.byUser.indices[e] === i) {
            c = confidence(o, small.byUser.values[e]!);
            p = preference(small.byUser.values[e]!);
          }
        }
        total += c * (p - pred) ** 2;
        weight += c;
      }
    }
    const norm = (m: Float32Array, r: number) => m[r * 3]! ** 2 + m[r * 3 + 1]! ** 2 + m[r * 3 + 2]! ** 2;
    for (let u = 0; u < small.nUsers; u++) total += rowLambda(o, small.byUser.indptr[u + 1]! - small.byUser.indptr[u]!) * norm(x, u);
    for (let i = 0; i < small.nItems; i++) total += rowLambda(o, small.byItem.indptr[i + 1]! - small.byItem.indptr[i]!) * norm(y, i);
    expect(alsLoss(small.byUser, small.byItem, x, y, o)).toBeCloseTo(total / weight, 10);
  });

  it('rejects malformed arrays in the native binding instead of reading out of bounds', async () => {
    const o = options();
    const y = new Float32Array(data.nItems * o.factors);
    const x = new Float32Array(data.nUsers * o.factors);
    const bad = { ...data.byUser, indices: data.byUser.indices.map((c) => c + 1000) };
    const g = new Float32Array(o.factors * o.factors);
    expect(() => alsBinding().alsSolveRows(bad, y, g, x, o)).toThrow(/out of range/);
    expect(() => alsBinding().alsSolveRows(data.byUser, y.subarray(1), g, x, o)).toThrow(/length/);
    expect(() => alsBinding().alsSolveRows(data.byUser, y, g, new Float64Array(x.length) as never, o)).toThrow(/Float32Array/);
    expect(() => alsBinding().alsIteration(data.byUser, data.byUser, x, y, o)).toThrow(/transposes/);
  });

  it.each([
    ['cholesky', options({ solver: 1, scaleRegularization: true })],
    ['cg', options({ solver: 0, confidence: 1 })],
  ] as const)('solves rows against a given YᵀY as the native kernel does, async and sync (%s)', async (_name, o) => {
    const k = o.factors;
    const y = initialFactors(data.nItems, k, 4, 1, 'items');
    const g32 = new Float32Array(k * k);
    alsBinding().alsGram(y, data.nItems, k, g32);
    const g64 = gramOf(y, data.nItems, k);
    expect(maxAbsDiff(g32, Float32Array.from(g64))).toBeLessThan(1e-6 * Math.max(...Array.from(g64, Math.abs)));
    const start = initialFactors(data.nUsers, k, 4, 0, 'users');
    const [xa, xs, xt] = [start.slice(), start.slice(), start.slice()];
    await alsBinding().alsSolveRows(data.byUser, y, g32, xa, o);
    alsBinding().alsSolveRowsSync(data.byUser, y, g32, xs, o);
    alsSolveRows(data.byUser, y, g64, xt, o);
    expect(xs).toEqual(xa); // the row solves do not depend on the thread count
    expect(maxAbsDiff(xa, xt)).toBeLessThan(1e-4 * Math.max(...Array.from(xt, Math.abs)));
  });

  it('rejects malformed arrays in the fold-in bindings', () => {
    const o = options();
    const k = o.factors;
    const y = new Float32Array(data.nItems * k);
    const x = new Float32Array(data.nUsers * k);
    const g = new Float32Array(k * k);
    expect(() => alsBinding().alsGram(y, data.nItems + 1, k, g)).toThrow(/length/);
    expect(() => alsBinding().alsGram(y, data.nItems, k, g.subarray(1))).toThrow(/length/);
    expect(() => alsBinding().alsGram(y, -1, k, g)).toThrow(/range/);
    expect(() => alsBinding().alsSolveRowsSync(data.byUser, y, g.subarray(1), x, o)).toThrow(/length/);
    expect(() => alsBinding().alsSolveRowsSync(data.byUser, y, g, x.subarray(k), o)).toThrow(/length/);
    const bad = { ...data.byUser, indices: data.byUser.indices.map((c) => c + 1000) };
    expect(() => alsBinding().alsSolveRowsSync(bad, y, g, x, o)).toThrow(/out of range/);
    expect(() => alsBinding().alsSolveRows(data.byUser, y, new Float64Array(k * k) as never, x, o)).toThrow(/Float32Array/);
  });
});
