// The benchmark data sets, full size and --quick size, in one place.
//
//   S1    explicit ratings shaped like MovieLens 20M: 138,000 users × 27,000
//         items × 20,000,000 ratings, planted low rank + noise
//         (bench/generators/generate-ratings.mjs, a CSV cached in bench/.data/).
//   S2    implicit counts shaped like Last.fm 360K: 360,000 users × 160,000
//         items × 17,500,000 interactions, from `s2Source` below: the
//         play-count CSV of bench/generators/generate-counts.mjs when that generator is
//         present, else a stand-in, the power-law generator of
//         bench/generators/synthetic.mjs at S2's shape (values 1, not play counts; the
//         cost of an ALS/BPR iteration depends on the shape, not the values).
//   ML1M  MovieLens-1M-sized implicit data: 6,040 × 3,706 × 1,000,000
//         (bench/generators/synthetic.mjs).
//
// --quick uses S1 and S2 at a tenth of their interactions (S2 also at a
// tenth of its users and items); ML1M stays full size (it is small).
import { IdMap, Interactions, readInteractions } from '../../dist/index.js';
import { DEFAULTS as S1_DEFAULTS, ensureRatingsFile } from '../generators/generate-ratings.mjs';

/** The power-law generator of synthetic.mjs, loaded when first needed. */
async function powerLaw(users, items, target, seed) {
  const { syntheticPowerLaw } = await import('../generators/synthetic.mjs');
  return syntheticPowerLaw(users, items, target, seed);
}

export const SIZES = Object.freeze({
  full: {
    s1: { users: S1_DEFAULTS.users, items: S1_DEFAULTS.items, ratings: S1_DEFAULTS.ratings },
    s2: { users: 360_000, items: 160_000, interactions: 17_500_000 },
    ml1m: { users: 6040, items: 3706, interactions: 1_000_000 },
  },
  quick: {
    s1: { users: S1_DEFAULTS.users, items: S1_DEFAULTS.items, ratings: 2_000_000 },
    s2: { users: 36_000, items: 16_000, interactions: 1_750_000 },
    ml1m: { users: 6040, items: 3706, interactions: 1_000_000 },
  },
});

export function sizesFor(quick) {
  return quick ? SIZES.quick : SIZES.full;
}

/** The S1 CSV (generated on first use) for a size entry of SIZES. */
export function s1File(size) {
  return ensureRatingsFile({ users: size.users, items: size.items, ratings: size.ratings });
}

/** S1 as Interactions (ratings as values), read through the library's reader. */
export async function s1Interactions(size) {
  const { interactions } = await readInteractions(await s1File(size));
  return interactions;
}

/**
 * The S2 input: `{ interactions, source }` where `source` says what produced
 * it (printed next to every S2 figure). When bench/generators/generate-counts.mjs (the
 * Last.fm-360K-shaped play-count generator) is present, S2 is its CSV read
 * through readInteractions; otherwise the power-law stand-in of synthetic.mjs.
 */
export async function s2Source(size) {
  const counts = await import('../generators/generate-counts.mjs').catch(() => undefined);
  if (counts?.ensureCountsFile) {
    const file = await counts.ensureCountsFile({ users: size.users, items: size.items, pairs: size.interactions });
    const { interactions } = await readInteractions(file, { userCol: 0, itemCol: 1, valueCol: 2 });
    return { interactions, source: 'bench/generators/generate-counts.mjs play counts' };
  }
  const interactions = await powerLaw(size.users, size.items, size.interactions, 11);
  return { interactions, source: 'stand-in: bench/generators/synthetic.mjs power law at S2 shape, values 1' };
}

export function ml1mInteractions(size) {
  return powerLaw(size.users, size.items, size.interactions, 7);
}

/** Describes a data set for table headers: "138,000 × 27,000 × 20,000,000". */
export function shape(data) {
  return `${data.nUsers.toLocaleString('en-US')} × ${data.nItems.toLocaleString('en-US')} × ${data.nnz.toLocaleString('en-US')}`;
}

/**
 * The interactions of a random subset of users holding about `fraction` of
 * them (seeded), re-indexed so that only the sampled users and their items
 * remain, for the pure-JS comparisons: all of a sampled user's interactions
 * are kept, so per-user work keeps its shape.
 */
export function sampleUsers(data, fraction, seed = 3) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const m = data.byUser;
  const users = new IdMap();
  const items = new IdMap();
  const itemIndex = new Int32Array(m.cols).fill(-1);
  const u = [];
  const i = [];
  const v = [];
  for (let row = 0; row < m.rows; row++) {
    if (rand() >= fraction || m.indptr[row] === m.indptr[row + 1]) continue;
    const nu = users.add(data.users.id(row));
    for (let e = m.indptr[row]; e < m.indptr[row + 1]; e++) {
      const col = m.indices[e];
      if (itemIndex[col] < 0) itemIndex[col] = items.add(data.items.id(col));
      u.push(nu);
      i.push(itemIndex[col]);
      v.push(m.values[e]);
    }
  }
  return Interactions.fromIndices(users, items, Int32Array.from(u), Int32Array.from(i), Float32Array.from(v), undefined);
}
