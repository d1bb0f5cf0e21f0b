import { describe, expect, it } from 'vitest';
import { GRID_BLOCK_BYTES, MAX_GRID_BLOCKS, sgdGridBlocks } from '../lib/models/sgd-grid.js';

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
