#!/usr/bin/env node
/**
 * S2: a synthetic implicit-feedback CSV shaped like Last.fm-360K (users'
 * play counts per artist), `userId,artistId,plays` with a header, rows
 * grouped by user.
 *
 * - 360,000 users, 160,000 items, 17,500,000 distinct (user, item) pairs by default.
 * - Item popularity follows a shifted power law, weight(rank) = (rank + 50)^-1.2
 *   (the most popular item gets ~0.5% of all pairs, the top 1% of items ~63%,
 *   the top 10% ~86%).
 * - Users have ~49 items each on average (Last.fm-360K kept about 50 top
 *   artists per user): log-normal spread with sigma 0.4.
 * - Plays are heavy-tailed positive integers: 1 + floor(exp(m_u + 1.2 z)) with a
 *   per-user level m_u ~ N(4, 0.7) and z ~ N(0, 1) (median ~55, mean ~145,
 *   the largest counts near 10^5).
 *
 * Seeded and deterministic; streams its output (memory is O(users + items)).
 * Shares its building blocks with generate-ratings.mjs (S1) through synthetic-files.mjs.
 *
 * Usage: node bench/generators/generate-counts.mjs [--pairs N] [--users N] [--items N]
 *          [--seed S] [--scale F] [--out FILE]   (defaults: Last.fm-360K's size, stdout)
 */
import {
  DistinctItems,
  LineWriter,
  PowerLaw,
  Rng,
  dataPath,
  ensureFile,
  isMain,
  runGeneratorCli,
  scaled,
  shuffledIds,
  userCounts,
} from './synthetic-files.mjs';

export const DEFAULTS = Object.freeze({ users: 360_000, items: 160_000, pairs: 17_500_000, seed: 1 });
const LINEAR = ['users', 'pairs'];

/**
 * Streams the CSV to `out` (a Writable). `scale` shrinks the data (see
 * synthetic-files.mjs `scaled`). Resolves with the number of rows written.
 */
export async function generateCounts(out, options = {}) {
  const { users, items, pairs, seed } = scaled({ ...DEFAULTS, ...options }, LINEAR);
  if (pairs > users * items) throw new Error(`cannot place ${pairs} distinct pairs in ${users} x ${items}`);
  const rng = new Rng(seed);
  const artistIdOfRank = shuffledIds(rng, items);
  const counts = userCounts(rng, users, items, pairs, 0.4);
  const picker = new DistinctItems(rng, new PowerLaw(items, 1.2, 50));

  const w = new LineWriter(out);
  await w.line('userId,artistId,plays');
  for (let u = 0; u < users; u++) {
    const level = 4 + 0.7 * rng.normal();
    for (let k = 0; k < counts[u]; k++) {
      const i = picker.draw(u);
      const plays = 1 + Math.floor(Math.exp(level + 1.2 * rng.normal()));
      await w.line(`${u + 1},${artistIdOfRank[i]},${plays}`);
    }
  }
  await w.flush();
  return w.lines - 1;
}

/** Where the cached file for these options lives (bench/.data/counts-u…-i…-n…-s….csv). */
export function countsFilePath(options = {}) {
  const o = scaled({ ...DEFAULTS, ...options }, LINEAR);
  return dataPath(`counts-u${o.users}-i${o.items}-n${o.pairs}-s${o.seed}.csv`);
}

/** Path of a cached counts file under bench/.data (git-ignored), generated first when missing. */
export async function ensureCountsFile(options = {}) {
  return ensureFile(countsFilePath(options), (out) => generateCounts(out, options));
}

if (isMain(import.meta.url)) await runGeneratorCli(process.argv.slice(2), DEFAULTS, generateCounts, 'rows');
