/**
 * How many blocks per side ExplicitMF's SGD grid gets (see native/kernels/sgd.h).
 *
 * Every rating reads and writes one user row and one item row, in the random
 * order of its block. A block's ratings touch 1/blocks of the user rows and
 * 1/blocks of the item rows, so more blocks shrink the set of rows a block
 * works on; once that set fits in a core's cache, most row accesses hit the
 * cache instead of memory. On S1 (138,000 users, 27,000 items, 64 factors:
 * 42 MB of rows) a single block spent about three times as long per epoch as a
 * grid with cache-sized blocks, at the same training RMSE
 * (bench/investigations/NOTES-sgd-grid.md). More blocks than that buy nothing: each row
 * is fetched again for every block of its row or column.
 *
 * The count depends on the data only, never on the machine running the fit,
 * so a seeded one-thread fit trains the same model everywhere, and the
 * TypeScript twin (which replays whatever grid it is given) the same model
 * as the kernel. Small data (MovieLens 100K: 2,600 rows) stays in one block.
 */

/** Bytes of user and item rows one block should touch at most: a core's L2 cache on current x86 servers. */
export const GRID_BLOCK_BYTES = 2 * 1024 * 1024;

/** More blocks per side than this for the cache's sake only fetch rows again (see above). */
export const MAX_GRID_BLOCKS = 64;

/**
 * Blocks per side for `threads` threads on nUsers × nItems rows of `factors`
 * floats: enough to keep a block's rows within {@link GRID_BLOCK_BYTES}, and
 * with several threads at least 2t + 1 (one block per thread would leave the
 * scheduler no choice; 2t + 1 keeps every thread busy until the last few blocks).
 */
export function sgdGridBlocks(threads: number, nUsers: number, nItems: number, factors: number): number {
  const rowBytes = (nUsers + nItems) * factors * 4;
  const forCache = Math.min(MAX_GRID_BLOCKS, Math.ceil(rowBytes / GRID_BLOCK_BYTES));
  const forThreads = threads === 1 ? 1 : 2 * threads + 1;
  return Math.max(1, forCache, forThreads);
}

/**
 * Ratings a block should hold on average for a thread to be worth it: below
 * this, handing a block out (a lock, a wake-up) costs about as much as
 * training it.
 */
export const MIN_RATINGS_PER_BLOCK = 512;

/**
 * The threads that can do useful work on nUsers × nItems with nnz ratings,
 * at most `requested`: several threads need 2t + 1 blocks per side (see
 * {@link sgdGridBlocks}), so each side needs 2t + 1 rows and the grid's
 * (2t + 1)² blocks {@link MIN_RATINGS_PER_BLOCK} ratings each. Past that,
 * more threads only add scheduling. Small data trains on one thread (and then
 * with the seeded one-thread schedule).
 */
export function usefulSgdThreads(requested: number, nUsers: number, nItems: number, nnz: number): number {
  const bySide = Math.floor((Math.min(nUsers, nItems) - 1) / 2);
  const byRatings = Math.floor((Math.sqrt(nnz / MIN_RATINGS_PER_BLOCK) - 1) / 2);
  return Math.max(1, Math.min(requested, bySide, byRatings));
}
