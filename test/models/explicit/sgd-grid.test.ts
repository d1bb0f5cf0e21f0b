import { describe, expect, it } from 'vitest';
import { ExplicitMF, Interactions } from '../../../lib/index.js';
import { GRID_BLOCK_BYTES, MAX_GRID_BLOCKS, MIN_RATINGS_PER_BLOCK, sgdGridBlocks, usefulSgdThreads } from '../../../lib/models/explicit/sgd-grid.js';
import { sgdBinding } from '../../../lib/addon/sgd.js';
import { allocateGrid } from '../../../lib/addon/sgd.js';
import { Rng } from '../../../lib/random.js';

/** About 300 ratings 1..5 of 30 users on 20 items. */
function tinyRatings(): Interactions {
  const rng = new Rng(3);
  const u: string[] = [];
  const i: string[] = [];
  const v: number[] = [];
  for (let a = 0; a < 30; a++) {
    for (let b = 0; b < 20; b++) {
      if (rng.uniform() >= 0.5) continue;
      u.push(`u${a}`);
      i.push(`i${b}`);
      v.push(1 + rng.below(5));
    }
  }
  return Interactions.fromArrays(u, i, { values: v });
}

describe('SGD grid size', () => {
  it('keeps small data in one block on one thread', () => {
    // MovieLens 100K at the default 128 factors: 1.3 MB of rows.
    expect(sgdGridBlocks(1, 943, 1682, 128)).toBe(1);
  });

  it("cuts larger data so that a block's rows fit the budget", () => {
    for (const [users, items, factors] of [
      [138_000, 27_000, 64],
      [138_000, 27_000, 128],
      [6040, 3706, 128],
    ] as const) {
      const blocks = sgdGridBlocks(1, users, items, factors);
      expect(blocks).toBeGreaterThan(1);
      expect(((users + items) * factors * 4) / blocks).toBeLessThanOrEqual(GRID_BLOCK_BYTES);
      expect(((users + items) * factors * 4) / (blocks - 1)).toBeGreaterThan(GRID_BLOCK_BYTES);
    }
  });

  it('gives several threads at least 2t + 1 blocks per side', () => {
    expect(sgdGridBlocks(2, 943, 1682, 128)).toBe(5);
    expect(sgdGridBlocks(4, 943, 1682, 128)).toBe(9);
    expect(sgdGridBlocks(2, 138_000, 27_000, 64)).toBe(sgdGridBlocks(1, 138_000, 27_000, 64));
  });

  it('depends on the data, not on the machine, and stays bounded', () => {
    expect(sgdGridBlocks(1, 10_000_000, 1_000_000, 256)).toBe(MAX_GRID_BLOCKS);
    expect(sgdGridBlocks(1, 1, 1, 1)).toBe(1);
  });
});

describe('SGD threads the data can use', () => {
  it('caps the thread count by the rows on each side and the ratings per block', () => {
    // 2t + 1 rows on the smaller side.
    expect(usefulSgdThreads(256, 20, 1000, 1e9)).toBe(9);
    // (2t + 1)² blocks of MIN_RATINGS_PER_BLOCK ratings.
    expect(usefulSgdThreads(256, 1e6, 1e6, 25 * MIN_RATINGS_PER_BLOCK)).toBe(2);
    expect(usefulSgdThreads(256, 1e6, 1e6, 25 * MIN_RATINGS_PER_BLOCK - 1)).toBe(1);
    expect(usefulSgdThreads(256, 30, 20, 300)).toBe(1);
    expect(usefulSgdThreads(2, 138_000, 27_000, 2_000_000)).toBe(2);
    expect(usefulSgdThreads(256, 1e7, 1e7, 1e9)).toBe(256);
    expect(usefulSgdThreads(4, 0, 0, 0)).toBe(1);
  });

  it('trains 300 ratings with threads: 256 as with one thread (same model, bit for bit)', async () => {
    const data = tinyRatings();
    expect(data.nnz).toBeGreaterThan(250);
    const many = await new ExplicitMF({ factors: 8, iterations: 3, threads: 256, seed: 5 }).fit(data);
    const one = await new ExplicitMF({ factors: 8, iterations: 3, threads: 1, seed: 5 }).fit(data);
    for (const id of one.userIds) expect(many.userVector(id)).toEqual(one.userVector(id));
    for (const id of one.itemIds) expect(many.itemVector(id)).toEqual(one.itemVector(id));
  });

  it('runs the kernel with 256 threads on a 513-per-side grid of 300 ratings (no hang)', async () => {
    // The grid ExplicitMF used to build for 256 threads: 263,169 blocks, almost all empty.
    const rng = new Rng(9);
    const n = 300;
    const users = Int32Array.from({ length: n }, () => rng.below(600));
    const items = Int32Array.from({ length: n }, () => rng.below(600));
    const ratings = Float32Array.from({ length: n }, (_, k) => k + 1);
    const grid = allocateGrid(n, 513);
    const sgd = sgdBinding();
    await sgd.sgdLayout(users, items, ratings, { nUsers: 600, nItems: 600, seed: 1 }, grid);
    const model = {
      factors: 4,
      globalBias: 0,
      userFactors: new Float32Array(600 * 4),
      itemFactors: new Float32Array(600 * 4),
      userBias: new Float32Array(600),
      itemBias: new Float32Array(600),
    };
    // Learning rate 0: every error is the rating itself, so the sum proves each rating was seen once.
    let expected = 0;
    for (const r of ratings) expected += r * r;
    const step = { learningRate: 0, regularization: 0, biasRegularization: 0, threads: 256, seed: 1, epoch: 0 };
    expect(await sgd.sgdEpoch(grid, model, step)).toBe(expected);
  });
});
