#!/usr/bin/env node
/**
 * S1: a synthetic explicit-ratings CSV shaped like MovieLens 20M,
 * `userId,movieId,rating,timestamp` with a header, rows grouped by user.
 *
 * - Item popularity follows a shifted power law, weight(rank) = (rank + 30)^-1.1
 *   (the most popular item gets ~0.7% of all ratings, the top 10% of items ~74%).
 * - User activity is log-normal (sigma 1), so a few users rate thousands of items.
 * - A user never rates the same item twice.
 * - Ratings come from a planted low-rank model: 3.5 + user bias + item bias +
 *   p_u . q_i + Gaussian noise (sd 0.5), clamped to [0.5, 5] and rounded to half
 *   stars; the structure is learnable, so SGD benchmarks can check their RMSE.
 * - Timestamps are Unix seconds, spread over a per-user activity window.
 *
 * Seeded and deterministic; streams its output (memory is O(users + items)).
 *
 * Usage: node bench/generators/generate-ratings.mjs [--ratings N] [--users N] [--items N]
 *          [--rank K] [--seed S] [--scale F] [--out FILE]   (defaults: ML-20M's size, stdout)
 */
import {
  DistinctItems,
  LineWriter,
  PowerLaw,
  Rng,
  dataPath,
  ensureFile,
  gaussianMatrix,
  isMain,
  runGeneratorCli,
  scaled,
  shuffledIds,
  userCounts,
} from './synthetic-files.mjs';

export const DEFAULTS = Object.freeze({ users: 138_000, items: 27_000, ratings: 20_000_000, rank: 8, seed: 1 });
const LINEAR = ['users', 'ratings'];

/**
 * Streams the CSV to `out` (a Writable). `scale` shrinks the data (see
 * synthetic-files.mjs `scaled`). Resolves with the number of ratings written.
 */
export async function generateRatings(out, options = {}) {
  const { users, items, ratings, rank, seed } = scaled({ ...DEFAULTS, ...options }, LINEAR);
  if (ratings > users * items) throw new Error(`cannot place ${ratings} distinct ratings in ${users} x ${items}`);
  const rng = new Rng(seed);
  const movieIdOfRank = shuffledIds(rng, items);
  const sd = 1 / Math.sqrt(rank);
  const p = gaussianMatrix(rng, users, rank, sd);
  const q = gaussianMatrix(rng, items, rank, sd);
  const userBias = gaussianMatrix(rng, users, 1, 0.35);
  const itemBias = gaussianMatrix(rng, items, 1, 0.5);
  const counts = userCounts(rng, users, items, ratings);
  const picker = new DistinctItems(rng, new PowerLaw(items, 1.1, 30));
  const first = 789_652_009;
  const last = 1_427_784_002;

  const w = new LineWriter(out);
  await w.line('userId,movieId,rating,timestamp');
  for (let u = 0; u < users; u++) {
    const n = counts[u];
    const span = Math.floor(rng.uniform() * 3 * 365 * 86400) + 86400;
    const start = first + Math.floor(rng.uniform() * (last - first - span));
    for (let k = 0; k < n; k++) {
      const i = picker.draw(u);
      let score = 3.5 + userBias[u] + itemBias[i] + rng.normal() * 0.5;
      for (let f = 0; f < rank; f++) score += p[u * rank + f] * q[i * rank + f];
      const stars = Math.min(5, Math.max(0.5, Math.round(score * 2) / 2));
      const time = start + Math.floor(rng.uniform() * span);
      await w.line(`${u + 1},${movieIdOfRank[i]},${stars.toFixed(1)},${time}`);
    }
  }
  await w.flush();
  return w.lines - 1;
}

/** Where the cached file for these options lives (bench/.data/ratings-u…-i…-n…-k…-s….csv). */
export function ratingsFilePath(options = {}) {
  const o = scaled({ ...DEFAULTS, ...options }, LINEAR);
  return dataPath(`ratings-u${o.users}-i${o.items}-n${o.ratings}-k${o.rank}-s${o.seed}.csv`);
}

/**
 * Path of a cached ratings file under bench/.data (git-ignored), generating it
 * first when it does not exist yet.
 */
export async function ensureRatingsFile(options = {}) {
  return ensureFile(ratingsFilePath(options), (out) => generateRatings(out, options));
}

if (isMain(import.meta.url)) await runGeneratorCli(process.argv.slice(2), DEFAULTS, generateRatings, 'ratings');
