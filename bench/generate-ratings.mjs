#!/usr/bin/env node
/**
 * Writes a synthetic explicit-ratings CSV shaped like MovieLens 20M:
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
 * Usage: node bench/generate-ratings.mjs [--ratings N] [--users N] [--items N]
 *          [--rank K] [--seed S] [--out FILE]     (defaults: ML-20M's size, stdout)
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULTS = Object.freeze({ users: 138_000, items: 27_000, ratings: 20_000_000, rank: 8, seed: 1 });

/** Counter-based generator: the same mixing function as lib/random.ts. */
class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }
  next() {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  uniform() {
    return (this.next() >>> 8) / 16777216;
  }
  below(n) {
    return Math.floor(this.uniform() * n);
  }
  normal() {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

function gaussianMatrix(rng, rows, cols, sd) {
  const m = new Float64Array(rows * cols);
  for (let k = 0; k < m.length; k++) m[k] = rng.normal() * sd;
  return m;
}

/** How many ratings each user gives: log-normal weights, scaled to `total`, at most `items` each. */
function userCounts(rng, users, items, total) {
  const weights = new Float64Array(users);
  let sum = 0;
  for (let u = 0; u < users; u++) sum += weights[u] = Math.exp(rng.normal());
  const counts = new Int32Array(users);
  let given = 0;
  for (let u = 0; u < users; u++) given += counts[u] = Math.min(items, Math.floor((total * weights[u]) / sum));
  for (let guard = 0; given < total && guard < total * 4; guard++) {
    const u = rng.below(users);
    if (counts[u] < items) {
      counts[u]++;
      given++;
    }
  }
  return counts;
}

/** Cumulative popularity of items by rank, for inverse-CDF sampling. */
function popularityCdf(items) {
  const cdf = new Float64Array(items);
  let acc = 0;
  for (let r = 0; r < items; r++) cdf[r] = acc += (r + 30) ** -1.1;
  for (let r = 0; r < items; r++) cdf[r] /= acc;
  return cdf;
}

function sampleRank(cdf, x) {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Streams the CSV to `out` (a Writable). Resolves with the number of ratings written.
 */
export async function generateRatings(out, options = {}) {
  const { users, items, ratings, rank, seed } = { ...DEFAULTS, ...options };
  if (ratings > users * items) throw new Error(`cannot place ${ratings} distinct ratings in ${users} x ${items}`);
  const rng = new Rng(seed);
  const movieIdOfRank = Int32Array.from({ length: items }, (_, r) => r + 1);
  for (let r = items - 1; r > 0; r--) {
    const j = rng.below(r + 1);
    [movieIdOfRank[r], movieIdOfRank[j]] = [movieIdOfRank[j], movieIdOfRank[r]];
  }
  const sd = 1 / Math.sqrt(rank);
  const p = gaussianMatrix(rng, users, rank, sd);
  const q = gaussianMatrix(rng, items, rank, sd);
  const userBias = gaussianMatrix(rng, users, 1, 0.35);
  const itemBias = gaussianMatrix(rng, items, 1, 0.5);
  const counts = userCounts(rng, users, items, ratings);
  const cdf = popularityCdf(items);
  const ratedBy = new Int32Array(items).fill(-1);
  const first = 789_652_009;
  const last = 1_427_784_002;

  let text = 'userId,movieId,rating,timestamp\n';
  let written = 0;
  const flush = async () => {
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
    text = '';
  };
  for (let u = 0; u < users; u++) {
    const n = counts[u];
    const span = Math.floor(rng.uniform() * 3 * 365 * 86400) + 86400;
    const start = first + Math.floor(rng.uniform() * (last - first - span));
    for (let k = 0; k < n; k++) {
      let i = sampleRank(cdf, rng.uniform());
      // Rejection keeps a user's items distinct; a uniform draw ends long rejection runs.
      for (let tries = 0; ratedBy[i] === u; tries++) i = tries < 32 ? sampleRank(cdf, rng.uniform()) : rng.below(items);
      ratedBy[i] = u;
      let score = 3.5 + userBias[u] + itemBias[i] + rng.normal() * 0.5;
      for (let f = 0; f < rank; f++) score += p[u * rank + f] * q[i * rank + f];
      const stars = Math.min(5, Math.max(0.5, Math.round(score * 2) / 2));
      const time = start + Math.floor(rng.uniform() * span);
      text += `${u + 1},${movieIdOfRank[i]},${stars.toFixed(1)},${time}\n`;
      written++;
      if (text.length > 1 << 20) await flush();
    }
  }
  await flush();
  return written;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** Where the cached file for these options lives (bench/.data/ratings-u…-i…-n…-k…-s….csv). */
export function ratingsFilePath(options = {}) {
  const o = { ...DEFAULTS, ...options };
  return path.join(benchDir, '.data', `ratings-u${o.users}-i${o.items}-n${o.ratings}-k${o.rank}-s${o.seed}.csv`);
}

/**
 * Path of a cached ratings file under bench/.data (git-ignored), generating it
 * first when it does not exist yet.
 */
export async function ensureRatingsFile(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const file = ratingsFilePath(o);
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  await generateRatings(out, o);
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  renameSync(partial, file);
  return file;
}

function parseArgs(argv) {
  const options = {};
  let outPath;
  for (let k = 0; k < argv.length; k += 2) {
    const name = argv[k]?.replace(/^--/, '');
    const value = argv[k + 1];
    if (name === 'out') outPath = value;
    else if (name in DEFAULTS && value !== undefined && /^\d+$/.test(value.replaceAll('_', ''))) {
      options[name] = Number(value.replaceAll('_', ''));
    } else {
      throw new Error(`unknown or incomplete argument ${argv[k]} (known: --${Object.keys(DEFAULTS).join(', --')}, --out)`);
    }
  }
  return { options, outPath };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { options, outPath } = parseArgs(process.argv.slice(2));
  // A closed pipe (`| head`) ends the run quietly.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const out = outPath ? createWriteStream(outPath) : process.stdout;
  const n = await generateRatings(out, options);
  if (outPath) await new Promise((resolve) => out.end(resolve));
  process.stderr.write(`${n} ratings written${outPath ? ` to ${outPath}` : ''}\n`);
}
